import type { ShareAction, ShareStatus } from './types.js';

/**
 * The one statement of what each share status allows. Services, the SQL in the repositories,
 * retention, the API (`Share.actions`) and through it the UI all derive from this table; nothing
 * else lists statuses for these questions. A new status is a new row here: the Record type makes
 * the compiler ask for it, and every rule below then covers it.
 */
interface StatusRule {
  /** The clip file or the export is in use (exporting, awaiting Send, or on its way out): the clip may not be deleted. */
  busy: boolean;
  /** The uploader owns it (it may be sending bytes right now). */
  inUploadQueue: boolean;
  /** The owner has not said Send yet: withdrawing costs nothing and records nothing. */
  beforeSend: boolean;
  /** The export is waiting for the owner's Send (consent). */
  sendable: boolean;
  /**
   * The owner may withdraw (POST /cancel): before Send it deletes the export; after Send it stops the
   * upload, and becomes a revocation once the platform has acknowledged a byte.
   */
  cancellable: boolean;
  /** Consent can be withdrawn from something that may have reached the platform: tus DELETE whatever did. */
  revocable: boolean;
  /** The owner may try again (export again, or upload again). */
  retryable: boolean;
}

const RULES: Readonly<Record<ShareStatus, StatusRule>> = {
  // The exporter owns an exporting share; it becomes ready (or queued, without preview) or failed on its own.
  exporting: { busy: true, inUploadQueue: false, beforeSend: true, sendable: false, cancellable: true, revocable: false, retryable: false },
  ready: { busy: true, inUploadQueue: false, beforeSend: true, sendable: true, cancellable: true, revocable: false, retryable: false },
  queued: { busy: true, inUploadQueue: true, beforeSend: false, sendable: false, cancellable: true, revocable: true, retryable: false },
  uploading: { busy: true, inUploadQueue: true, beforeSend: false, sendable: false, cancellable: true, revocable: true, retryable: false },
  uploaded: { busy: false, inUploadQueue: false, beforeSend: false, sendable: false, cancellable: false, revocable: true, retryable: false },
  // A failed export was never sent; a failed upload was. ShareService tells them apart by the ledger.
  failed: { busy: false, inUploadQueue: false, beforeSend: false, sendable: false, cancellable: false, revocable: true, retryable: true },
  // Final.
  revoked: { busy: false, inUploadQueue: false, beforeSend: false, sendable: false, cancellable: false, revocable: false, retryable: false },
  cancelled: { busy: false, inUploadQueue: false, beforeSend: false, sendable: false, cancellable: false, revocable: false, retryable: false },
};

export const SHARE_STATUSES = Object.keys(RULES) as readonly ShareStatus[];

export function isBusy(status: ShareStatus): boolean {
  return RULES[status].busy;
}

export function inUploadQueue(status: ShareStatus): boolean {
  return RULES[status].inUploadQueue;
}

export function isBeforeSend(status: ShareStatus): boolean {
  return RULES[status].beforeSend;
}

export function isSendable(status: ShareStatus): boolean {
  return RULES[status].sendable;
}

export function isCancellable(status: ShareStatus): boolean {
  return RULES[status].cancellable;
}

export function isRevocable(status: ShareStatus): boolean {
  return RULES[status].revocable;
}

export function isRetryable(status: ShareStatus): boolean {
  return RULES[status].retryable;
}

/** A clip can be deleted unless its share is busy. */
export function isClipDeletable(status: ShareStatus): boolean {
  return !RULES[status].busy;
}

/**
 * The actions the API offers for a share in `status`, in the order the UI shows them. Where both
 * cancel and revoke are accepted (queued, uploading) only `cancel` is offered: it is the one
 * button, and it revokes by itself once bytes have left. `delete` only while the share's clip
 * still exists (deleting it twice is not an action).
 */
export function shareActions(status: ShareStatus, clipExists: boolean): ShareAction[] {
  const out: ShareAction[] = [];
  if (isSendable(status)) out.push('send');
  if (isRetryable(status)) out.push('retry');
  if (isCancellable(status)) out.push('cancel');
  else if (isRevocable(status)) out.push('revoke');
  if (clipExists && isClipDeletable(status)) out.push('delete');
  return out;
}

/** The statuses a rule holds for, for SQL `IN (...)` lists. */
export function statusesWhere(rule: (status: ShareStatus) => boolean): ShareStatus[] {
  return SHARE_STATUSES.filter(rule);
}

/**
 * `'a', 'b'` for an SQL `IN (...)`. The values come from the fixed status vocabulary above (and
 * match the table's CHECK constraint), never from input, so inlining them is safe.
 */
export function sqlStatusList(rule: (status: ShareStatus) => boolean): string {
  return statusesWhere(rule)
    .map((s) => `'${s}'`)
    .join(', ');
}
