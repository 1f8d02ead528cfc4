import type { CameraStatus } from '../../core/types.js';
import type { Db } from '../connection.js';

export interface CameraStateRow {
  id: string;
  privacy: boolean;
  status: CameraStatus;
  lastError: string | null;
  updatedAt: string;
}

interface Raw {
  id: string;
  privacy: number;
  status: CameraStatus;
  last_error: string | null;
  updated_at: string;
}

/** Persisted per-camera state: privacy mode survives restarts, status is the last known. */
export class CamerasRepo {
  constructor(private readonly db: Db) {}

  ensure(id: string, at: string): void {
    this.db.prepare('INSERT OR IGNORE INTO cameras (id, updated_at) VALUES (?, ?)').run(id, at);
  }

  get(id: string): CameraStateRow | undefined {
    const raw = this.db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as Raw | undefined;
    return raw && toRow(raw);
  }

  list(): CameraStateRow[] {
    return (this.db.prepare('SELECT * FROM cameras ORDER BY id').all() as Raw[]).map(toRow);
  }

  setStatus(id: string, status: CameraStatus, lastError: string | null, at: string): void {
    this.ensure(id, at);
    this.db.prepare('UPDATE cameras SET status = ?, last_error = ?, updated_at = ? WHERE id = ?').run(status, lastError, at, id);
  }

  setPrivacy(id: string, enabled: boolean, at: string): void {
    this.ensure(id, at);
    this.db.prepare('UPDATE cameras SET privacy = ?, updated_at = ? WHERE id = ?').run(enabled ? 1 : 0, at, id);
  }
}

function toRow(raw: Raw): CameraStateRow {
  return { id: raw.id, privacy: raw.privacy === 1, status: raw.status, lastError: raw.last_error, updatedAt: raw.updated_at };
}
