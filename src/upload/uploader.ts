import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../core/backoff.js';
import type { Problems } from '../core/problems.js';
import type { Service } from '../core/service.js';
import { inUploadQueue } from '../core/share-rules.js';
import { toShare, type ShareRecord } from '../db/repos/shares.js';
import type { PlatformSettings, UploadBaseDeps } from './ports.js';
import { TusClient } from './tus-client.js';
import { UploadJob, type JobOutcome } from './upload-job.js';

export interface UploaderDeps extends UploadBaseDeps {
  problems: Problems;
  /** Read at start(): the demo fills in the URL of its in-process dev platform first. */
  settings: PlatformSettings;
  dataDir: string;
  backoff?: Partial<BackoffPolicy>;
  /** Safety-net poll for work the bus did not announce (e.g. shares queued before start). */
  pollIntervalMs?: number;
}

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

const OWNER = 'uploader';
export const AUTH_PROBLEM = 'platform.auth';
export const UNREACHABLE_PROBLEM = 'platform.unreachable';
/** After this many consecutive retries of one share the owner is told the platform is unreachable. */
const RETRIES_BEFORE_PROBLEM = 3;
/** The platform is shared by many homes: ±15 % jitter so a neighbourhood's power cut does not retry in lockstep. */
export const UPLOAD_BACKOFF: BackoffPolicy = { ...DEFAULT_BACKOFF, initialMs: 2_000, maxMs: 10 * 60_000, jitter: 0.3 };

/**
 * The upload queue. Its ONLY source of work is `repos.shares.listUploadable()`, which returns
 * nothing but shares with an approved clip and an `approved` ledger entry (invariant 1, enforced
 * in SQL). Work state lives in the shares table (status, upload URL, offset, attempts, next
 * attempt), so a restart picks up exactly where the last process stopped.
 */
export class Uploader implements Service {
  readonly name = 'uploader';
  private client: TusClient | undefined;
  private readonly active = new Map<string, Active>();
  /** Shares being revoked: never picked up, whatever the database says. */
  private readonly held = new Set<string>();
  private running = false;
  /** Set after a 401/403: no upload starts until the token is fixed and the daemon restarted. */
  private pausedReason: string | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: UploaderDeps) {}

  async start(): Promise<void> {
    const { settings, bus } = this.deps;
    if (!settings.url) throw new Error('uploader: no platform URL');
    this.client = new TusClient({ baseUrl: settings.url, token: settings.token, maxUploadKbps: settings.maxUploadKbps });
    this.running = true;
    bus.on(OWNER, 'share.updated', ({ share }) => {
      if (share.status === 'queued') this.kick();
    });
    this.pollTimer = setInterval(() => this.kick(), this.deps.pollIntervalMs ?? 30_000);
    this.kick();
  }

  /** Abort uploads in flight (they resume from the server's offset next start) and wait for them. */
  async stop(): Promise<void> {
    this.running = false;
    this.deps.bus.off(OWNER);
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    const pending = [...this.active.values()];
    for (const a of pending) a.controller.abort();
    await Promise.allSettled(pending.map((a) => a.done));
  }

  /** The tus client revocation uses (same URL and token as uploads). */
  tusClient(): TusClient | undefined {
    return this.client;
  }

  /** Cancel an upload in flight and keep the share from being picked up until release(). */
  async hold(shareId: string): Promise<void> {
    this.held.add(shareId);
    const a = this.active.get(shareId);
    if (a) {
      a.controller.abort();
      await a.done;
    }
  }

  release(shareId: string): void {
    this.held.delete(shareId);
  }

  isHeld(shareId: string): boolean {
    return this.held.has(shareId);
  }

  /** Start as many uploads as slots allow; cheap, safe to call often. */
  kick(): void {
    if (!this.running || this.pausedReason !== undefined) return;
    const now = this.deps.clock.now();
    let nextDue = Infinity;
    for (const share of this.deps.repos.shares.listUploadable()) {
      if (this.active.has(share.id) || this.held.has(share.id)) continue;
      const due = share.nextAttemptAt ? Date.parse(share.nextAttemptAt) : 0;
      if (due > now) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      if (this.active.size >= this.deps.settings.concurrency) break;
      this.launch(share);
    }
    this.armRetry(nextDue, now);
  }

  private armRetry(nextDue: number, now: number): void {
    clearTimeout(this.retryTimer);
    if (nextDue === Infinity) return;
    this.retryTimer = setTimeout(() => this.kick(), Math.max(0, nextDue - now) + 10);
  }

  private launch(share: ShareRecord): void {
    const controller = new AbortController();
    const client = this.client;
    if (!client) return;
    const job = new UploadJob({ ...this.deps, client }, share, controller.signal);
    const done = job
      .run()
      .then((outcome) => this.settle(share, outcome))
      .catch((err: unknown) => this.deps.log.error({ err, share: share.id }, 'upload bookkeeping failed'))
      .finally(() => {
        this.active.delete(share.id);
        this.kick();
      });
    this.active.set(share.id, { controller, done });
  }

  private settle(share: ShareRecord, outcome: JobOutcome): void {
    switch (outcome.kind) {
      case 'uploaded':
        this.deps.problems.clear(UNREACHABLE_PROBLEM);
        this.deps.problems.clear(`share.${share.id}`);
        return;
      case 'cancelled':
        return;
      case 'failed':
        this.fail(share, outcome.reason, outcome.status);
        return;
      case 'retry':
        this.scheduleRetry(share, outcome.reason);
        return;
    }
  }

  private fail(share: ShareRecord, reason: string, status: number | undefined): void {
    const { repos, clock, bus, problems, log } = this.deps;
    const current = repos.shares.get(share.id);
    if (!current || !inUploadQueue(current.status)) return;
    if (!repos.shares.update(share.id, { status: 'failed', error: reason, nextAttemptAt: null }, clock.iso(), current.status)) return;
    log.error({ share: share.id, status, reason }, 'upload failed');
    const rec = repos.shares.get(share.id);
    if (rec) bus.emit('share.updated', { share: toShare(rec) });
    if (status === 401 || status === 403) {
      // Every further upload would be refused the same way: stop here instead of hammering.
      this.pausedReason = reason;
      problems.raise(AUTH_PROBLEM, 'error', 'The community platform refused the token; uploads are paused', `${reason}. Fix platform.token and restart clipgate.`);
      return;
    }
    problems.raise(`share.${share.id}`, 'error', `Share ${share.id} could not be uploaded`, reason);
  }

  private scheduleRetry(share: ShareRecord, reason: string): void {
    const { repos, clock, bus, problems, log } = this.deps;
    const current = repos.shares.get(share.id);
    if (!current || !inUploadQueue(current.status)) return;
    // An attempt that moved the platform's offset forward was not a wasted one: start the backoff
    // over, so a flaky platform (every other request failing) does not push retries out to minutes.
    const progressed = current.bytesSent > share.bytesSent;
    const attempts = progressed ? 1 : current.attempts + 1;
    const delay = backoffDelay(attempts, this.deps.backoff ?? UPLOAD_BACKOFF);
    const nextAttemptAt = new Date(clock.now() + delay).toISOString();
    const error = `platform unreachable, retry ${attempts} in ${Math.round(delay / 1000)} s: ${reason}`;
    repos.shares.update(share.id, { attempts, nextAttemptAt, error }, clock.iso(), current.status);
    log.warn({ share: share.id, attempts, delayMs: delay, reason }, 'upload attempt failed; will retry');
    const rec = repos.shares.get(share.id);
    if (rec) bus.emit('share.updated', { share: toShare(rec) });
    if (attempts >= RETRIES_BEFORE_PROBLEM) {
      problems.raise(UNREACHABLE_PROBLEM, 'warning', 'The community platform is unreachable; uploads will be retried', reason);
    }
  }
}
