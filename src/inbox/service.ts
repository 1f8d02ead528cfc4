import { setMaxListeners } from 'node:events';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { EventBus } from '../core/events.js';
import type { Problems } from '../core/problems.js';
import type { Service } from '../core/service.js';
import { DISK_FULL_PROBLEM, reportIfDiskFull } from '../core/disk-full.js';
import { Ingester, type IngestDeps, type IngestOutcome, type InboxTuning } from './ingest.js';
import { moveToRejected } from './reject.js';
import { DEFAULT_MAX_INBOX_BYTES, InboxRejection, isIgnoredName, isWatchable } from './rules.js';

export const DEFAULT_TUNING: InboxTuning = { maxBytes: DEFAULT_MAX_INBOX_BYTES, pollMs: 1_000, stablePolls: 3, probeAttempts: 2 };
/** Failures on our side (not the file's, not disk full) before a drop is set aside as `ingest-failed`. */
const MAX_ATTEMPTS = 5;

export interface InboxCamera {
  id: string;
  inbox: string;
}

export interface InboxServiceDeps extends Omit<IngestDeps, 'tuning'> {
  bus: EventBus;
  problems: Problems;
  cameras: InboxCamera[];
  tuning?: Partial<InboxTuning>;
  /** Full re-read of every inbox: catches events the watcher missed and retries deferred drops. */
  rescanMs?: number;
  /** For inboxes on network mounts (SMB/NFS) where inotify sees nothing. */
  usePolling?: boolean;
}

/**
 * Watches each camera's inbox folder (chokidar) and ingests what cameras drop there. Entries
 * wait for their upload to finish in parallel; probing, remuxing and storing happen one at a
 * time. Nothing a camera drops can stop the daemon: every entry ends as a clip, in
 * `.rejected/` with a reason, or left in place to retry (disk full, our own failures).
 */
export class InboxService implements Service {
  readonly name = 'inbox';
  private readonly ingester: Ingester;
  private readonly watchers: FSWatcher[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly attempts = new Map<string, number>();
  private readonly abort = new AbortController();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: InboxServiceDeps) {
    this.ingester = new Ingester({ ...deps, tuning: { ...DEFAULT_TUNING, ...deps.tuning } });
    // One signal is shared by every wait in progress (dozens of drops at once), by design.
    setMaxListeners(0, this.abort.signal);
  }

  async start(): Promise<void> {
    // Staged files of a previous run were never committed: their originals are still in the inbox.
    await rm(this.deps.stagingDir, { recursive: true, force: true });
    await mkdir(this.deps.stagingDir, { recursive: true });
    for (const cam of this.deps.cameras) await this.watchCamera(cam);
    this.deps.bus.on(this.name, 'problem.cleared', ({ id }) => {
      if (id === DISK_FULL_PROBLEM) void this.rescan();
    });
    this.timer = setInterval(() => void this.rescan(), this.deps.rescanMs ?? 60_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    clearInterval(this.timer);
    this.deps.bus.off(this.name);
    await Promise.allSettled(this.watchers.map((w) => w.close()));
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Resolves when nothing is being looked at; for tests and orderly shutdown. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Look at every entry of every inbox again. */
  async rescan(): Promise<void> {
    for (const cam of this.deps.cameras) {
      let names: string[];
      try {
        names = await readdir(cam.inbox);
      } catch (err) {
        this.deps.log.warn({ err, camera: cam.id, inbox: cam.inbox }, 'cannot read inbox folder');
        continue;
      }
      for (const name of names) if (!isIgnoredName(name)) this.consider(cam, path.join(cam.inbox, name));
    }
  }

  private async watchCamera(cam: InboxCamera): Promise<void> {
    const problemId = `inbox.${cam.id}`;
    try {
      await mkdir(cam.inbox, { recursive: true });
    } catch (err) {
      this.deps.problems.raise(problemId, 'error', `Inbox of ${cam.id} is not usable`, `${cam.inbox}: ${(err as Error).message}`);
      return;
    }
    const root = path.resolve(cam.inbox);
    const watcher = watch(root, {
      depth: 0,
      followSymlinks: false,
      ignoreInitial: false,
      usePolling: this.deps.usePolling ?? false,
      ignored: (p: string) => !isWatchable(root, path.resolve(p)),
    });
    // Existing files arrive as `add` events too: drops made while the daemon was down are ingested.
    watcher.on('add', (file) => this.consider(cam, path.resolve(file)));
    watcher.on('addDir', (dir) => {
      if (path.resolve(dir) !== root) this.consider(cam, path.resolve(dir));
    });
    watcher.on('error', (err) => {
      this.deps.log.warn({ err, camera: cam.id }, 'inbox watcher error');
      this.deps.problems.raise(problemId, 'warning', `Inbox of ${cam.id} reported an error`, String(err));
    });
    this.watchers.push(watcher);
    this.deps.problems.clear(problemId);
  }

  private consider(cam: InboxCamera, file: string): void {
    if (this.stopped || this.inFlight.has(file)) return;
    const work = this.process(cam, file)
      .catch((err: unknown) => this.deps.log.error({ err, camera: cam.id, file }, 'inbox entry failed unexpectedly'))
      .finally(() => this.inFlight.delete(file));
    this.inFlight.set(file, work);
  }

  private async process(cam: InboxCamera, file: string): Promise<void> {
    const signal = this.abort.signal;
    const settled = await this.ingester.settle(file, signal);
    if ('kind' in settled) return this.conclude(cam, file, settled);
    // One at a time: ffprobe, ffmpeg and hashing compete with recording for a Pi's cores.
    const run = this.chain.then(() => (this.stopped ? undefined : this.ingester.ingest(cam.id, file, signal)));
    this.chain = run.catch(() => undefined);
    const outcome = await run;
    if (outcome) await this.conclude(cam, file, outcome);
  }

  private async conclude(cam: InboxCamera, file: string, outcome: IngestOutcome): Promise<void> {
    if (outcome.kind === 'ingested' || outcome.kind === 'gone') {
      this.attempts.delete(file);
      return;
    }
    if (outcome.kind === 'rejected') return this.reject(cam, file, outcome.rejection);
    if (this.stopped) return;
    if (outcome.diskFull) {
      // The full disk is the data disk (staging, clip store), not necessarily the inbox's.
      reportIfDiskFull(this.deps.bus, this.deps.clock, new Error(outcome.error), `inbox ${cam.id}`, this.deps.stagingDir);
      this.deps.log.warn({ camera: cam.id, file, error: outcome.error }, 'inbox drop left in place: disk full');
      return;
    }
    const n = (this.attempts.get(file) ?? 0) + 1;
    this.attempts.set(file, n);
    this.deps.log.warn({ camera: cam.id, file, attempt: n, error: outcome.error }, 'inbox drop could not be ingested; will retry');
    if (n >= MAX_ATTEMPTS) await this.reject(cam, file, new InboxRejection('ingest-failed', `failed ${n} times: ${outcome.error}`));
  }

  private async reject(cam: InboxCamera, file: string, rejection: InboxRejection): Promise<void> {
    this.attempts.delete(file);
    const at = this.deps.clock.iso();
    try {
      const moved = await moveToRejected(cam.inbox, file, rejection, at);
      this.deps.log.warn({ camera: cam.id, file: path.basename(file), reason: rejection.code, detail: rejection.message, movedTo: moved.file }, 'inbox drop rejected');
      this.deps.bus.emit('inbox.rejected', { cameraId: cam.id, file: path.basename(file), reason: rejection.code, at });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      reportIfDiskFull(this.deps.bus, this.deps.clock, err, `inbox ${cam.id}`, cam.inbox);
      this.deps.log.error({ err, camera: cam.id, file }, 'could not move a refused inbox drop aside');
    }
  }
}
