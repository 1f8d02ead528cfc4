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
  signature: string | null;
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
    // NULL only before the device key existed (migration 002); verification reports it as unsigned.
    signature: r.signature ?? '',
  };
}

/**
 * The share ledger's storage: append and read only. The hash chain and signatures are computed in
 * src/ledger/; there is deliberately no update or delete here, except signing an entry that
 * has no signature yet (entries written before the device key existed).
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
        `INSERT INTO ledger (seq, at, action, clip_id, share_id, sha256, export_sha256, request_id, options_json, prev_hash, hash, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.seq, e.at, e.action, e.clipId, e.shareId, e.sha256, e.exportSha256, e.requestId, e.options === null ? null : JSON.stringify(e.options), e.prevHash, e.hash, e.signature);
  }

  get(seq: number): LedgerEntry | undefined {
    const r = this.db.prepare('SELECT * FROM ledger WHERE seq = ?').get(seq) as Raw | undefined;
    return r && fromRaw(r);
  }

  /** Entries with seq > after, in seq order. */
  after(after: number): LedgerEntry[] {
    return (this.db.prepare('SELECT * FROM ledger WHERE seq > ? ORDER BY seq').all(after) as Raw[]).map(fromRaw);
  }

  unsigned(): LedgerEntry[] {
    return (this.db.prepare('SELECT * FROM ledger WHERE signature IS NULL ORDER BY seq').all() as Raw[]).map(fromRaw);
  }

  /** Sign an entry written before the device key existed; never replaces a signature. */
  setMissingSignature(seq: number, signature: string): boolean {
    return this.db.prepare('UPDATE ledger SET signature = ? WHERE seq = ? AND signature IS NULL').run(signature, seq).changes === 1;
  }

  /** The share's entries, in seq order. */
  forShare(shareId: string): LedgerEntry[] {
    return (this.db.prepare('SELECT * FROM ledger WHERE share_id = ? ORDER BY seq').all(shareId) as Raw[]).map(fromRaw);
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
