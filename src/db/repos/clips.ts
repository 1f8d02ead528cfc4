import type { Clip, ClipStatus, ClipTrigger } from '../../core/types.js';
import type { Db } from '../connection.js';

/** A clip row with the local file locations the API never exposes. Paths are relative to dataDir. */
export interface ClipRecord extends Clip {
  filePath: string;
  thumbPath: string | null;
  createdAt: string;
  reviewedAt: string | null;
  fileDeletedAt: string | null;
}

interface Raw {
  id: string;
  camera_id: string;
  status: ClipStatus;
  trigger: ClipTrigger;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  size_bytes: number;
  width: number;
  height: number;
  has_audio: number;
  sha256: string;
  file_path: string;
  thumb_path: string | null;
  created_at: string;
  reviewed_at: string | null;
  file_deleted_at: string | null;
}

export interface ClipListQuery {
  status?: ClipStatus;
  cameraId?: string;
  trigger?: ClipTrigger;
  /** Inclusive lower bound on startedAt (ISO 8601 UTC with milliseconds, as stored). */
  from?: string;
  /** Exclusive upper bound on startedAt (ISO 8601 UTC with milliseconds, as stored). */
  to?: string;
  limit: number;
  cursor?: string;
}

/** The public Clip, copied field by field: a richer object (a ClipRecord) loses its local paths here. */
export function toClip(r: Clip): Clip {
  return {
    id: r.id,
    cameraId: r.cameraId,
    status: r.status,
    trigger: r.trigger,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    sizeBytes: r.sizeBytes,
    width: r.width,
    height: r.height,
    hasAudio: r.hasAudio,
    sha256: r.sha256,
  };
}

function fromRaw(r: Raw): ClipRecord {
  return {
    id: r.id,
    cameraId: r.camera_id,
    status: r.status,
    trigger: r.trigger,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    sizeBytes: r.size_bytes,
    width: r.width,
    height: r.height,
    hasAudio: r.has_audio === 1,
    sha256: r.sha256,
    filePath: r.file_path,
    thumbPath: r.thumb_path,
    createdAt: r.created_at,
    reviewedAt: r.reviewed_at,
    fileDeletedAt: r.file_deleted_at,
  };
}

/** Opaque pagination cursor: the (startedAt, id) of the last item returned. */
export function encodeCursor(startedAt: string, id: string): string {
  return Buffer.from(`${startedAt}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { startedAt: string; id: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar <= 0) return undefined;
  return { startedAt: text.slice(0, bar), id: text.slice(bar + 1) };
}

/** Clips. Soft-deleted rows (deleted_at set) are invisible to every read here. */
export class ClipsRepo {
  constructor(private readonly db: Db) {}

  insert(c: ClipRecord): void {
    this.db
      .prepare(
        `INSERT INTO clips (id, camera_id, status, trigger, started_at, ended_at, duration_ms, size_bytes, width, height,
           has_audio, sha256, file_path, thumb_path, created_at, reviewed_at, file_deleted_at)
         VALUES (@id, @cameraId, @status, @trigger, @startedAt, @endedAt, @durationMs, @sizeBytes, @width, @height,
           @hasAudio, @sha256, @filePath, @thumbPath, @createdAt, @reviewedAt, @fileDeletedAt)`,
      )
      .run({ ...c, hasAudio: c.hasAudio ? 1 : 0 });
  }

  get(id: string): ClipRecord | undefined {
    const r = this.db.prepare('SELECT * FROM clips WHERE id = ? AND deleted_at IS NULL').get(id) as Raw | undefined;
    return r && fromRaw(r);
  }

  /** Newest first, keyset pagination on (started_at, id) so deep pages stay fast. */
  list(q: ClipListQuery): { items: ClipRecord[]; nextCursor: string | null } {
    const where = ['deleted_at IS NULL'];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    if (q.status) {
      where.push('status = @status');
      params.status = q.status;
    }
    if (q.cameraId) {
      where.push('camera_id = @cameraId');
      params.cameraId = q.cameraId;
    }
    if (q.trigger) {
      where.push('trigger = @trigger');
      params.trigger = q.trigger;
    }
    // started_at is stored as ISO 8601 UTC with milliseconds, so text order is time order.
    if (q.from) {
      where.push('started_at >= @from');
      params.from = q.from;
    }
    if (q.to) {
      where.push('started_at < @to');
      params.to = q.to;
    }
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (cursor) {
      where.push('(started_at < @cStarted OR (started_at = @cStarted AND id < @cId))');
      params.cStarted = cursor.startedAt;
      params.cId = cursor.id;
    }
    const sql = `SELECT * FROM clips WHERE ${where.join(' AND ')} ORDER BY started_at DESC, id DESC LIMIT @limit`;
    const rows = (this.db.prepare(sql).all(params) as Raw[]).map(fromRaw);
    const more = rows.length > q.limit;
    const items = more ? rows.slice(0, q.limit) : rows;
    const last = items.at(-1);
    return { items, nextCursor: more && last ? encodeCursor(last.startedAt, last.id) : null };
  }

  /** Compare-and-set on status: returns false when the clip was not in `from` (a lost race). */
  transition(id: string, from: ClipStatus, to: ClipStatus, at: string): boolean {
    const result = this.db
      .prepare('UPDATE clips SET status = ?, reviewed_at = ? WHERE id = ? AND status = ? AND deleted_at IS NULL')
      .run(to, at, id, from);
    return result.changes === 1;
  }

  markFileDeleted(id: string, at: string): void {
    this.db.prepare('UPDATE clips SET file_deleted_at = ? WHERE id = ?').run(at, id);
  }

  markDeleted(id: string, at: string): boolean {
    return this.db.prepare('UPDATE clips SET deleted_at = ?, file_deleted_at = COALESCE(file_deleted_at, ?) WHERE id = ? AND deleted_at IS NULL').run(at, at, id).changes === 1;
  }

  countByStatus(status: ClipStatus): number {
    const r = this.db.prepare('SELECT COUNT(*) AS n FROM clips WHERE status = ? AND deleted_at IS NULL').get(status) as { n: number };
    return r.n;
  }

  findBySha256(sha256: string): ClipRecord | undefined {
    const r = this.db.prepare('SELECT * FROM clips WHERE sha256 = ? AND deleted_at IS NULL LIMIT 1').get(sha256) as Raw | undefined;
    return r && fromRaw(r);
  }

  /** Clips whose span overlaps [startIso, endIso] and whose file still exists. */
  overlapping(startIso: string, endIso: string): ClipRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM clips WHERE deleted_at IS NULL AND file_deleted_at IS NULL AND started_at <= ? AND ended_at >= ? ORDER BY started_at')
      .all(endIso, startIso) as Raw[];
    return rows.map(fromRaw);
  }

  /** Every live file path, for start-up consistency checks. */
  allWithFiles(): ClipRecord[] {
    return (this.db.prepare('SELECT * FROM clips WHERE deleted_at IS NULL AND file_deleted_at IS NULL').all() as Raw[]).map(fromRaw);
  }

  /** The camera's newest clip whose picture may be shown outside the UI (MQTT snapshot): not rejected, not deleted, thumbnail present. */
  newestShowableForCamera(cameraId: string): ClipRecord | undefined {
    const r = this.db
      .prepare(
        `SELECT * FROM clips WHERE camera_id = ? AND status <> 'rejected' AND deleted_at IS NULL AND file_deleted_at IS NULL AND thumb_path IS NOT NULL
         ORDER BY started_at DESC, id DESC LIMIT 1`,
      )
      .get(cameraId) as Raw | undefined;
    return r && fromRaw(r);
  }
}
