// The real inbox stack on a temp data dir: SQLite, clip store (ffprobe, thumbnails, fsync), the
// inbox service with chokidar. Only the timings are shortened.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { ClipStore } from '../../../src/clips/store.js';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus, type EventMap, type EventName } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import { createRepos, openDatabase, type Db, type Repos } from '../../../src/db/index.js';
import { InboxService } from '../../../src/inbox/service.js';
import { probeFile } from '../../../src/media/probe.js';

export interface InboxHarness {
  dataDir: string;
  inbox: string;
  db: Db;
  repos: Repos;
  bus: EventBus;
  problems: Problems;
  store: ClipStore;
  service: InboxService;
  events: { name: EventName; payload: unknown }[];
  stop(): Promise<void>;
}

export function inboxHarness(root: string, opts: { dataDir?: string; rescanMs?: number } = {}): InboxHarness {
  const dataDir = opts.dataDir ?? path.join(root, 'data');
  const inbox = path.join(root, 'inbox');
  for (const d of [dataDir, path.join(dataDir, 'clips'), path.join(dataDir, 'tmp'), inbox]) mkdirSync(d, { recursive: true });
  const log = pino({ level: process.env.CLIPGATE_TEST_LOG ?? 'silent' });
  const db = openDatabase(path.join(dataDir, 'clipgate.db'));
  const repos = createRepos(db);
  const bus = new EventBus(log);
  const events: { name: EventName; payload: unknown }[] = [];
  for (const name of ['clip.created', 'inbox.rejected', 'disk.full', 'problem.raised', 'problem.cleared'] as const) {
    bus.on('test', name, (payload: EventMap[typeof name]) => void events.push({ name, payload }));
  }
  const problems = new Problems({ bus, clock: systemClock });
  const store = new ClipStore({ log, clock: systemClock, bus, clips: repos.clips, dataDir, clipsDir: path.join(dataDir, 'clips'), tmpDir: path.join(dataDir, 'tmp') });
  const service = new InboxService({
    log,
    clock: systemClock,
    bus,
    problems,
    store,
    clips: repos.clips,
    probe: (file, signal) => probeFile(file, { signal }),
    stagingDir: path.join(dataDir, 'tmp', 'inbox'),
    cameras: [{ id: 'garden', inbox }],
    // 4 unchanged looks 500 ms apart: a writer pausing 400 ms between chunks is never taken as done.
    tuning: { pollMs: 500, stablePolls: 4, probeAttempts: 2 },
    rescanMs: opts.rescanMs ?? 600_000,
  });
  return {
    dataDir, inbox, db, repos, bus, problems, store, service, events,
    async stop() {
      await service.stop();
      await store.stop();
      if (db.open) db.close();
    },
  };
}
