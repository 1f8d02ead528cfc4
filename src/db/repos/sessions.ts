import type { Db } from '../connection.js';

export interface SessionRow {
  idHash: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  client: string | null;
}

interface Raw {
  id_hash: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  client: string | null;
}

/** Server-side sessions, so a logout or a password change revokes them. Keyed by a hash of the id. */
export class SessionsRepo {
  constructor(private readonly db: Db) {}

  insert(row: SessionRow): void {
    this.db
      .prepare('INSERT INTO sessions (id_hash, csrf_token, created_at, expires_at, last_seen_at, client) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.idHash, row.csrfToken, row.createdAt, row.expiresAt, row.lastSeenAt, row.client);
  }

  get(idHash: string): SessionRow | undefined {
    const r = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as Raw | undefined;
    return r && { idHash: r.id_hash, csrfToken: r.csrf_token, createdAt: r.created_at, expiresAt: r.expires_at, lastSeenAt: r.last_seen_at, client: r.client };
  }

  touch(idHash: string, at: string, expiresAt: string): void {
    this.db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?').run(at, expiresAt, idHash);
  }

  delete(idHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  deleteAll(): number {
    return this.db.prepare('DELETE FROM sessions').run().changes;
  }

  deleteExpired(now: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }
}
