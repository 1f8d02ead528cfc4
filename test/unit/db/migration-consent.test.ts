// Migration 002 on a database written by the one-step version: shares keep their history, a share
// whose upload never began waits for the preview and Send, one whose upload began carries on
// (legacy consent), the old entries are signed at the first start and the whole ledger verifies.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepos, openDatabase, type Db } from '../../../src/db/index.js';
import { MIGRATIONS } from '../../../src/db/migrations/index.js';
import { entryHash, GENESIS_HASH, Ledger } from '../../../src/ledger/index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const AT = '2026-11-01T10:00:00.000Z';

/** The previous version's writes: clip, share row, and ledger entries hashed as it hashed them (no signature). */
function legacy(db: Db): void {
  let prev = GENESIS_HASH;
  let seq = 0;
  const entry = (action: string, clipId: string, shareId: string | null, exportSha256: string | null): void => {
    seq++;
    const body = { seq, at: AT, action: action as 'approved', clipId, shareId, sha256: 'c'.repeat(64), exportSha256, requestId: null, options: null };
    const hash = entryHash(prev, body);
    db.prepare('INSERT INTO ledger (seq, at, action, clip_id, share_id, sha256, export_sha256, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(seq, AT, action, clipId, shareId, body.sha256, exportSha256, prev, hash);
    db.prepare("INSERT INTO settings (key, value) VALUES ('ledger.head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify({ seq, hash }));
    prev = hash;
  };
  const share = (id: string, status: string, extra: { uploadUrl?: string; sha?: boolean; bytesSent?: number }): void => {
    db.prepare(`INSERT INTO clips (id, camera_id, status, trigger, started_at, ended_at, duration_ms, size_bytes, width, height, has_audio, sha256, file_path, created_at)
      VALUES (?, 'front', 'approved', 'motion', ?, ?, 3000, 10, 320, 180, 0, ?, ?, ?)`).run(`clip-${id}`, AT, AT, 'c'.repeat(64), `clips/${id}.mp4`, AT);
    const sha = extra.sha === false ? null : createHash('sha256').update(id).digest('hex');
    db.prepare(`INSERT INTO shares (id, clip_id, status, options_json, export_path, sha256, bytes_sent, bytes_total, upload_url, created_at, updated_at)
      VALUES (?, ?, ?, '{"stripAudio":true,"blur":[]}', ?, ?, ?, 100, ?, ?, ?)`)
      .run(id, `clip-${id}`, status, sha ? `exports/${id}.mp4` : null, sha, extra.bytesSent ?? 0, extra.uploadUrl ?? null, AT, AT);
    entry('approved', `clip-${id}`, id, null);
    if (status === 'uploaded') entry('uploaded', `clip-${id}`, id, sha);
  };
  share('exporting', 'exporting', { sha: false });
  share('queued-fresh', 'queued', {});
  share('uploading-fresh', 'uploading', {});
  share('uploading-begun', 'uploading', { uploadUrl: 'http://127.0.0.1:9/api/uploads/x', bytesSent: 40 });
  share('failed-upload', 'failed', {});
  share('failed-export', 'failed', { sha: false });
  share('uploaded', 'uploaded', { uploadUrl: 'http://127.0.0.1:9/api/uploads/y', bytesSent: 100 });
}

describe('migration 002 (consent)', () => {
  it('keeps the history, sends blind approvals to the preview, lets begun uploads finish, and signs the old chain', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-mig-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'data'));
    const file = path.join(dir, 'data', 'clipgate.db');
    const old = openDatabase(file, MIGRATIONS.slice(0, 1));
    legacy(old);
    old.close();

    const db = openDatabase(file);
    const repos = createRepos(db);
    const status = Object.fromEntries(repos.shares.list().map((s) => [s.id, [s.status, s.legacyConsent]]));
    expect(status).toEqual({
      exporting: ['exporting', false],
      'queued-fresh': ['ready', false],
      'uploading-fresh': ['ready', false],
      'uploading-begun': ['uploading', true],
      'failed-upload': ['ready', false],
      'failed-export': ['failed', false],
      uploaded: ['uploaded', false],
    });
    // Only the upload that had begun may continue; the others need the owner's Send first.
    expect(repos.shares.listUploadable().map((s) => s.id)).toEqual(['uploading-begun']);
    expect(repos.ledger.all()).toHaveLength(8);
    expect(repos.ledger.all().every((e) => e.signature === '')).toBe(true);

    const ledger = new Ledger({ db, repos, dataDir: path.join(dir, 'data'), log: pino({ level: 'silent' }) });
    await ledger.start();
    expect(await ledger.verify()).toEqual({ ok: true, entries: 8, notes: [] });
    db.close();
  });
});
