// Shared fixtures for the upload integration tests: real mp4s from ffmpeg lavfi, a real
// database, shares created the way review + exporter + Send create them (clip approved and share
// `exporting`; export path/sha256 and `ready`; then the real Send: `approved` ledger entry naming
// the export's hash and `queued`, in one transaction).
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventBus } from '../../../src/core/events.js';
import { createLogger, SecretRegistry, type Logger } from '../../../src/core/logger.js';
import type { Problems } from '../../../src/core/problems.js';
import type { Db, Repos } from '../../../src/db/index.js';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import type { ShareRecord } from '../../../src/db/repos/shares.js';
import type { Ledger } from '../../../src/ledger/index.js';
import { createReview, type ReviewService } from '../../../src/review/index.js';
import { makeCore, runChecked } from '../../support/index.js';

export interface Harness {
  dataDir: string;
  db: Db;
  repos: Repos;
  bus: EventBus;
  log: Logger;
  logLines: string[];
  problems: Problems;
  ledger: Ledger;
  review: ReviewService;
  close(): void;
}

/** The daemon's core on `dataDir` (kept on close, so a second harness reopens it), logging at debug into logLines. */
export function openHarness(dataDir: string): Harness {
  const logLines: string[] = [];
  const log = createLogger({ level: 'debug', secrets: new SecretRegistry(), write: (l) => logLines.push(l) });
  const core = makeCore({ dir: dataDir, dataDir, log });
  const { db, repos, bus, problems } = core;
  const { ledger, review } = createReview(core);
  return { dataDir, db, repos, bus, log, logLines, problems, ledger, review, close: () => core.cleanup() };
}

/** A real H.264 mp4 from lavfi. `lossless` makes it big quickly (for throttled/kill tests). */
export async function makeMp4(file: string, seconds: number, opts: { lossless?: boolean; size?: string; seed?: number } = {}): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const size = opts.size ?? '160x90';
  const src = `testsrc2=size=${size}:rate=10`;
  const codec = opts.lossless ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0'] : ['-c:v', 'libx264', '-preset', 'ultrafast'];
  await runChecked('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', src, '-t', String(seconds), ...codec, '-pix_fmt', 'yuv420p', '-metadata', `title=clip-${opts.seed ?? 0}`, file], { timeoutMs: 120_000 });
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function addClip(h: Harness, o: { id?: string; status?: ClipRecord['status']; startedAt: string; durationMs?: number; file?: string }): ClipRecord {
  const id = o.id ?? randomUUID();
  const durationMs = o.durationMs ?? 2000;
  const clip: ClipRecord = {
    id, cameraId: 'front-door', status: o.status ?? 'pending', trigger: 'motion', startedAt: o.startedAt,
    endedAt: new Date(Date.parse(o.startedAt) + durationMs).toISOString(), durationMs, sizeBytes: 1000, width: 160, height: 90,
    hasAudio: false, sha256: createHash('sha256').update(id).digest('hex'), filePath: o.file ?? `clips/${id}.mp4`,
    thumbPath: null, createdAt: o.startedAt, reviewedAt: null, fileDeletedAt: null, labels: {}, analysis: 'pending',
  };
  h.repos.clips.insert(clip);
  return clip;
}

/** Approve a pending clip and "export" it (`exportSource` copied to exports/<share>.mp4): the share is `ready`, not sent. */
export function approveAndPrepare(h: Harness, clip: ClipRecord, exportSource: string, extra: { caption?: string; requestId?: string } = {}): ShareRecord {
  const shareId = randomUUID();
  const at = new Date().toISOString();
  h.db.transaction(() => {
    if (!h.repos.clips.transition(clip.id, 'pending', 'approved', at)) throw new Error('clip not pending');
    const options = { stripAudio: true, blur: [], privacyMasks: [], ...extra };
    h.repos.shares.insert({ id: shareId, clipId: clip.id, status: 'exporting', optionsJson: JSON.stringify(options), requestId: extra.requestId ?? null, createdAt: at });
  }).immediate();
  const rel = path.join('exports', `${shareId}.mp4`);
  copyFileSync(exportSource, path.join(h.dataDir, rel));
  const size = readFileSync(exportSource).length;
  h.repos.shares.update(shareId, { status: 'ready', exportPath: rel, sha256: sha256(exportSource), durationMs: clip.durationMs, recordedAt: clip.startedAt, bytesTotal: size }, at, 'exporting');
  const share = h.repos.shares.get(shareId);
  if (!share) throw new Error('share vanished');
  return share;
}

/** approveAndPrepare, then the owner's Send (the real one): consent recorded, share `queued`. */
export function approveAndExport(h: Harness, clip: ClipRecord, exportSource: string, extra: { caption?: string; requestId?: string } = {}): ShareRecord {
  const prepared = approveAndPrepare(h, clip, exportSource, extra);
  h.review.send(prepared.id);
  const share = h.repos.shares.get(prepared.id);
  if (!share) throw new Error('share vanished');
  return share;
}

