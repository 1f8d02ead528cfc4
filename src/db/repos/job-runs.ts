import type { Db } from '../connection.js';

export interface JobRunRow {
  name: string;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  durationMs: number | null;
}

interface Raw {
  name: string;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_status: string | null;
  last_error: string | null;
  duration_ms: number | null;
}

/** The last run of each scheduled job, so the owner can see that retention actually ran. */
export class JobRunsRepo {
  constructor(private readonly db: Db) {}

  started(name: string, at: string): void {
    this.db
      .prepare('INSERT INTO job_runs (name, last_started_at, last_status) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET last_started_at = excluded.last_started_at, last_status = excluded.last_status')
      .run(name, at, 'running');
  }

  finished(name: string, at: string, durationMs: number, error: string | null): void {
    this.db
      .prepare('UPDATE job_runs SET last_finished_at = ?, duration_ms = ?, last_status = ?, last_error = ? WHERE name = ?')
      .run(at, durationMs, error ? 'failed' : 'ok', error, name);
  }

  list(): JobRunRow[] {
    return (this.db.prepare('SELECT * FROM job_runs ORDER BY name').all() as Raw[]).map((r) => ({
      name: r.name,
      lastStartedAt: r.last_started_at,
      lastFinishedAt: r.last_finished_at,
      lastStatus: r.last_status,
      lastError: r.last_error,
      durationMs: r.duration_ms,
    }));
  }
}
