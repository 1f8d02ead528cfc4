import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../../src/db/connection.js';
import { MIGRATIONS } from '../../../src/db/migrations/index.js';
import { createRepos } from '../../../src/db/index.js';

const dirs: string[] = [];
function tmpDb(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-db-'));
  dirs.push(dir);
  return path.join(dir, 'x.db');
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('database', () => {
  it('migrates to the latest version in WAL mode with foreign keys', () => {
    const db = openDatabase(tmpDb());
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['cameras', 'clips', 'shares', 'ledger', 'requests', 'api_tokens', 'sessions', 'settings', 'job_runs']));
    db.close();
  });

  it('refuses a database from a newer clipgate', () => {
    const file = tmpDb();
    const db = openDatabase(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(/schema is version 999.*newer clipgate/);
  });

  it('paginates clips newest first with a cursor', () => {
    const db = openDatabase(tmpDb());
    const repos = createRepos(db);
    for (let i = 0; i < 5; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
      repos.clips.insert({
        id: `c${i}`, cameraId: i % 2 ? 'a' : 'b', status: 'pending', trigger: 'manual', startedAt: at, endedAt: at,
        durationMs: 1000, sizeBytes: 1, width: 1, height: 1, hasAudio: false, sha256: `h${i}`,
        filePath: `clips/c${i}.mp4`, thumbPath: null, createdAt: at, reviewedAt: null, fileDeletedAt: null,
      });
    }
    const p1 = repos.clips.list({ limit: 2 });
    expect(p1.items.map((c) => c.id)).toEqual(['c4', 'c3']);
    const p2 = repos.clips.list({ limit: 2, cursor: p1.nextCursor! });
    expect(p2.items.map((c) => c.id)).toEqual(['c2', 'c1']);
    const p3 = repos.clips.list({ limit: 2, cursor: p2.nextCursor! });
    expect(p3.items.map((c) => c.id)).toEqual(['c0']);
    expect(p3.nextCursor).toBeNull();
    expect(repos.clips.list({ limit: 10, cameraId: 'a' }).items.map((c) => c.id)).toEqual(['c3', 'c1']);
    expect(repos.clips.transition('c1', 'pending', 'approved', 'now')).toBe(true);
    expect(repos.clips.transition('c1', 'pending', 'rejected', 'now')).toBe(false);
    db.close();
  });
});
