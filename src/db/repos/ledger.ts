import type { LedgerAction, LedgerEntry } from '../../core/types.js';
import type { Db } from '../connection.js';

interface Raw {
  seq: number;
  at: string;
  action: LedgerAction;
  clip_id: string;
  share_id: string | null;
  sha256: string | null;
  export_sha256: string | null;
  request_id: string | null;
  options_json: string | null;
  prev_hash: string;
  hash: string;
}

function fromRaw(r: Raw): LedgerEntry {
  return {
    seq: r.seq,
    at: r.at,
    action: r.action,
    clipId: r.clip_id,
    shareId: r.share_id,
    sha256: r.sha256,
    exportSha256: r.export_sha256,
    requestId: r.request_id,
    options: r.options_json === null ? null : (JSON.parse(r.options_json) as unknown),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * The share ledger's storage: append and read only. The hash chain itself is computed in
 * src/review/ledger.ts; there is deliberately no update or delete here.
 */
export class LedgerRepo {
  constructor(private readonly db: Db) {}

  last(): LedgerEntry | undefined {
    const r = this.db.prepare('SELECT * FROM ledger ORDER BY seq DESC LIMIT 1').get() as Raw | undefined;
    return r && fromRaw(r);
  }

  append(e: LedgerEntry): void {
    this.db
      .prepare(
        `INSERT INTO ledger (seq, at, action, clip_id, share_id, sha256, export_sha256, request_id, options_json, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.seq, e.at, e.action, e.clipId, e.shareId, e.sha256, e.exportSha256, e.requestId, e.options === null ? null : JSON.stringify(e.options), e.prevHash, e.hash);
  }

  /** In seq order (seq is the rowid); verification walks this order, so a swapped pair of entries breaks the chain. */
  all(): LedgerEntry[] {
    return (this.db.prepare('SELECT * FROM ledger ORDER BY rowid').all() as Raw[]).map(fromRaw);
  }

  /** Whether the clip has an entry with this action (e.g. 'deleted': the clip row is soft-deleted). */
  hasAction(clipId: string, action: LedgerAction): boolean {
    return this.db.prepare('SELECT 1 FROM ledger WHERE clip_id = ? AND action = ? LIMIT 1').get(clipId, action) !== undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;
  }
}
