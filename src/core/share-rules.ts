import type { ShareAction, ShareStatus } from './types.js';

/**
 * The one statement of what each share status allows. Services, the SQL in the repositories,
 * retention, the API (`Share.actions`) and through it the UI all derive from this table; nothing
 * else lists statuses for these questions. A new status is a new row here: the Record type makes
 * the compiler ask for it, and every rule below then covers it.
 */
interface StatusRule {
  /** The clip file or the export is in use (exporting or on its way out): the clip may not be deleted. */
  busy: boolean;
  /** The uploader owns it (it may be sending bytes right now). */
  inUploadQueue: boolean;
  /** Consent can be withdrawn: stop the upload and delete whatever reached the platform. */
  revocable: boolean;
  /** The owner may try again (export again, or upload again). */
  retryable: boolean;
}

const RULES: Readonly<Record<ShareStatus, StatusRule>> = {
  // The exporter owns an exporting share; it becomes queued or failed on its own within minutes.
  exporting: { busy: true, inUploadQueue: false, revocable: false, retryable: false },
  queued: { busy: true, inUploadQueue: true, revocable: true, retryable: false },
  uploading: { busy: true, inUploadQueue: true, revocable: true, retryable: false },
  uploaded: { busy: false, inUploadQueue: false, revocable: true, retryable: false },
  failed: { busy: false, inUploadQueue: false, revocable: true, retryable: true },
  // Final.
  revoked: { busy: false, inUploadQueue: false, revocable: false, retryable: false },
};

export const SHARE_STATUSES = Object.keys(RULES) as readonly ShareStatus[];

export function isBusy(status: ShareStatus): boolean {
  return RULES[status].busy;
}

export function inUploadQueue(status: ShareStatus): boolean {
  return RULES[status].inUploadQueue;
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
 * The actions the API offers for a share in `status`, in the order the UI shows them; `delete`
 * only while the share's clip still exists (deleting it twice is not an action).
 */
export function shareActions(status: ShareStatus, clipExists: boolean): ShareAction[] {
  const out: ShareAction[] = [];
  if (isRetryable(status)) out.push('retry');
  if (isRevocable(status)) out.push('revoke');
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
