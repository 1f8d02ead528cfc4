import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { ApproveInput, ReviewControl } from '../core/ports.js';
import { isClipDeletable, isRetryable, isSendable } from '../core/share-rules.js';
import type { Clip, Region, Share, ShareOptions } from '../core/types.js';
import type { Db, Repos } from '../db/index.js';
import { toClip, type ClipRecord } from '../db/repos/clips.js';
import { toShare, type ShareRecord } from '../db/repos/shares.js';
import type { Ledger } from '../ledger/index.js';
import { analysisPath, readAnalysisSync } from '../detect/store.js';
import { recordConsent } from './consent.js';
import { parseStoredOptions, resolveOptions, toShareOptions, type AnalysisRef } from './options.js';

export interface ReviewDeps {
  db: Db;
  repos: Repos;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  config: Pick<Config, 'cameras' | 'retention' | 'review'>;
  dataDir: string;
  ledger: Ledger;
  /** Called after an approval or retry committed; the export worker starts the export. */
  onExportQueued?: (shareId: string) => void;
}

/**
 * The review state machine: pending → approved (prepares the Share: exporting → ready) or
 * rejected; Send on a ready share is the consent (ledger `approved` naming the export's hash);
 * any clip can be deleted unless its share is busy. Every transition is a compare-and-set inside
 * one IMMEDIATE transaction together with its ledger entry, so two approvals (or two Sends)
 * racing, in this process or from the CLI, take effect exactly once.
 */
export class ReviewService implements ReviewControl {
  constructor(private readonly deps: ReviewDeps) {}

  /**
   * Prepare a share: the clip is taken out of the pending list and its export starts. Nothing is
   * recorded in the ledger: that happens at Send, when the owner has seen the export. With
   * `send` (or `review.preview: false`) the exporter sends it as soon as it is done.
   */
  approve(clipId: string, input: ApproveInput, opts: { send?: boolean } = {}): Share {
    const { db, repos, clock, config } = this.deps;
    const at = clock.iso();
    const sendOnExport = opts.send === true || !config.review.preview;
    const tx = db.transaction(() => {
      const clip = this.requireClip(clipId, 'NOT_APPROVABLE');
      if (clip.status !== 'pending') throw new AppError('NOT_APPROVABLE', `clip ${clipId} is already ${clip.status}; only a pending clip can be approved`);
      if (clip.fileDeletedAt) throw new AppError('CLIP_FILE_GONE', `the file of clip ${clipId} has been deleted`);
      const options = resolveOptions(input, clip, this.privacyMasks(clip.cameraId), this.analysisRef(clip));
      if (!repos.clips.transition(clipId, 'pending', 'approved', at)) throw new AppError('NOT_APPROVABLE', `clip ${clipId} is no longer pending`);
      const shareId = randomUUID();
      repos.shares.insert({ id: shareId, clipId, status: 'exporting', optionsJson: JSON.stringify(options), requestId: options.requestId ?? null, createdAt: at, sendOnExport });
      return { clip: this.mustClip(clipId), share: this.mustShare(shareId) };
    });
    const { clip, share } = tx.immediate();
    this.deps.log.info({ clipId, shareId: share.id, sendOnExport }, 'clip approved');
    this.deps.bus.emit('clip.updated', { clip: toClip(clip) });
    this.deps.bus.emit('share.created', { share: toShare(share) });
    this.deps.onExportQueued?.(share.id);
    return toShare(share);
  }

  /**
   * The owner's consent to send exactly the export they previewed: the `approved` ledger entry
   * naming its SHA-256 and the share's move to `queued`, in one transaction. The uploader then
   * re-hashes the file and refuses it if it is not those bytes.
   */
  send(shareId: string, opts: { confirmFaces?: boolean } = {}): Share {
    const { repos, clock, ledger } = this.deps;
    const at = clock.iso();
    const confirmFaces = opts.confirmFaces === true;
    const share = ledger.write(() => {
      const rec = repos.shares.get(shareId);
      if (!rec) throw new AppError('SHARE_NOT_FOUND', `no share ${shareId}`);
      if (!isSendable(rec.status)) throw new AppError('NOT_SENDABLE', `share ${shareId} is ${rec.status}; only a share whose export is ready can be sent`);
      const clip = repos.clips.get(rec.clipId);
      if (!clip || clip.status !== 'approved') throw new AppError('NOT_SENDABLE', `the clip of share ${shareId} is no longer approved`);
      const check = rec.verification;
      if (check && (check.status === 'faces' || check.status === 'failed') && !confirmFaces) {
        const what = check.status === 'faces'
          ? `the face check still finds ${check.found} face detection(s) at or above ${check.threshold} in the export (first at ${check.findings[0]?.t ?? 0} s)`
          : `the face check of the export could not run (${check.error ?? 'unknown error'})`;
        throw new AppError('FACES_REMAIN', `${what}; cancel and approve again with a blur for them, or send with confirmFaces: true to share them as they are`);
      }
      if (!recordConsent({ repos, ledger }, rec, clip, 'ready', 'preview', at, confirmFaces)) throw new AppError('NOT_SENDABLE', `share ${shareId} has no export to send`);
      return this.mustShare(shareId);
    });
    this.deps.log.info({ shareId, clipId: share.clipId, exportSha256: share.sha256, facesConfirmed: share.verification?.confirmedAt !== undefined }, 'share sent');
    this.deps.bus.emit('share.updated', { share: toShare(share) });
    return toShare(share);
  }

  reject(clipId: string): Clip {
    const { repos, clock, ledger, config } = this.deps;
    const at = clock.iso();
    const deleteNow = config.retention.rejectedDays === 0;
    const clip = ledger.write(() => {
      const clip = this.requireClip(clipId, 'NOT_REJECTABLE');
      if (clip.status !== 'pending') throw new AppError('NOT_REJECTABLE', `clip ${clipId} is already ${clip.status}; only a pending clip can be rejected`);
      if (!repos.clips.transition(clipId, 'pending', 'rejected', at)) throw new AppError('NOT_REJECTABLE', `clip ${clipId} is no longer pending`);
      ledger.append({ action: 'rejected', clipId, sha256: clip.sha256 }, at);
      if (deleteNow) repos.clips.markFileDeleted(clipId, at);
      return this.mustClip(clipId);
    });
    // Files go only after the commit: a crash in between leaves an orphan file, never a clip row without its file.
    if (deleteNow) this.removeFiles([clip.filePath, clip.thumbPath, analysisPath(clip.filePath)]);
    this.deps.log.info({ clipId, filesDeleted: deleteNow }, 'clip rejected');
    this.deps.bus.emit('clip.updated', { clip: toClip(clip) });
    return toClip(clip);
  }

  delete(clipId: string): void {
    const { repos, clock, ledger } = this.deps;
    const at = clock.iso();
    const { clip, share } = ledger.write(() => {
      const clip = repos.clips.get(clipId);
      if (!clip) throw new AppError('CLIP_NOT_FOUND', `no clip ${clipId}`);
      const share = repos.shares.getByClip(clipId);
      if (share && !isClipDeletable(share.status)) {
        throw new AppError('NOT_DELETABLE', `clip ${clipId} has a share that is ${share.status}; cancel it (or wait for its upload to finish) before deleting`);
      }
      repos.clips.markDeleted(clipId, at);
      // Without an export path the upload side can never pick the share up again.
      if (share?.exportPath) repos.shares.update(share.id, { exportPath: null }, at);
      ledger.append({ action: 'deleted', clipId, shareId: share?.id ?? null, sha256: clip.sha256, exportSha256: share?.sha256 ?? null, requestId: share?.requestId ?? null }, at);
      return { clip, share };
    });
    this.removeFiles([clip.filePath, clip.thumbPath, analysisPath(clip.filePath), share?.exportPath]);
    this.deps.log.info({ clipId }, 'clip deleted');
    this.deps.bus.emit('clip.deleted', { clipId, cameraId: clip.cameraId, reason: 'deleted by the owner', at });
  }

  /** Re-run a failed export (not a failed upload: that share already has its export). */
  retryExport(shareId: string): Share {
    const { db, repos, clock } = this.deps;
    const at = clock.iso();
    const tx = db.transaction(() => {
      const share = repos.shares.get(shareId);
      if (!share) throw new AppError('SHARE_NOT_FOUND', `no share ${shareId}`);
      if (!isRetryable(share.status) || share.sha256 !== null) throw new AppError('NOT_RETRYABLE', `share ${shareId} is ${share.status}; only a failed export can be retried`);
      const clip = repos.clips.get(share.clipId);
      if (!clip || clip.fileDeletedAt) throw new AppError('NOT_RETRYABLE', `the clip of share ${shareId} has been deleted`);
      if (!repos.shares.update(shareId, { status: 'exporting', error: null }, at, share.status)) throw new AppError('NOT_RETRYABLE', `share ${shareId} changed meanwhile`);
      return this.mustShare(shareId);
    });
    const share = tx.immediate();
    this.deps.bus.emit('share.updated', { share: toShare(share) });
    this.deps.onExportQueued?.(shareId);
    return toShare(share);
  }

  /**
   * The owner's "try again" for a failed share: a failed export is exported again; a failed
   * upload (its export and SHA-256 exist) goes back to the upload queue with a fresh backoff.
   * Only a share that came out of an approval can be failed, so this opens no new path out.
   */
  retry(shareId: string): Share {
    const rec = this.deps.repos.shares.get(shareId);
    if (!rec) throw new AppError('SHARE_NOT_FOUND', `no share ${shareId}`);
    if (isRetryable(rec.status) && rec.sha256 === null) return this.retryExport(shareId);
    const { db, repos, clock, bus } = this.deps;
    const at = clock.iso();
    const share = db
      .transaction(() => {
        const current = repos.shares.get(shareId);
        if (!current || !isRetryable(current.status)) throw new AppError('NOT_RETRYABLE', `share ${shareId} is ${current?.status ?? 'gone'}; only a failed share can be retried`);
        if (!current.exportPath || !existsSync(path.resolve(this.deps.dataDir, current.exportPath))) {
          throw new AppError('NOT_RETRYABLE', `the export of share ${shareId} is gone (deleted by retention); approve the clip again is not possible, revoke it instead`);
        }
        repos.shares.update(shareId, { status: 'queued', error: null, attempts: 0, nextAttemptAt: null }, at, current.status);
        return this.mustShare(shareId);
      })
      .immediate();
    this.deps.log.info({ share: shareId }, 'failed upload queued again');
    bus.emit('share.updated', { share: toShare(share) });
    return toShare(share);
  }

  options(share: Share): ShareOptions {
    const rec = this.deps.repos.shares.get(share.id);
    if (!rec) throw new AppError('SHARE_NOT_FOUND', `no share ${share.id}`);
    return toShareOptions(parseStoredOptions(rec.optionsJson));
  }

  /** A soft-deleted clip is invisible to ClipsRepo.get; the ledger tells it apart from one that never existed. */
  private requireClip(clipId: string, codeIfDeleted: 'NOT_APPROVABLE' | 'NOT_REJECTABLE'): ClipRecord {
    const clip = this.deps.repos.clips.get(clipId);
    if (clip) return clip;
    if (this.deps.repos.ledger.hasAction(clipId, 'deleted')) throw new AppError(codeIfDeleted, `clip ${clipId} has been deleted`);
    throw new AppError('CLIP_NOT_FOUND', `no clip ${clipId}`);
  }

  /** The clip's stored analysis (face tracks for the approval's default), if it has a usable one. */
  private analysisRef(clip: ClipRecord): AnalysisRef | null {
    if (clip.analysis !== 'done') return null;
    const a = readAnalysisSync(path.resolve(this.deps.dataDir, clip.filePath));
    return a ? { analysedAt: a.analysedAt, trackIds: a.tracks.map((t) => t.id) } : null;
  }

  private privacyMasks(cameraId: string): Region[] {
    return this.deps.config.cameras.find((c) => c.id === cameraId)?.privacyMasks ?? [];
  }

  private mustClip(id: string): ClipRecord {
    const c = this.deps.repos.clips.get(id);
    if (!c) throw new Error(`clip ${id} vanished inside its transaction`);
    return c;
  }

  private mustShare(id: string): ShareRecord {
    const s = this.deps.repos.shares.get(id);
    if (!s) throw new Error(`share ${id} vanished inside its transaction`);
    return s;
  }

  private removeFiles(relative: (string | null | undefined)[]): void {
    for (const rel of relative) {
      if (!rel) continue;
      const file = path.resolve(this.deps.dataDir, rel);
      try {
        rmSync(file, { force: true });
      } catch (err) {
        // The row already says the file is gone; retention's orphan sweep gets another chance at it.
        this.deps.log.warn({ err, file }, 'could not remove a clip file');
      }
    }
  }
}
