// Shared set-up for review tests: the daemon's core (real SQLite file in a temp dir, repos, bus)
// from makeCore, the real ledger, and a review service whose export hand-off the test observes.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../../src/core/clock.js';
import type { EventBus, EventMap, EventName } from '../../../src/core/events.js';
import type { Region } from '../../../src/core/types.js';
import type { Db, Repos } from '../../../src/db/index.js';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import type { ShareRecord } from '../../../src/db/repos/shares.js';
import { createLedger, type Ledger } from '../../../src/ledger/index.js';
import { ReviewService } from '../../../src/review/review.js';
import { makeCore } from '../../support/core.js';

export interface ReviewEnv {
  dir: string;
  dataDir: string;
  dbFile: string;
  db: Db;
  repos: Repos;
  bus: EventBus;
  clock: ManualClock;
  ledger: Ledger;
  review: ReviewService;
  events: { name: EventName; payload: unknown }[];
  queued: string[];
  /** Also called for every queued export (e.g. an ExportWorker's kick). */
  onQueued?: (shareId: string) => void;
  insertClip(over?: Partial<ClipRecord>): ClipRecord;
  /** What the export worker does when an export is done: the file in exports/ and the share `ready` with its hash. */
  exportDone(shareId: string, bytes?: string): ShareRecord;
  cleanup(): void;
}

let counter = 0;

export function makeEnv(opts: { rejectedDays?: number; masks?: Region[]; preview?: boolean } = {}): ReviewEnv {
  const clock = new ManualClock(Date.UTC(2026, 10, 29, 12, 0, 0));
  const core = makeCore({
    clock,
    config: {
      // An inbox-only camera: the review tests need its privacy masks, never a stream.
      cameras: [{ id: 'front', inbox: '/nonexistent/inbox', privacyMasks: opts.masks ?? [] }],
      retention: { rejectedDays: opts.rejectedDays ?? 0 },
      review: { preview: opts.preview ?? true },
    },
  });
  const { dir, db, repos, bus, log, config } = core;
  const { dataDir, database: dbFile } = core.paths;
  const ledger = createLedger(core);
  const events: { name: EventName; payload: unknown }[] = [];
  for (const name of ['clip.updated', 'clip.deleted', 'share.created', 'share.updated', 'share.progress'] as const) {
    bus.on('test', name, (payload: EventMap[typeof name]) => void events.push({ name, payload }));
  }
  const queued: string[] = [];
  const env = {} as ReviewEnv;
  const onExportQueued = (id: string): void => {
    queued.push(id);
    env.onQueued?.(id);
  };
  const review = new ReviewService({ db, repos, clock, bus, log, config, dataDir, ledger, onExportQueued });
  return Object.assign(env, {
    dir, dataDir, dbFile, db, repos, bus, clock, ledger, review, events, queued,
    insertClip(over: Partial<ClipRecord> = {}): ClipRecord {
      const id = over.id ?? `clip-${++counter}`;
      const filePath = over.filePath ?? `clips/${id}.mp4`;
      const thumbPath = over.thumbPath === undefined ? `clips/${id}.jpg` : over.thumbPath;
      if (!over.filePath) writeFileSync(path.join(dataDir, filePath), 'video');
      if (thumbPath && !over.thumbPath) writeFileSync(path.join(dataDir, thumbPath), 'jpeg');
      const rec: ClipRecord = {
        id, cameraId: 'front', status: 'pending', trigger: 'motion', startedAt: '2026-11-29T11:00:00.000Z', endedAt: '2026-11-29T11:00:06.000Z',
        durationMs: 6000, sizeBytes: 5, width: 1920, height: 1080, hasAudio: true, sha256: 'a'.repeat(64), filePath, thumbPath,
        createdAt: '2026-11-29T11:00:07.000Z', reviewedAt: null, fileDeletedAt: null, labels: {}, analysis: 'pending', ...over,
      };
      repos.clips.insert(rec);
      return rec;
    },
    exportDone(shareId: string, bytes = `export of ${shareId}`): ShareRecord {
      const rel = path.join('exports', `${shareId}.mp4`);
      writeFileSync(path.join(dataDir, rel), bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const ok = repos.shares.update(shareId, { status: 'ready', exportPath: rel, sha256, durationMs: 3000, recordedAt: '2026-11-29T11:00:00.000Z', bytesTotal: Buffer.byteLength(bytes) }, clock.iso(), 'exporting');
      if (!ok) throw new Error(`share ${shareId} was not exporting`);
      const rec = repos.shares.get(shareId);
      if (!rec) throw new Error('share vanished');
      return rec;
    },
    cleanup: () => core.cleanup(),
  });
}
