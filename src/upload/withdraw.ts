import { rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError, errorMessage } from '../core/errors.js';
import { inUploadQueue, isBeforeSend } from '../core/share-rules.js';
import type { Share, ShareStatus } from '../core/types.js';
import { toClip } from '../db/repos/clips.js';
import { toShare, type ShareRecord } from '../db/repos/shares.js';
import type { UploadBaseDeps } from './ports.js';
import { TusHttpError, type TusClient, type TusResponse } from './tus-client.js';

/**
 * The three ways consent ends, decided by one rule (docs/upload.md "Withdrawing consent"):
 *
 * 1. Before Send (exporting, ready — or a failed export): no consent was given. The export is
 *    deleted, the clip is pending again, the share `cancelled`; the ledger records nothing.
 * 2. After Send, while the platform has acknowledged no byte: the upload is stopped, the export
 *    deleted, the clip pending again, the share `cancelled`, and the ledger gains `withdrawn`.
 * 3. Once the platform acknowledged a byte: a revocation — tus DELETE, share `revoked`, ledger `revoked`.
 *
 * "Acknowledged a byte" means the platform's Upload-Offset was above 0 in a PATCH response
 * (stored as bytesSent) or in a HEAD asked after the upload was stopped. A PATCH in flight when
 * the owner withdraws is aborted first; the HEAD then tells whether any of its bytes were kept.
 */

export interface WithdrawDeps extends UploadBaseDeps {
  dataDir: string;
  /** The platform client, when this process has one. */
  client?: TusClient;
}

/** Platform answers that mean the upload no longer exists there, which is what withdrawing wants. */
const GONE = new Set([200, 204, 404, 410]);

/** Whether the owner's Send happened for this share (the ledger holds its consent). */
export function consentGiven(deps: Pick<UploadBaseDeps, 'repos'>, rec: ShareRecord): boolean {
  if (isBeforeSend(rec.status)) return false;
  if (rec.consentSeq !== null || rec.legacyConsent || rec.uploadUrl !== null) return true;
  return deps.repos.ledger.forShare(rec.id).some((e) => e.action === 'approved');
}

/** Before Send: drop the export, the clip goes back to pending; nothing for the ledger. */
export async function cancelUnsent(deps: WithdrawDeps, rec: ShareRecord): Promise<Share | undefined> {
  const { db, repos, clock } = deps;
  const at = clock.iso();
  const done = db
    .transaction(() => {
      if (!repos.shares.update(rec.id, { status: 'cancelled', cancelledAt: at, cancelRequestedAt: null, exportPath: null, nextAttemptAt: null }, at, rec.status)) return false;
      repos.clips.transition(rec.clipId, 'approved', 'pending', at);
      return true;
    })
    .immediate();
  if (!done) return undefined;
  await removeExport(deps, rec);
  deps.log.info({ share: rec.id, was: rec.status }, 'share cancelled before Send; nothing was recorded or sent');
  return announce(deps, rec.id, true);
}

export interface Acknowledged {
  /** Bytes the platform holds (0 means nothing of the video left the house). */
  bytes: number;
  /** The platform no longer knows the upload (HEAD answered 404/410). */
  gone: boolean;
}

/** How many bytes the platform acknowledged; asks it (HEAD) when the share has an upload there. */
export async function acknowledgedBytes(deps: WithdrawDeps, rec: ShareRecord, signal?: AbortSignal): Promise<Acknowledged> {
  if (rec.bytesSent > 0 || !rec.uploadUrl) return { bytes: rec.bytesSent, gone: false };
  if (!deps.client) throw new AppError('UPLOAD_FAILED', `share ${rec.id} has an upload on the platform but no platform is configured to ask about it`);
  try {
    const head = await deps.client.head(rec.uploadUrl, signal);
    return { bytes: head.offset, gone: false };
  } catch (err) {
    if (err instanceof TusHttpError && (err.status === 404 || err.status === 410)) return { bytes: 0, gone: true };
    throw new AppError('UPLOAD_FAILED', `could not ask the community platform how much of share ${rec.id} it received: ${errorMessage(err)}; the upload stays stopped and clipgate tries again`);
  }
}

/** tus DELETE of the share's upload; an answer other than "gone" is an UPLOAD_FAILED the owner sees. */
export async function terminate(deps: WithdrawDeps, rec: ShareRecord): Promise<TusResponse> {
  if (!deps.client || !rec.uploadUrl) {
    throw new AppError('UPLOAD_FAILED', `share ${rec.id} reached the platform but no platform is configured to delete it`);
  }
  let res: TusResponse;
  try {
    res = await deps.client.terminate(rec.uploadUrl);
  } catch (err) {
    throw new AppError('UPLOAD_FAILED', `could not reach the community platform to delete share ${rec.id}: ${errorMessage(err)}`);
  }
  if (!GONE.has(res.status)) {
    throw new AppError('UPLOAD_FAILED', `the community platform refused to delete share ${rec.id} (${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''})`);
  }
  deps.log.info({ share: rec.id, status: res.status }, 'upload terminated on the platform');
  return res;
}

/** After Send, 0 bytes acknowledged: `withdrawn`, clip pending again, export deleted. */
export async function commitWithdrawn(deps: WithdrawDeps, rec: ShareRecord, answer: TusResponse | null, via: 'cancel' | 'revoke'): Promise<Share | undefined> {
  const { repos, clock, ledger } = deps;
  const at = clock.iso();
  const done = ledger.write(() => {
    const patch = { status: 'cancelled' as ShareStatus, cancelledAt: at, cancelRequestedAt: null, exportPath: null, nextAttemptAt: null, bytesSent: 0 };
    if (!repos.shares.update(rec.id, patch, at, rec.status)) return false;
    repos.clips.transition(rec.clipId, 'approved', 'pending', at);
    appendEnd(deps, rec, 'withdrawn', { bytesSent: 0, wasStatus: rec.status, via, platformStatus: answer?.status ?? null }, at);
    return true;
  });
  if (!done) return undefined;
  await removeExport(deps, rec);
  deps.log.info({ share: rec.id, was: rec.status }, 'consent withdrawn before the platform received a byte');
  return announce(deps, rec.id, true);
}

/** Once bytes left: `revoked` with the platform's answer to the DELETE. */
export function commitRevoked(deps: WithdrawDeps, rec: ShareRecord, answer: TusResponse | null, bytes: number): Share | undefined {
  const { repos, clock, ledger, bus, log } = deps;
  const at = clock.iso();
  const response = answer ? JSON.stringify({ status: answer.status, body: answer.body.slice(0, 1000) }) : null;
  const done = ledger.write(() => {
    if (!repos.shares.update(rec.id, { status: 'revoked', revokedAt: at, revokeResponse: response, nextAttemptAt: null, cancelRequestedAt: null }, at, rec.status)) return false;
    appendEnd(deps, rec, 'revoked', { platformStatus: answer?.status ?? null, wasStatus: rec.status, bytesAcknowledged: bytes }, at);
    return true;
  });
  if (!done) return undefined;
  log.info({ share: rec.id, platformStatus: answer?.status ?? null, bytes }, 'share revoked');
  const share = announce(deps, rec.id, false);
  if (share) bus.emit('share.revoked', { share });
  return share;
}

/** A half-sent share whose withdrawal could not finish must not resume uploading: park it as failed. */
export function park(deps: WithdrawDeps, rec: ShareRecord, error: string): void {
  if (!inUploadQueue(rec.status)) return;
  const { repos, clock } = deps;
  if (repos.shares.update(rec.id, { status: 'failed', error, nextAttemptAt: null, cancelRequestedAt: null }, clock.iso(), rec.status)) announce(deps, rec.id, false);
}

/** The ledger entry of a consent that ended after Send; called inside ledger.write. */
function appendEnd(deps: WithdrawDeps, rec: ShareRecord, action: 'withdrawn' | 'revoked', options: Record<string, unknown>, at: string): void {
  const clip = deps.repos.clips.get(rec.clipId);
  deps.ledger.append({
    action,
    clipId: rec.clipId,
    shareId: rec.id,
    sha256: clip?.sha256 ?? null,
    exportSha256: rec.sha256,
    requestId: rec.requestId ?? null,
    options,
  }, at);
}

async function removeExport(deps: WithdrawDeps, rec: ShareRecord): Promise<void> {
  if (!rec.exportPath) return;
  const file = path.resolve(deps.dataDir, rec.exportPath);
  try {
    await rm(file, { force: true });
  } catch (err) {
    // The row no longer points at it; retention's orphan sweep gets another chance.
    deps.log.warn({ err, file }, 'could not remove a withdrawn export');
  }
}

function announce(deps: WithdrawDeps, shareId: string, clipToo: boolean): Share | undefined {
  const rec = deps.repos.shares.get(shareId);
  if (!rec) return undefined;
  const share = toShare(rec);
  deps.bus.emit('share.updated', { share });
  if (clipToo) {
    const clip = deps.repos.clips.get(rec.clipId);
    if (clip) deps.bus.emit('clip.updated', { clip: toClip(clip) });
  }
  return share;
}
