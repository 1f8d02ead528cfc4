import { AppError, errorMessage } from '../core/errors.js';
import type { ShareControl } from '../core/ports.js';
import { inUploadQueue, isRevocable } from '../core/share-rules.js';
import type { Share } from '../core/types.js';
import { toShare, type ShareRecord } from '../db/repos/shares.js';
import type { UploadBaseDeps } from './ports.js';
import type { TusResponse } from './tus-client.js';
import type { Uploader } from './uploader.js';

export interface ShareControlDeps extends UploadBaseDeps {
  /** Absent when no platform is configured: then only never-uploaded shares can be revoked. */
  uploader?: Uploader;
}

/** Platform answers that mean the upload no longer exists there, which is what revocation wants. */
const GONE = new Set([200, 204, 404, 410]);

/**
 * Shares for the API, and revocation: cancel an upload in flight, send tus termination
 * (DELETE) for whatever reached the platform, record the platform's answer, mark the share
 * `revoked` and append a `revoked` ledger entry — the last two in one transaction.
 */
export class ShareService implements ShareControl {
  private readonly revoking = new Set<string>();

  constructor(private readonly deps: ShareControlDeps) {}

  list(): Share[] {
    return this.deps.repos.shares.list().map(toShare);
  }

  get(id: string): Share | undefined {
    const rec = this.deps.repos.shares.get(id);
    return rec && toShare(rec);
  }

  async revoke(id: string): Promise<Share> {
    const first = this.deps.repos.shares.get(id);
    if (!first) throw new AppError('SHARE_NOT_FOUND', `share ${id} not found`);
    if (!isRevocable(first.status)) throw new AppError('NOT_REVOCABLE', `share ${id} is ${first.status} and cannot be revoked`);
    if (this.revoking.has(id)) throw new AppError('NOT_REVOCABLE', `share ${id} is already being revoked`);
    this.revoking.add(id);
    const uploader = this.deps.uploader;
    try {
      // Stop the bytes first: nothing more may go out once the owner has withdrawn consent.
      await uploader?.hold(id);
      const rec = this.deps.repos.shares.get(id);
      if (!rec || !isRevocable(rec.status)) throw new AppError('NOT_REVOCABLE', `share ${id} changed while being revoked`);
      const answer = rec.uploadUrl ? await this.terminate(rec) : null;
      return this.commit(rec, answer);
    } finally {
      this.revoking.delete(id);
      uploader?.release(id);
    }
  }

  /** DELETE the upload; an answer other than "gone" leaves the share not revoked and is reported. */
  private async terminate(rec: ShareRecord): Promise<TusResponse> {
    const client = this.deps.uploader?.tusClient();
    if (!client || !rec.uploadUrl) {
      throw new AppError('UPLOAD_FAILED', `share ${rec.id} reached the platform but no platform is configured to revoke it`);
    }
    let res: TusResponse;
    try {
      res = await client.terminate(rec.uploadUrl);
    } catch (err) {
      this.stopPartial(rec, `revocation failed, platform unreachable: ${errorMessage(err)}; revoke again`);
      throw new AppError('UPLOAD_FAILED', `could not reach the community platform to revoke share ${rec.id}: ${errorMessage(err)}`);
    }
    if (!GONE.has(res.status)) {
      this.stopPartial(rec, `revocation refused by the platform (${res.status}); revoke again`);
      throw new AppError('UPLOAD_FAILED', `the community platform refused to revoke share ${rec.id} (${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''})`);
    }
    this.deps.log.info({ share: rec.id, status: res.status }, 'upload terminated on the platform');
    return res;
  }

  /** A half-sent share whose revocation failed must not resume uploading: park it as failed. */
  private stopPartial(rec: ShareRecord, error: string): void {
    if (!inUploadQueue(rec.status)) return;
    const { repos, clock, bus } = this.deps;
    if (repos.shares.update(rec.id, { status: 'failed', error, nextAttemptAt: null }, clock.iso(), rec.status)) {
      const updated = repos.shares.get(rec.id);
      if (updated) bus.emit('share.updated', { share: toShare(updated) });
    }
  }

  private commit(rec: ShareRecord, answer: TusResponse | null): Share {
    const { db, repos, clock, ledger, bus, log } = this.deps;
    const at = clock.iso();
    const response = answer ? JSON.stringify({ status: answer.status, body: answer.body.slice(0, 1000) }) : null;
    const ok = db.transaction(() => {
      if (!repos.shares.update(rec.id, { status: 'revoked', revokedAt: at, revokeResponse: response, nextAttemptAt: null }, at, rec.status)) return false;
      const clip = repos.clips.get(rec.clipId);
      ledger.append({
        action: 'revoked',
        clipId: rec.clipId,
        shareId: rec.id,
        sha256: clip?.sha256 ?? null,
        exportSha256: rec.sha256,
        requestId: rec.requestId ?? null,
        options: { platformStatus: answer?.status ?? null, wasStatus: rec.status },
      }, at);
      return true;
      // IMMEDIATE: the ledger's read-last-then-insert must not interleave with another writer.
    }).immediate();
    if (!ok) throw new AppError('NOT_REVOCABLE', `share ${rec.id} changed while being revoked`);
    const share = toShare(repos.shares.get(rec.id) ?? rec);
    log.info({ share: rec.id, platformStatus: answer?.status ?? null }, 'share revoked');
    bus.emit('share.revoked', { share });
    bus.emit('share.updated', { share });
    return share;
  }
}
