import type { AssistanceRequest } from '../../core/types.js';
import type { Db } from '../connection.js';

/** A stored request for assistance, with when this device first and last saw it. */
export interface RequestRecord extends AssistanceRequest {
  receivedAt: string;
  updatedAt: string;
  open: boolean;
}

interface Raw {
  id: string;
  agency: string;
  case_number: string;
  title: string;
  description: string;
  starts_at: string;
  ends_at: string;
  latitude: number | null;
  longitude: number | null;
  radius_meters: number | null;
  received_at: string;
  updated_at: string;
  open: number;
}

function fromRaw(r: Raw): RequestRecord {
  const area = r.latitude !== null && r.longitude !== null && r.radius_meters !== null
    ? { latitude: r.latitude, longitude: r.longitude, radiusMeters: r.radius_meters }
    : null;
  return {
    id: r.id,
    agency: r.agency,
    caseNumber: r.case_number,
    title: r.title,
    description: r.description,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    area,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
    open: r.open === 1,
  };
}

/** Requests for assistance polled from the platform. Nothing here is ever sent back. */
export class RequestsRepo {
  constructor(private readonly db: Db) {}

  get(id: string): RequestRecord | undefined {
    const r = this.db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as Raw | undefined;
    return r && fromRaw(r);
  }

  /**
   * Insert or refresh one request (the platform may edit a request's window or text) and mark it
   * open. Returns true when the id was new to this device.
   */
  upsert(req: AssistanceRequest, at: string): boolean {
    const existed = this.get(req.id) !== undefined;
    this.db
      .prepare(
        `INSERT INTO requests (id, agency, case_number, title, description, starts_at, ends_at, latitude, longitude, radius_meters, received_at, updated_at, open)
         VALUES (@id, @agency, @caseNumber, @title, @description, @startsAt, @endsAt, @latitude, @longitude, @radiusMeters, @at, @at, 1)
         ON CONFLICT (id) DO UPDATE SET agency = excluded.agency, case_number = excluded.case_number, title = excluded.title,
           description = excluded.description, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
           latitude = excluded.latitude, longitude = excluded.longitude, radius_meters = excluded.radius_meters,
           updated_at = excluded.updated_at, open = 1`,
      )
      .run({
        id: req.id,
        agency: req.agency,
        caseNumber: req.caseNumber,
        title: req.title,
        description: req.description,
        startsAt: req.startsAt,
        endsAt: req.endsAt,
        latitude: req.area?.latitude ?? null,
        longitude: req.area?.longitude ?? null,
        radiusMeters: req.area?.radiusMeters ?? null,
        at,
      });
    return !existed;
  }

  /** Requests the platform no longer lists are closed (kept for the record, hidden from the open list). */
  closeAllExcept(openIds: readonly string[], at: string): number {
    const marks = openIds.map(() => '?').join(', ');
    const where = openIds.length > 0 ? `open = 1 AND id NOT IN (${marks})` : 'open = 1';
    return this.db.prepare(`UPDATE requests SET open = 0, updated_at = ? WHERE ${where}`).run(at, ...openIds).changes;
  }

  /** Open requests, newest window first. */
  listOpen(): RequestRecord[] {
    return (this.db.prepare('SELECT * FROM requests WHERE open = 1 ORDER BY starts_at DESC, id').all() as Raw[]).map(fromRaw);
  }

  countOpen(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM requests WHERE open = 1').get() as { n: number }).n;
  }
}
