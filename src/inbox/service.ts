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
import { Slots } from './slots.js';

export const DEFAULT_TUNING: InboxTuning = { maxBytes: DEFAULT_MAX_INBOX_BYTES, pollMs: 1_000, probeAttempts: 2 };
/** Failures on our side (not the file's, not disk full) before a drop is set aside as `ingest-failed`. */
const MAX_ATTEMPTS = 5;
/**
 * Drops held open at once (each through its stability window). A flood of files waits its turn
 * instead of using up the daemon's file descriptors, which its sockets need too.
 */
const MAX_OPEN_DROPS = 32;
/** Pause before an entry whose name changed under us is looked at again. */
const AGAIN_DELAY_MS = 500;

export interface InboxCamera {
  id: string;
  inbox: string;
  /** Size and mtime must stay unchanged this long before a drop counts as finished. */
  settleMs: number;
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
  private readonly slots = new Slots(MAX_OPEN_DROPS);
  /** Entries to look at again shortly (their name changed under us); cleared on stop. */
  private readonly again = new Set<NodeJS.Timeout>();
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
    for (const t of this.again) clearTimeout(t);
    this.again.clear();
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
    let again = false;
    const work = this.process(cam, file)
      .then((outcome) => void (again = outcome?.kind === 'again'))
      .catch((err: unknown) => this.deps.log.error({ err, camera: cam.id, file }, 'inbox entry failed unexpectedly'))
      .finally(() => {
        this.inFlight.delete(file);
        // The name now leads to another file (or the upload went on): that entry starts from
        // scratch, after a pause, so an uploader renaming in a loop cannot make the inbox spin.
        if (again) this.considerLater(cam, file);
      });
    this.inFlight.set(file, work);
  }

  private considerLater(cam: InboxCamera, file: string): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.again.delete(timer);
      this.consider(cam, file);
    }, AGAIN_DELAY_MS);
    this.again.add(timer);
  }

  private async process(cam: InboxCamera, file: string): Promise<IngestOutcome | undefined> {
    const signal = this.abort.signal;
    const release = await this.slots.acquire(signal).catch(() => undefined);
    if (!release) return undefined;
    try {
      const settled = await this.ingester.settle(file, cam.settleMs, signal);
      if ('kind' in settled) {
        await this.conclude(cam, file, settled);
        return settled;
      }
      // One at a time: ffprobe, ffmpeg and hashing compete with recording for a Pi's cores.
      const run = this.chain.then(async () => {
        if (!this.stopped) return this.ingester.ingest(cam.id, settled, cam.settleMs, signal);
        await settled.drop.close();
        return undefined;
      });
      this.chain = run.catch(() => undefined);
      const outcome = await run;
      if (outcome) await this.conclude(cam, file, outcome);
      return outcome;
    } finally {
      release();
    }
  }

  private async conclude(cam: InboxCamera, file: string, outcome: IngestOutcome): Promise<void> {
    if (outcome.kind === 'ingested' || outcome.kind === 'gone') {
      this.attempts.delete(file);
      if (outcome.kind === 'gone') this.deps.log.info({ camera: cam.id, file: path.basename(file) }, 'inbox drop vanished before it was stored; nothing kept');
      return;
    }
    if (outcome.kind === 'again') {
      this.deps.log.info({ camera: cam.id, file: path.basename(file), why: outcome.why }, 'inbox drop changed; looking at it again');
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
