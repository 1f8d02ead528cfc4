// The recording feature in-process (store + registry + assembler + ONVIF wiring) on a temp data
// dir, built by its own factory exactly as app.ts builds it, so tests drive real ffmpeg against
// the RTSP test camera without the web UI.
import { createRecording } from '../../../src/cameras/index.js';
import type { CameraRegistry } from '../../../src/cameras/registry.js';
import type { ClipAssembler } from '../../../src/clips/assembler.js';
import type { ClipStore } from '../../../src/clips/store.js';
import { cameraSchema, type CameraConfig } from '../../../src/config/schema.js';
import type { EventBus, EventMap } from '../../../src/core/events.js';
import type { Problems } from '../../../src/core/problems.js';
import type { Clip } from '../../../src/core/types.js';
import type { Db, Repos } from '../../../src/db/index.js';
import type { RestartPolicy } from '../../../src/media/supervisor.js';
import { makeCore } from '../../support/core.js';

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

/** `dir` is kept on stop, so a second rig on the same dir sees the first one's data (a restart). */
export function makeRig(opts: { dir: string; cameras: CameraConfig[]; backoff?: RestartPolicy }): Rig {
  const core = makeCore({ dir: opts.dir, config: { cameras: opts.cameras } });
  const { bus, problems } = core;
  const rec = createRecording(core, opts.backoff ? { backoff: opts.backoff } : {});
  const events = new Map<string, unknown[]>();
  for (const name of ['camera.status', 'camera.privacy', 'clip.created', 'motion.changed', 'problem.raised'] as const) {
    events.set(name, []);
    bus.on('test', name, (p) => void events.get(name)?.push(p));
  }
  return {
    bus, db: core.db, repos: core.repos, problems, store: rec.store, cameras: rec.cameras, assembler: rec.assembler,
    dataDir: core.paths.dataDir, cacheDir: core.paths.cacheDir,
    async start() {
      for (const { service } of rec.services) await service.start();
    },
    async stop() {
      for (const { service } of [...rec.services].reverse()) await service.stop();
      core.cleanup();
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
