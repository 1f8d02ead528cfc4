// The real inbox stack on a temp data dir, built by the features' own factories: the core
// (SQLite), the recording feature's clip store (ffprobe, thumbnails, fsync) and the inbox service
// with chokidar. Only the timings are shortened.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRecording } from '../../../src/cameras/index.js';
import type { ClipStore } from '../../../src/clips/store.js';
import type { EventBus, EventMap, EventName } from '../../../src/core/events.js';
import type { Problems } from '../../../src/core/problems.js';
import type { Db, Repos } from '../../../src/db/index.js';
import { createInbox } from '../../../src/inbox/index.js';
import type { InboxService } from '../../../src/inbox/service.js';
import { makeCore } from '../../support/core.js';

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

export interface InboxHarnessOptions {
  dataDir?: string;
  rescanMs?: number;
  /** The camera's inbox.settleSeconds (default 2); 'default' writes the plain-string config form, whose window is 10 s. */
  settleSeconds?: number | 'default';
}

export function inboxHarness(root: string, opts: InboxHarnessOptions = {}): InboxHarness {
  const inbox = path.join(root, 'inbox');
  mkdirSync(inbox, { recursive: true });
  const core = makeCore({ dir: root, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), config: { cameras: [{ id: 'garden', inbox: opts.settleSeconds === 'default' ? inbox : { path: inbox, settleSeconds: opts.settleSeconds ?? 2 } }] } });
  const { db, repos, bus, problems } = core;
  const dataDir = core.paths.dataDir;
  const events: { name: EventName; payload: unknown }[] = [];
  for (const name of ['clip.created', 'inbox.rejected', 'disk.full', 'problem.raised', 'problem.cleared'] as const) {
    bus.on('test', name, (payload: EventMap[typeof name]) => void events.push({ name, payload }));
  }
  const { store } = createRecording(core);
  const service = createInbox(core, store, {
    // A 2 s window by default (looks every 500 ms): a writer pausing 400 ms between chunks is never taken as done.
    tuning: { pollMs: 500, probeAttempts: 2 },
    rescanMs: opts.rescanMs ?? 600_000,
  });
  if (!service) throw new Error('the inbox camera was not configured');
  return {
    dataDir, inbox, db, repos, bus, problems, store, service, events,
    async stop() {
      await service.stop();
      await store.stop();
      core.cleanup();
    },
  };
}
