// An in-process recording stack (store + registry + assembler) on a temp data dir, wired exactly
// as app.ts wires it, so tests drive real ffmpeg against the RTSP test camera without the web UI.
import path from 'node:path';
import { pino } from 'pino';
import { CameraRegistry } from '../../../src/cameras/registry.js';
import { ClipAssembler } from '../../../src/clips/assembler.js';
import { ClipStore } from '../../../src/clips/store.js';
import { cameraSchema, type CameraConfig } from '../../../src/config/schema.js';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus, type EventMap } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import type { Clip } from '../../../src/core/types.js';
import { createRepos, openDatabase, type Db, type Repos } from '../../../src/db/index.js';
import type { Backoff } from '../../../src/media/supervisor.js';

export interface Rig {
  bus: EventBus;
  db: Db;
  repos: Repos;
  problems: Problems;
  store: ClipStore;
  cameras: CameraRegistry;
  assembler: ClipAssembler;
  dataDir: string;
  cacheDir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every event of a kind seen so far, oldest first. */
  seen<K extends keyof EventMap>(event: K): EventMap[K][];
  nextClip(timeoutMs: number): Promise<Clip>;
}

export function cameraConfig(input: unknown): CameraConfig {
  return cameraSchema.parse(input);
}

export function makeRig(opts: { dir: string; cameras: CameraConfig[]; backoff?: Backoff }): Rig {
  const log = pino({ level: process.env.CLIPGATE_TEST_LOG ?? 'silent' });
  const bus = new EventBus(log);
  const dataDir = path.join(opts.dir, 'data');
  const cacheDir = path.join(opts.dir, 'cache');
  const db = openDatabase(path.join(opts.dir, 'test.db'));
  const repos = createRepos(db);
  const problems = new Problems({ bus, clock: systemClock });
  const store = new ClipStore({ log, clock: systemClock, bus, clips: repos.clips, dataDir, clipsDir: path.join(dataDir, 'clips'), tmpDir: path.join(dataDir, 'tmp') });
  const cameras = new CameraRegistry({ log, clock: systemClock, bus, problems, cameras: repos.cameras, config: opts.cameras, cacheDir, backoff: opts.backoff });
  const assembler = new ClipAssembler({ log, clock: systemClock, bus, problems, store, cameras: opts.cameras, segments: cameras });
  const events = new Map<string, unknown[]>();
  for (const name of ['camera.status', 'camera.privacy', 'clip.created', 'motion.changed', 'problem.raised'] as const) {
    events.set(name, []);
    bus.on('test', name, (p) => void events.get(name)?.push(p));
  }
  return {
    bus, db, repos, problems, store, cameras, assembler, dataDir, cacheDir,
    async start() {
      await store.start();
      await cameras.start();
      await assembler.start();
    },
    async stop() {
      await assembler.stop();
      await cameras.stop();
      await store.stop();
      if (db.open) db.close();
    },
    seen: <K extends keyof EventMap>(event: K) => (events.get(event) ?? []) as EventMap[K][],
    nextClip(timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no clip.created within ${timeoutMs} ms; problems: ${JSON.stringify(problems.list())}`));
        }, timeoutMs);
        const off = bus.on('test-next', 'clip.created', (e) => {
          clearTimeout(timer);
          off();
          resolve(e.clip);
        });
      });
    },
  };
}

export async function waitUntil(what: string, fn: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
