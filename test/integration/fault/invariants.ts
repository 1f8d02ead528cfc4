// The invariants (README "Privacy notes", "Security model"), checked from the outside after every crash: the files on disk,
// the database (read-only, as any other reader would), `clipgate ledger verify`, and what the
// dev platform actually received. Every check is counted so the suite can print how many ran.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DevPlatform } from '../../../src/demo/dev-platform/server.js';
import type { Daemon } from '../../support/daemon.js';
import { runProcess } from '../../support/index.js';

export class InvariantError extends Error {}

/** Counts every check; throws InvariantError with the message of the first one that fails. */
export class Checks {
  count = 0;
  ok(cond: boolean, message: () => string): void {
    this.count++;
    if (!cond) throw new InvariantError(message());
  }
}

export interface ClipRow {
  id: string;
  status: string;
  file_path: string;
  thumb_path: string | null;
  file_deleted_at: string | null;
  deleted_at: string | null;
}

export interface ShareRow {
  id: string;
  clip_id: string;
  status: string;
  export_path: string | null;
  sha256: string | null;
  error: string | null;
  /** The export's face check (JSON), for a post-mortem of a share that never went. */
  verification_json: string | null;
}

export interface LedgerRow {
  seq: number;
  action: string;
  clip_id: string;
  share_id: string | null;
}

export interface DbSnapshot {
  clips: ClipRow[];
  shares: ShareRow[];
  ledger: LedgerRow[];
}

export function readDb(dataDir: string): DbSnapshot {
  const db = new Database(path.join(dataDir, 'clipgate.db'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    return {
      clips: db.prepare('SELECT id, status, file_path, thumb_path, file_deleted_at, deleted_at FROM clips').all() as ClipRow[],
      shares: db.prepare('SELECT id, clip_id, status, export_path, sha256, error, verification_json FROM shares').all() as ShareRow[],
      ledger: db.prepare('SELECT seq, action, clip_id, share_id FROM ledger ORDER BY seq').all() as LedgerRow[],
    };
  } finally {
    db.close();
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** A temp name as the clip store and the exporter write them (dot-prefixed or *.tmp). */
export function isTempName(file: string): boolean {
  const base = path.basename(file);
  return base.startsWith('.') || base.endsWith('.tmp') || base.includes('.tmp.');
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Remembers files already proven playable (by path, size and mtime): each file is read once. */
export class PlayableCache {
  private readonly good = new Set<string>();
  readonly hashes = new Map<string, string>();

  async playable(file: string): Promise<string | undefined> {
    const st = statSync(file);
    const key = `${file}:${st.size}:${st.mtimeMs}`;
    if (this.good.has(key)) return undefined;
    // Reading every packet (no decode) fails on a truncated mp4 or one without its moov atom.
    const r = await runProcess('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-map', '0', '-c', 'copy', '-f', 'null', '-'], { timeoutMs: 60_000 });
    if (r.code !== 0 || r.stderr.trim() !== '') return `ffmpeg could not read every packet of ${file}: ${r.stderr.trim().slice(0, 300)}`;
    const probe = await runProcess('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file], { timeoutMs: 30_000 });
    const info = JSON.parse(probe.stdout || '{}') as { format?: { duration?: string }; streams?: { codec_type: string }[] };
    if (!(Number(info.format?.duration) > 0) || !info.streams?.some((s) => s.codec_type === 'video')) {
      return `${file} has no video stream or no duration: ${probe.stdout.slice(0, 300)}`;
    }
    this.good.add(key);
    return undefined;
  }

  async sha(file: string): Promise<string> {
    const st = statSync(file);
    const key = `${file}:${st.size}:${st.mtimeMs}`;
    let h = this.hashes.get(key);
    if (!h) {
      h = await sha256Of(file);
      this.hashes.set(key, h);
    }
    return h;
  }
}

export interface CrashState {
  /** Temp files seen while the daemon was down; the next start must remove them. */
  temps: string[];
  db: DbSnapshot;
}

/** Invariant 4: nothing half-written is visible, every row has its file, every file is whole. */
export async function checkFiles(d: Daemon, checks: Checks, cache: PlayableCache): Promise<CrashState> {
  const db = readDb(d.dataDir);
  const tmpDir = path.join(d.dataDir, 'tmp');
  const visible = [...walk(path.join(d.dataDir, 'clips')), ...walk(path.join(d.dataDir, 'exports'))];
  const temps = visible.filter(isTempName);
  for (const file of visible.filter((f) => f.endsWith('.mp4') && !isTempName(f))) {
    const bad = await cache.playable(file);
    checks.ok(bad === undefined, () => `partial or unplayable mp4 visible: ${bad ?? ''}`);
  }
  for (const c of db.clips.filter((c) => c.deleted_at === null && c.file_deleted_at === null)) {
    checks.ok(existsSync(path.join(d.dataDir, c.file_path)), () => `clip ${c.id} (${c.status}) has a row but no file ${c.file_path}`);
  }
  const withExport = new Set(['ready', 'queued', 'uploading', 'uploaded']);
  for (const s of db.shares.filter((s) => withExport.has(s.status))) {
    const file = s.export_path ? path.join(d.dataDir, s.export_path) : '';
    checks.ok(file !== '' && existsSync(file), () => `share ${s.id} is ${s.status} but its export ${s.export_path} is missing`);
    const actual = await cache.sha(file);
    checks.ok(actual === s.sha256, () => `share ${s.id}: export sha256 ${actual} differs from the recorded ${s.sha256}`);
  }
  return { temps: temps.filter((t) => !t.startsWith(tmpDir)), db };
}

/** Shares the owner has sent (Send, or one step): their consent is in the ledger. Not yet: exporting, ready. */
const SENT = new Set(['queued', 'uploading', 'uploaded', 'revoked']);

/** Invariant 3: the chain verifies; every sent share has exactly one consent, one not sent none; one upload entry at most. */
export async function checkLedger(d: Daemon, db: DbSnapshot, checks: Checks): Promise<void> {
  const r = await d.cli(['ledger', 'verify']);
  checks.ok(r.code === 0, () => `clipgate ledger verify exited ${r.code}: ${r.stdout}${r.stderr}`);
  for (const s of db.shares) {
    const entries = db.ledger.filter((e) => e.share_id === s.id);
    const consents = entries.filter((e) => e.action === 'approved').length;
    if (SENT.has(s.status)) checks.ok(consents === 1, () => `share ${s.id} is ${s.status} without a single 'approved' ledger entry`);
    if (s.status === 'exporting' || s.status === 'ready') checks.ok(consents === 0, () => `share ${s.id} is ${s.status} (not sent) but has ${consents} 'approved' entries`);
    const uploads = entries.filter((e) => e.action === 'uploaded').length;
    checks.ok(uploads === (s.status === 'uploaded' ? 1 : 0) || s.status === 'revoked', () => `share ${s.id} is ${s.status} with ${uploads} 'uploaded' ledger entries`);
  }
}

/**
 * Invariants 1 and 2: everything on the platform is the export of an approved share (by the
 * sha256 of the bytes it holds), and no share is complete there more than once.
 */
export async function checkPlatform(platform: DevPlatform, db: DbSnapshot, checks: Checks, cache: PlayableCache): Promise<{ complete: Map<string, number>; partial: number }> {
  // Matched by the share id in the file name: two simulated cameras showing the same test pattern
  // at the same moment can produce byte-identical exports, so a sha256 alone is ambiguous.
  const byId = new Map(db.shares.map((s) => [`${s.id}.mp4`, s]));
  const approvedClips = new Set(db.clips.filter((c) => c.status === 'approved').map((c) => c.id));
  const complete = new Map<string, number>();
  let partial = 0;
  for (const u of platform.received()) {
    const share = byId.get(u.metadata.filename ?? '');
    checks.ok(share !== undefined, () => `platform holds upload ${u.id} (${u.metadata.filename}) that matches no approved share`);
    if (!share) continue;
    checks.ok(u.metadata.sha256 === share.sha256, () => `platform upload ${u.id} announces sha256 ${u.metadata.sha256}, share ${share.id} recorded ${share.sha256}`);
    checks.ok(approvedClips.has(share.clip_id), () => `platform holds share ${share.id} of clip ${share.clip_id}, which is not approved`);
    if (!u.complete) {
      partial++;
      continue;
    }
    const actual = await cache.sha(u.file);
    checks.ok(actual === share.sha256, () => `platform upload ${u.id}: bytes hash to ${actual}, share ${share.id} recorded ${share.sha256}`);
    complete.set(share.id, (complete.get(share.id) ?? 0) + 1);
  }
  for (const [id, n] of complete) checks.ok(n === 1, () => `share ${id} is complete on the platform ${n} times`);
  return { complete, partial };
}
