import { AppError, errorMessage } from '../core/errors.js';
import type { ShareControl } from '../core/ports.js';
import type { Service } from '../core/service.js';
import { inUploadQueue, isBeforeSend, isCancellable, isRevocable } from '../core/share-rules.js';
import type { Share } from '../core/types.js';
import { toShare, type ShareRecord } from '../db/repos/shares.js';
import type { UploadBaseDeps } from './ports.js';
import type { Uploader } from './uploader.js';
import { acknowledgedBytes, cancelUnsent, commitRevoked, commitWithdrawn, consentGiven, park, terminate, type WithdrawDeps } from './withdraw.js';

export interface ShareControlDeps extends UploadBaseDeps {
  dataDir: string;
  /** This process's uploader; absent without a platform, and in CLI commands. */
  uploader?: Uploader;
  /**
   * Another process (the daemon) owns the uploads: a share it may be sending right now is not
   * withdrawn here but asked for (cancel_requested_at), and the daemon carries it out.
   */
  uploadsElsewhere?: boolean;
  /** How often the daemon looks for withdrawals asked for by the CLI. Default 1 s. */
  requestPollMs?: number;
}

export type WithdrawVia = 'cancel' | 'revoke';

/**
 * Shares for the API and the CLI, and the end of consent: cancel and revoke both run the one
 * rule of withdraw.ts, and differ only in the statuses they accept (core/share-rules.ts).
 */
export class ShareService implements ShareControl, Service {
  readonly name = 'shares';
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ShareControlDeps) {}

  /** With an uploader: carry out withdrawals the CLI asked for while this daemon runs. */
  async start(): Promise<void> {
    if (!this.deps.uploader) return;
    this.timer = setInterval(() => this.carryOutRequests(), this.deps.requestPollMs ?? 1_000);
    this.carryOutRequests();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  list(): Share[] {
    return this.deps.repos.shares.list().map(toShare);
  }

  get(id: string): Share | undefined {
    const rec = this.deps.repos.shares.get(id);
    return rec && toShare(rec);
  }

  async cancel(id: string): Promise<Share> {
    const rec = this.require(id);
    if (!isCancellable(rec.status)) throw new AppError('NOT_CANCELLABLE', `share ${id} is ${rec.status}; ${rec.status === 'uploaded' || rec.status === 'failed' ? 'revoke it instead' : 'there is nothing to cancel'}`);
    return this.withdraw(id, 'cancel');
  }

  async revoke(id: string): Promise<Share> {
    const rec = this.require(id);
    if (!isRevocable(rec.status)) {
      throw new AppError('NOT_REVOCABLE', `share ${id} is ${rec.status} and cannot be revoked${isCancellable(rec.status) ? '; it has not been sent: cancel it instead' : ''}`);
    }
    return this.withdraw(id, 'revoke');
  }

  private require(id: string): ShareRecord {
    const rec = this.deps.repos.shares.get(id);
    if (!rec) throw new AppError('SHARE_NOT_FOUND', `share ${id} not found`);
    return rec;
  }

  private async withdraw(id: string, via: WithdrawVia): Promise<Share> {
    const code = via === 'cancel' ? 'NOT_CANCELLABLE' : 'NOT_REVOCABLE';
    if (this.busy.has(id)) throw new AppError(code, `share ${id} is already being withdrawn`);
    this.busy.add(id);
    try {
      // The exporter may move the share on (exporting → ready → queued) while we decide: re-read and decide again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const rec = this.require(id);
        const done = await this.withdrawOnce(rec, via);
        if (done) return done;
      }
      throw new AppError(code, `share ${id} kept changing while being withdrawn; try again`);
    } finally {
      this.busy.delete(id);
    }
  }

  /** One attempt; undefined when the share changed under it (the caller re-reads and decides again). */
  private async withdrawOnce(rec: ShareRecord, via: WithdrawVia): Promise<Share | undefined> {
    if (!isCancellable(rec.status) && !isRevocable(rec.status)) {
      throw new AppError(via === 'cancel' ? 'NOT_CANCELLABLE' : 'NOT_REVOCABLE', `share ${rec.id} is ${rec.status}`);
    }
    if (isBeforeSend(rec.status) || !consentGiven(this.deps, rec)) return cancelUnsent(this.wdeps(), rec);
    if (!this.deps.uploader && this.deps.uploadsElsewhere && inUploadQueue(rec.status)) return this.requestOrCancel(rec, via);
    const uploader = this.deps.uploader;
    if (inUploadQueue(rec.status)) this.deps.repos.shares.update(rec.id, { cancelRequestedAt: rec.cancelRequestedAt ?? this.deps.clock.iso() }, this.deps.clock.iso());
    // Stop the bytes first: nothing more may go out once the owner has withdrawn consent.
    await uploader?.hold(rec.id);
    try {
      const current = this.require(rec.id);
      if (!isCancellable(current.status) && !isRevocable(current.status)) return toShare(current);
      return await this.decide(current, via);
    } finally {
      uploader?.release(rec.id);
    }
  }

  /** The upload is stopped: withdrawn (0 bytes acknowledged) or revoked (bytes left). */
  private async decide(rec: ShareRecord, via: WithdrawVia): Promise<Share | undefined> {
    const deps = this.wdeps();
    try {
      const acked = await acknowledgedBytes(deps, rec);
      if (acked.bytes === 0) {
        // An upload created on the platform holds its metadata (time, caption): delete it too.
        const answer = rec.uploadUrl && !acked.gone ? await terminate(deps, rec) : null;
        return await commitWithdrawn(deps, rec, answer, via);
      }
      const answer = rec.uploadUrl ? await terminate(deps, rec) : null;
      return commitRevoked(deps, rec, answer, acked.bytes);
    } catch (err) {
      if (err instanceof AppError) park(deps, rec, `withdrawal could not finish: ${err.message}; withdraw again`);
      throw err;
    }
  }

  /**
   * In a CLI command while the daemon owns the uploads: a queued share the daemon has not
   * picked up (no upload URL) is withdrawn here by compare-and-set — if the daemon takes it
   * first the set fails and this becomes a request. Otherwise the withdrawal is asked for
   * (the share leaves the upload queue's SQL at once) and the daemon carries it out.
   */
  private async requestOrCancel(rec: ShareRecord, via: WithdrawVia): Promise<Share | undefined> {
    if (rec.status === 'queued' && !rec.uploadUrl) {
      const done = await commitWithdrawn(this.wdeps(), rec, null, via);
      if (done) return done;
    }
    const { repos, clock, log } = this.deps;
    const current = this.require(rec.id);
    if (!inUploadQueue(current.status)) return undefined;
    if (current.cancelRequestedAt === null) repos.shares.update(current.id, { cancelRequestedAt: clock.iso() }, clock.iso());
    log.info({ share: current.id }, 'withdrawal requested; the daemon carries it out');
    return toShare(this.require(current.id));
  }

  /** The daemon's side of requestOrCancel: withdraw every share the CLI asked for. */
  private carryOutRequests(): void {
    let requested: ShareRecord[];
    try {
      requested = this.deps.repos.shares.listCancelRequested();
    } catch (err) {
      this.deps.log.error({ err }, 'could not read requested withdrawals');
      return;
    }
    for (const rec of requested) {
      if (this.busy.has(rec.id)) continue;
      this.withdraw(rec.id, 'cancel').catch((err: unknown) => this.deps.log.warn({ share: rec.id, err: errorMessage(err) }, 'requested withdrawal failed'));
    }
  }

  private wdeps(): WithdrawDeps {
    const client = this.deps.uploader?.tusClient();
    return { ...this.deps, ...(client ? { client } : {}) };
  }
}
