import { LABEL_THRESHOLD, type AnalysisState, type Clip, type ClipLabel, type ClipLabels, type ClipStatus, type ClipTrigger } from '../../core/types.js';
import type { Db } from '../connection.js';

/** A clip row with the local file locations the API never exposes. Paths are relative to dataDir. */
export interface ClipRecord extends Clip {
  filePath: string;
  thumbPath: string | null;
  createdAt: string;
  reviewedAt: string | null;
  fileDeletedAt: string | null;
}

/** A clip as recorded or ingested: not analysed yet (labels empty, analysis `pending` unless given). */
export type NewClip = Omit<ClipRecord, 'labels' | 'analysis'> & { analysis?: AnalysisState };

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
  analysis: AnalysisState;
}

export interface ClipListQuery {
  status?: ClipStatus;
  cameraId?: string;
  trigger?: ClipTrigger;
  /** Inclusive lower bound on startedAt (ISO 8601 UTC with milliseconds, as stored). */
  from?: string;
  /** Exclusive upper bound on startedAt (ISO 8601 UTC with milliseconds, as stored). */
  to?: string;
  /** Any of these labels (at or above LABEL_THRESHOLD). */
  labels?: ClipLabel[];
  /** Leave out clips analysed and labelled neither person nor vehicle (review.hideUnlabelled's view). */
  hideUnlabelled?: boolean;
  limit: number;
  cursor?: string;
}

/** Labels that count as "labelled" for review.hideUnlabelled. */
export const NOTABLE_LABELS: readonly ClipLabel[] = ['person', 'vehicle'];
/** Most clips one backlog query returns. */
const MAX_BACKLOG = 10_000;

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
    labels: { ...r.labels },
    analysis: r.analysis,
  };
}

function fromRaw(r: Raw, labels: ClipLabels = {}): ClipRecord {
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
    labels,
    analysis: r.analysis,
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

/** The listing order: started_at, then id, both descending (as the indexes and the cursor). */
function newestFirst(a: Raw, b: Raw): number {
  if (a.started_at !== b.started_at) return a.started_at < b.started_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Clips. Soft-deleted rows (deleted_at set) are invisible to every read here. */
export class ClipsRepo {
  constructor(private readonly db: Db) {}

  insert(c: NewClip): void {
    const row = {
      id: c.id, cameraId: c.cameraId, status: c.status, trigger: c.trigger, startedAt: c.startedAt, endedAt: c.endedAt,
      durationMs: c.durationMs, sizeBytes: c.sizeBytes, width: c.width, height: c.height, hasAudio: c.hasAudio ? 1 : 0,
      sha256: c.sha256, filePath: c.filePath, thumbPath: c.thumbPath, createdAt: c.createdAt, reviewedAt: c.reviewedAt,
      fileDeletedAt: c.fileDeletedAt, analysis: c.analysis ?? 'pending',
    };
    this.db
      .prepare(
        `INSERT INTO clips (id, camera_id, status, trigger, started_at, ended_at, duration_ms, size_bytes, width, height,
           has_audio, sha256, file_path, thumb_path, created_at, reviewed_at, file_deleted_at, analysis)
         VALUES (@id, @cameraId, @status, @trigger, @startedAt, @endedAt, @durationMs, @sizeBytes, @width, @height,
           @hasAudio, @sha256, @filePath, @thumbPath, @createdAt, @reviewedAt, @fileDeletedAt, @analysis)`,
      )
      .run(row);
  }

  get(id: string): ClipRecord | undefined {
    const r = this.db.prepare('SELECT * FROM clips WHERE id = ? AND deleted_at IS NULL').get(id) as Raw | undefined;
    return r && this.withLabels([r])[0];
  }

  /** Rows → records with their labels (one query for the whole page). */
  private withLabels(rows: Raw[]): ClipRecord[] {
    if (rows.length === 0) return [];
    const byClip = new Map<string, ClipLabels>();
    const marks = rows.map(() => '?').join(', ');
    const labelRows = this.db
      .prepare(`SELECT clip_id, label, score FROM clip_labels WHERE clip_id IN (${marks})`)
      .all(...rows.map((r) => r.id)) as { clip_id: string; label: ClipLabel; score: number }[];
    for (const l of labelRows) {
      const m = byClip.get(l.clip_id) ?? {};
      m[l.label] = l.score;
      byClip.set(l.clip_id, m);
    }
    return rows.map((r) => fromRaw(r, byClip.get(r.id)));
  }

  /**
   * The analysis result of a clip: its state and its labels (those at or above LABEL_THRESHOLD
   * replace the old ones), in one transaction. False when the clip is gone.
   */
  setAnalysis(id: string, state: AnalysisState, labels?: ClipLabels): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT started_at FROM clips WHERE id = ? AND deleted_at IS NULL').get(id) as { started_at: string } | undefined;
      if (!row) return false;
      this.db.prepare('UPDATE clips SET analysis = ? WHERE id = ?').run(state, id);
      if (labels) {
        this.db.prepare('DELETE FROM clip_labels WHERE clip_id = ?').run(id);
        const insert = this.db.prepare('INSERT INTO clip_labels (clip_id, label, score, started_at) VALUES (?, ?, ?, ?)');
        for (const [label, score] of Object.entries(labels)) {
          if (typeof score === 'number' && score >= LABEL_THRESHOLD) insert.run(id, label, Math.round(score * 1000) / 1000, row.started_at);
        }
      }
      return true;
    }).immediate();
  }

  /** Pending-review clips marked analysed, with a file, newest first: their analysis files are checked at start. */
  pendingAnalysed(limit: number): ClipRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM clips WHERE deleted_at IS NULL AND file_deleted_at IS NULL AND status = 'pending' AND analysis = 'done'
         ORDER BY started_at DESC, id DESC LIMIT ?`,
      )
      .all(Math.min(limit, MAX_BACKLOG)) as Raw[];
    return rows.map((r) => fromRaw(r));
  }

  /** Detection became unavailable: every clip still waiting for analysis is `off` (queued again at a start that has it). */
  markWaitingAnalysisOff(): number {
    return this.db.prepare(`UPDATE clips SET analysis = 'off' WHERE analysis = 'pending' AND deleted_at IS NULL`).run().changes;
  }

  /**
   * Clips whose analysis is still to do (`pending`: never analysed or killed mid-analysis; `off`:
   * arrived while detection was off), with a file: pending-review clips first, newest first.
   */
  analysisBacklog(limit: number): ClipRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM clips WHERE deleted_at IS NULL AND file_deleted_at IS NULL AND analysis IN ('pending', 'off')
         ORDER BY status = 'pending' DESC, started_at DESC, id DESC LIMIT ?`,
      )
      .all(Math.min(limit, MAX_BACKLOG)) as Raw[];
    return rows.map((r) => fromRaw(r));
  }

  /**
   * Newest first, keyset pagination on (started_at, id) so deep pages stay fast. A label filter
   * walks clip_labels' (label, started_at, clip_id) index once per label, each in the listing
   * order, and merges the walks: one page costs about limit+1 rows per label, however rare the label.
   */
  list(q: ClipListQuery): { items: ClipRecord[]; nextCursor: string | null } {
    const where = ['c.deleted_at IS NULL'];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    if (q.status) {
      where.push('c.status = @status');
      params.status = q.status;
    }
    if (q.cameraId) {
      where.push('c.camera_id = @cameraId');
      params.cameraId = q.cameraId;
    }
    if (q.trigger) {
      where.push('c.trigger = @trigger');
      params.trigger = q.trigger;
    }
    // started_at is stored as ISO 8601 UTC with milliseconds, so text order is time order. A label
    // walk bounds its own index's copy of started_at so the range narrows the walk, not just the rows.
    const startedAt = q.labels && q.labels.length > 0 ? 'l.started_at' : 'c.started_at';
    if (q.from) {
      where.push(`${startedAt} >= @from`);
      params.from = q.from;
    }
    if (q.to) {
      where.push(`${startedAt} < @to`);
      params.to = q.to;
    }
    if (q.hideUnlabelled) {
      const notable = NOTABLE_LABELS.map((l) => `'${l}'`).join(', ');
      where.push(`(c.analysis <> 'done' OR EXISTS (SELECT 1 FROM clip_labels n WHERE n.clip_id = c.id AND n.label IN (${notable})))`);
    }
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    let rows: Raw[];
    if (q.labels && q.labels.length > 0) {
      if (cursor) {
        where.push('(l.started_at < @cStarted OR (l.started_at = @cStarted AND l.clip_id < @cId))');
        params.cStarted = cursor.startedAt;
        params.cId = cursor.id;
      }
      const stmt = this.db.prepare(
        `SELECT c.* FROM clip_labels l JOIN clips c ON c.id = l.clip_id
         WHERE l.label = @label AND ${where.join(' AND ')} ORDER BY l.started_at DESC, l.clip_id DESC LIMIT @limit`,
      );
      const merged = new Map<string, Raw>();
      for (const label of new Set(q.labels)) for (const r of stmt.all({ ...params, label }) as Raw[]) merged.set(r.id, r);
      rows = [...merged.values()].sort(newestFirst).slice(0, q.limit + 1);
    } else {
      if (cursor) {
        where.push('(c.started_at < @cStarted OR (c.started_at = @cStarted AND c.id < @cId))');
        params.cStarted = cursor.startedAt;
        params.cId = cursor.id;
      }
      rows = this.db.prepare(`SELECT c.* FROM clips c WHERE ${where.join(' AND ')} ORDER BY c.started_at DESC, c.id DESC LIMIT @limit`).all(params) as Raw[];
    }
    const more = rows.length > q.limit;
    const items = this.withLabels(more ? rows.slice(0, q.limit) : rows);
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
    return r && this.withLabels([r])[0];
  }

  /** Clips whose span overlaps [startIso, endIso] and whose file still exists. */
  overlapping(startIso: string, endIso: string): ClipRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM clips WHERE deleted_at IS NULL AND file_deleted_at IS NULL AND started_at <= ? AND ended_at >= ? ORDER BY started_at')
      .all(endIso, startIso) as Raw[];
    return this.withLabels(rows);
  }

  /** Every live file path, for start-up consistency checks. */
  allWithFiles(): ClipRecord[] {
    return (this.db.prepare('SELECT * FROM clips WHERE deleted_at IS NULL AND file_deleted_at IS NULL').all() as Raw[]).map((r) => fromRaw(r));
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
