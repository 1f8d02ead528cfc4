import { createHash, randomInt } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import { SETTING, type SettingsRepo } from '../../db/repos/settings.js';
import { safeEqual } from './sessions.js';

/** No 0/O or 1/I/L, so a code read off a log on a phone is typed right the first time. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function normalise(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

function hashCode(code: string): string {
  return createHash('sha256').update(normalise(code), 'utf8').digest('hex');
}

export function generateSetupCode(): string {
  let raw = '';
  for (let i = 0; i < 12; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/**
 * First run (no owner password): a fresh one-time code is printed in the log at every start and
 * only its hash kept, so whoever sets the password must be able to read the daemon's log.
 */
export function prepareSetupCode(deps: { settings: SettingsRepo; log: Logger }): void {
  if (deps.settings.get(SETTING.ownerPasswordHash) !== undefined) {
    deps.settings.delete(SETTING.setupCodeHash);
    return;
  }
  const code = generateSetupCode();
  deps.settings.set(SETTING.setupCodeHash, hashCode(code));
  deps.log.warn(`first run: no owner password is set; open the web UI and enter the setup code ${code} (or run clipgate passwd)`);
}

export function checkSetupCode(settings: SettingsRepo, code: string): boolean {
  const stored = settings.get(SETTING.setupCodeHash);
  return stored !== undefined && safeEqual(stored, hashCode(code));
}
