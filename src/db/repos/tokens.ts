import type { Db } from '../connection.js';

export interface ApiTokenRow {
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

interface Raw {
  name: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
}

/** API tokens for automation; only a hash of each token is stored. */
export class TokensRepo {
  constructor(private readonly db: Db) {}

  insert(name: string, hash: string, at: string): boolean {
    const result = this.db.prepare('INSERT OR IGNORE INTO api_tokens (name, hash, created_at) VALUES (?, ?, ?)').run(name, hash, at);
    return result.changes === 1;
  }

  list(): ApiTokenRow[] {
    const rows = this.db.prepare('SELECT * FROM api_tokens ORDER BY name').all() as Raw[];
    return rows.map((r) => ({ name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE name = ?').run(name).changes === 1;
  }

  findByHash(hash: string): ApiTokenRow | undefined {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE hash = ?').get(hash) as Raw | undefined;
    return r && { name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at };
  }

  touch(name: string, at: string): void {
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE name = ?').run(at, name);
  }
}
