import { isBusy, sqlStatusList } from '../../core/share-rules.js';
import type { Db } from '../connection.js';

/**
 * The selections retention and the disk quota act on. They return clip ids only; the deleter
 * re-reads and re-checks each clip inside its own transaction, so a clip approved or shared
 * between this query and its deletion is left alone.
 *
 * Ages: a pending clip counts from when it arrived (created_at: an inbox drop of an old recording
 * still gets its full review window), a rejected clip from its rejection, a shared clip from the
 * end of its sharing (upload finished, revoked or failed).
 */

/** A busy share still needs the clip file or its export: retention never deletes it early (docs/retention.md). */
const BUSY = `EXISTS (SELECT 1 FROM shares s WHERE s.clip_id = c.id AND s.status IN (${sqlStatusList(isBusy)}))`;

export interface QuotaCandidate {
  id: string;
  status: 'pending' | 'rejected';
}

export class RetentionRepo {
  constructor(private readonly db: Db) {}

  expiredPending(cutoffIso: string): string[] {
    return this.ids(
      `SELECT c.id FROM clips c WHERE c.deleted_at IS NULL AND c.status = 'pending' AND c.created_at <= ? AND NOT ${BUSY}
       ORDER BY c.created_at, c.id`,
      cutoffIso,
    );
  }

  expiredRejected(cutoffIso: string): string[] {
    return this.ids(
      `SELECT c.id FROM clips c WHERE c.deleted_at IS NULL AND c.status = 'rejected' AND c.file_deleted_at IS NULL
         AND COALESCE(c.reviewed_at, c.created_at) <= ? AND NOT ${BUSY}
       ORDER BY c.reviewed_at, c.id`,
      cutoffIso,
    );
  }

  expiredShared(cutoffIso: string): string[] {
    return this.ids(
      `SELECT c.id FROM clips c WHERE c.deleted_at IS NULL AND c.status = 'approved' AND c.file_deleted_at IS NULL AND NOT ${BUSY}
         AND COALESCE((SELECT COALESCE(s.uploaded_at, s.updated_at) FROM shares s WHERE s.clip_id = c.id), c.reviewed_at, c.created_at) <= ?
       ORDER BY c.reviewed_at, c.id`,
      cutoffIso,
    );
  }

  /** What the quota may delete, in order: rejected clips oldest first, then pending clips oldest first. */
  quotaCandidates(limit: number): QuotaCandidate[] {
    return this.db
      .prepare(
        `SELECT c.id, c.status FROM clips c
         WHERE c.deleted_at IS NULL AND c.file_deleted_at IS NULL AND c.status IN ('rejected', 'pending') AND NOT ${BUSY}
         ORDER BY CASE c.status WHEN 'rejected' THEN 0 ELSE 1 END, c.started_at, c.id
         LIMIT ?`,
      )
      .all(limit) as QuotaCandidate[];
  }

  private ids(sql: string, ...params: unknown[]): string[] {
    return (this.db.prepare(sql).all(...params) as { id: string }[]).map((r) => r.id);
  }
}
