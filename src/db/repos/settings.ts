import type { Db } from '../connection.js';

/** Small key/value settings: owner password hash, cookie secret, one-time setup code. */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
  }
}

export const SETTING = {
  ownerPasswordHash: 'owner.passwordHash',
  cookieSecret: 'web.cookieSecret',
  setupCodeHash: 'web.setupCodeHash',
} as const;
