import { captionOfJson, redactionOfJson } from '../../core/redaction.js';
import { inUploadQueue, sqlStatusList } from '../../core/share-rules.js';
import type { Share, ShareStatus, ShareVerification } from '../../core/types.js';
import type { Db } from '../connection.js';

/** A share row with what the API does not expose (local export path, tus URL, options, retries). */
export interface ShareRecord extends Share {
  optionsJson: string;
  exportPath: string | null;
  recordedAt: string | null;
  uploadUrl: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  updatedAt: string;
  revokedAt: string | null;
  revokeResponse: string | null;
  /** One step (no preview): the exporter records consent and queues as soon as the export is done. */
  sendOnExport: boolean;
  /** A withdrawal asked for by another process; the daemon carries it out. */
  cancelRequestedAt: string | null;
  cancelledAt: string | null;
  /** Seq of the `approved` ledger entry the owner's Send appended. */
  consentSeq: number | null;
  /** The upload began under the one-step flow before migration 002 (its `approved` entry names no export hash). */
  legacyConsent: boolean;
  /** shares.verification_json as stored (the parsed form is `verification`). */
  verificationJson: string | null;
}

interface Raw {
  id: string;
  clip_id: string;
  status: ShareStatus;
  options_json: string;
  export_path: string | null;
  sha256: string | null;
  duration_ms: number | null;
  recorded_at: string | null;
  bytes_sent: number;
  bytes_total: number;
  upload_url: string | null;
  remote_url: string | null;
  request_id: string | null;
  error: string | null;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  uploaded_at: string | null;
  revoked_at: string | null;
  revoke_response: string | null;
  send_on_export: number;
  cancel_requested_at: string | null;
  cancelled_at: string | null;
  consent_seq: number | null;
  legacy_consent: number;
  verification_json: string | null;
}

/** A stored face check; a damaged one reads as a check that failed (Send then asks the owner to confirm). */
export function parseVerification(json: string | null): ShareVerification | undefined {
  if (json === null) return undefined;
  try {
    const v = JSON.parse(json) as ShareVerification;
    if (v && typeof v === 'object' && typeof v.status === 'string' && Array.isArray(v.findings)) return v;
  } catch {
    // fall through
  }
  return { status: 'failed', threshold: 0, found: 0, findings: [], error: 'the stored face check is unreadable' };
}

function fromRaw(r: Raw): ShareRecord {
  const rec: ShareRecord = {
    id: r.id,
    clipId: r.clip_id,
    status: r.status,
    bytesSent: r.bytes_sent,
    bytesTotal: r.bytes_total,
    sha256: r.sha256,
    createdAt: r.created_at,
    optionsJson: r.options_json,
    exportPath: r.export_path,
    recordedAt: r.recorded_at,
    uploadUrl: r.upload_url,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    updatedAt: r.updated_at,
    revokedAt: r.revoked_at,
    revokeResponse: r.revoke_response,
    sendOnExport: r.send_on_export === 1,
    cancelRequestedAt: r.cancel_requested_at,
    cancelledAt: r.cancelled_at,
    consentSeq: r.consent_seq,
    legacyConsent: r.legacy_consent === 1,
    verificationJson: r.verification_json,
    redaction: redactionOfJson(r.options_json),
  };
  const verification = parseVerification(r.verification_json);
  if (verification) rec.verification = verification;
  if (r.duration_ms !== null) rec.durationMs = r.duration_ms;
  if (r.remote_url !== null) rec.remoteUrl = r.remote_url;
  if (r.request_id !== null) rec.requestId = r.request_id;
  if (r.error !== null) rec.error = r.error;
  if (r.uploaded_at !== null) rec.uploadedAt = r.uploaded_at;
  const caption = captionOfJson(r.options_json);
  if (caption !== undefined) rec.caption = caption;
  return rec;
}

/**
 * The public Share, copied field by field: a richer object (a ShareRecord, or anything a service
 * hands over) loses its local paths and upload internals here. The API's view adds only `actions`.
 */
export function toShare(r: Share): Share {
  const s: Share = {
    id: r.id,
    clipId: r.clipId,
    status: r.status,
    bytesSent: r.bytesSent,
    bytesTotal: r.bytesTotal,
    sha256: r.sha256,
    createdAt: r.createdAt,
    redaction: { ...r.redaction, trim: r.redaction.trim && { startMs: r.redaction.trim.startMs, endMs: r.redaction.trim.endMs } },
  };
  if (r.durationMs !== undefined) s.durationMs = r.durationMs;
  if (r.remoteUrl !== undefined) s.remoteUrl = r.remoteUrl;
  if (r.requestId !== undefined) s.requestId = r.requestId;
  if (r.error !== undefined) s.error = r.error;
  if (r.uploadedAt !== undefined) s.uploadedAt = r.uploadedAt;
  if (r.caption !== undefined) s.caption = r.caption;
  if (r.verification !== undefined) {
    const v = r.verification;
    s.verification = {
      status: v.status, threshold: v.threshold, found: v.found,
      findings: v.findings.map((f) => ({ t: f.t, x: f.x, y: f.y, width: f.width, height: f.height, score: f.score })),
      ...(v.error !== undefined ? { error: v.error } : {}),
      ...(v.confirmedAt !== undefined ? { confirmedAt: v.confirmedAt } : {}),
    };
  }
  return s;
}

/** Column names the update() patch may touch, mapped from ShareRecord fields. */
const COLUMNS = {
  status: 'status',
  exportPath: 'export_path',
  sha256: 'sha256',
  durationMs: 'duration_ms',
  recordedAt: 'recorded_at',
  bytesSent: 'bytes_sent',
  bytesTotal: 'bytes_total',
  uploadUrl: 'upload_url',
  remoteUrl: 'remote_url',
  error: 'error',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  uploadedAt: 'uploaded_at',
  revokedAt: 'revoked_at',
  revokeResponse: 'revoke_response',
  cancelRequestedAt: 'cancel_requested_at',
  cancelledAt: 'cancelled_at',
  consentSeq: 'consent_seq',
  verificationJson: 'verification_json',
} as const;

export type SharePatch = { [K in keyof typeof COLUMNS]?: ShareRecord[K] | null };

const UPLOAD_QUEUE = sqlStatusList(inUploadQueue);

export class SharesRepo {
  constructor(private readonly db: Db) {}

  insert(s: { id: string; clipId: string; status: ShareStatus; optionsJson: string; requestId: string | null; createdAt: string; sendOnExport?: boolean }): void {
    this.db
      .prepare('INSERT INTO shares (id, clip_id, status, options_json, request_id, created_at, updated_at, send_on_export) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, s.clipId, s.status, s.optionsJson, s.requestId, s.createdAt, s.createdAt, s.sendOnExport ? 1 : 0);
  }

  get(id: string): ShareRecord | undefined {
    const r = this.db.prepare('SELECT * FROM shares WHERE id = ?').get(id) as Raw | undefined;
    return r && fromRaw(r);
  }

  /** The clip's live share (at most one: shares_one_live_per_clip), else its newest cancelled one. */
  getByClip(clipId: string): ShareRecord | undefined {
    const r = this.db
      .prepare(`SELECT * FROM shares WHERE clip_id = ? ORDER BY status = 'cancelled', created_at DESC, id DESC LIMIT 1`)
      .get(clipId) as Raw | undefined;
    return r && fromRaw(r);
  }

  /** Shares whose withdrawal another process asked for and that are still in the upload queue. */
  listCancelRequested(): ShareRecord[] {
    return (this.db
      .prepare(`SELECT * FROM shares WHERE cancel_requested_at IS NOT NULL AND status IN (${UPLOAD_QUEUE}) ORDER BY cancel_requested_at, id`)
      .all() as Raw[]).map(fromRaw);
  }

  list(): ShareRecord[] {
    return (this.db.prepare('SELECT * FROM shares ORDER BY created_at DESC, id DESC').all() as Raw[]).map(fromRaw);
  }

  listByStatus(...statuses: ShareStatus[]): ShareRecord[] {
    const marks = statuses.map(() => '?').join(', ');
    return (this.db.prepare(`SELECT * FROM shares WHERE status IN (${marks}) ORDER BY created_at, id`).all(...statuses) as Raw[]).map(fromRaw);
  }

  /** Apply a patch; with `expectStatus`, only when the share is still in that status (compare-and-set). */
  update(id: string, patch: SharePatch, at: string, expectStatus?: ShareStatus): boolean {
    const sets: string[] = ['updated_at = @updatedAt'];
    const params: Record<string, unknown> = { id, updatedAt: at };
    for (const [key, column] of Object.entries(COLUMNS)) {
      if (key in patch) {
        sets.push(`${column} = @${key}`);
        params[key] = patch[key as keyof SharePatch];
      }
    }
    let sql = `UPDATE shares SET ${sets.join(', ')} WHERE id = @id`;
    if (expectStatus) {
      sql += ' AND status = @expectStatus';
      params.expectStatus = expectStatus;
    }
    return this.db.prepare(sql).run(params).changes === 1;
  }

  /**
   * The upload side's only way to obtain work: queued shares whose `approved` ledger entry (the
   * owner's Send) names exactly the export's SHA-256. A share inserted any other way (a bug, a
   * hand-edited database), an export other than the one consented to, or a share whose withdrawal
   * was asked for is never uploaded. legacy_consent (migration 002) admits an upload that had
   * already begun under the one-step flow, whose `approved` entry predates its export.
   */
  listUploadable(): ShareRecord[] {
    const rows = this.db
      .prepare(
        `SELECT s.* FROM shares s
         WHERE s.status IN (${UPLOAD_QUEUE}) AND s.export_path IS NOT NULL AND s.sha256 IS NOT NULL AND s.cancel_requested_at IS NULL
           AND EXISTS (SELECT 1 FROM ledger l WHERE l.share_id = s.id AND l.clip_id = s.clip_id AND l.action = 'approved'
                         AND (l.export_sha256 = s.sha256 OR (s.legacy_consent = 1 AND l.export_sha256 IS NULL)))
           AND EXISTS (SELECT 1 FROM clips c WHERE c.id = s.clip_id AND c.status = 'approved')
         ORDER BY s.created_at, s.id`,
      )
      .all() as Raw[];
    return rows.map(fromRaw);
  }
}
