import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { SessionRow, SessionsRepo } from '../../db/repos/sessions.js';

export const SESSION_COOKIE = 'cg_session';
/** A session ends after a week without use, and after 30 days whatever happens. */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_MAX_MS = 30 * 24 * 3600_000;
/** last_seen_at is rewritten at most this often, so thumbnails do not each cost a database write. */
const TOUCH_EVERY_MS = 60_000;

/** Only a hash of the session id is stored, so a leaked database does not hand out live sessions. */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface NewSession {
  id: string;
  csrfToken: string;
  maxAgeSeconds: number;
}

/** Server-side sessions: revocable by logout or `clipgate passwd`, checked on every request. */
export class SessionManager {
  constructor(private readonly deps: { sessions: SessionsRepo; clock: Clock }) {}

  create(client: string | null): NewSession {
    const now = this.deps.clock.now();
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    this.deps.sessions.deleteExpired(new Date(now).toISOString());
    this.deps.sessions.insert({
      idHash: hashSessionId(id),
      csrfToken,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + SESSION_IDLE_MS).toISOString(),
      lastSeenAt: new Date(now).toISOString(),
      client,
    });
    return { id, csrfToken, maxAgeSeconds: SESSION_MAX_MS / 1000 };
  }

  /** The live session for a cookie's id, sliding its idle expiry; undefined when unknown or expired. */
  resolve(id: string): SessionRow | undefined {
    const idHash = hashSessionId(id);
    const row = this.deps.sessions.get(idHash);
    if (!row) return undefined;
    const now = this.deps.clock.now();
    const expired = Date.parse(row.expiresAt) <= now || Date.parse(row.createdAt) + SESSION_MAX_MS <= now;
    if (expired) {
      this.deps.sessions.delete(idHash);
      return undefined;
    }
    if (now - Date.parse(row.lastSeenAt) >= TOUCH_EVERY_MS) {
      this.deps.sessions.touch(idHash, new Date(now).toISOString(), new Date(now + SESSION_IDLE_MS).toISOString());
    }
    return row;
  }

  destroy(id: string): void {
    this.deps.sessions.delete(hashSessionId(id));
  }
}
