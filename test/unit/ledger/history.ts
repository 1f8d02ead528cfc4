// A realistic ledger for the ledger tests: rejections, shares sent and uploaded, a share sent and
// still queued — written by the real review service and ledger, the upload's completion in the
// same transaction shape as UploadJob.finish.
import type { ShareRecord } from '../../../src/db/repos/shares.js';
import type { ReviewEnv } from '../review/env.js';

/** Mark a sent share uploaded with its `uploaded` entry, in one ledger transaction (as the uploader does). */
export function finishUpload(env: ReviewEnv, share: ShareRecord): void {
  const at = env.clock.iso();
  env.ledger.write(() => {
    if (!env.repos.shares.update(share.id, { status: 'uploaded', bytesSent: share.bytesTotal, uploadedAt: at, remoteUrl: `http://127.0.0.1:9/api/uploads/${share.id}` }, at, 'queued')) {
      throw new Error(`share ${share.id} was not queued`);
    }
    env.ledger.append({ action: 'uploaded', clipId: share.clipId, shareId: share.id, exportSha256: share.sha256, options: { bytes: share.bytesTotal } }, at);
  });
}

/** Prepare, export and Send a clip's share; returns the share as sent. */
export function sendShare(env: ReviewEnv, opts: { caption?: string } = {}): ShareRecord {
  const clip = env.insertClip();
  const share = env.review.approve(clip.id, opts.caption ? { caption: opts.caption } : {});
  env.exportDone(share.id);
  env.review.send(share.id);
  const rec = env.repos.shares.get(share.id);
  if (!rec) throw new Error('share vanished');
  return rec;
}

/**
 * Eight entries:
 *   1 rejected · 2 approved (A) · 3 uploaded (A) · 4 approved (B) · 5 uploaded (B) · 6 rejected ·
 *   7 approved (C, still queued) · 8 rejected
 */
export function writeHistory(env: ReviewEnv): { uploaded: ShareRecord[]; queued: ShareRecord } {
  env.review.reject(env.insertClip().id);
  const a = sendShare(env, { caption: 'the van' });
  finishUpload(env, a);
  const b = sendShare(env);
  finishUpload(env, b);
  env.review.reject(env.insertClip().id);
  const c = sendShare(env);
  env.review.reject(env.insertClip().id);
  return { uploaded: [a, b], queued: c };
}
