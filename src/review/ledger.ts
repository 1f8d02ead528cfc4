import { createHash } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { LedgerRepo } from '../db/repos/ledger.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { LedgerControl } from '../core/ports.js';
import type { LedgerAction, LedgerEntry } from '../core/types.js';

/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
/** settings key holding {seq, hash} of the newest entry, so a cut-off tail is detected too. */
export const HEAD_KEY = 'ledger.head';

export interface LedgerInput {
  action: LedgerAction;
  clipId: string;
  shareId?: string | null;
  /** SHA-256 of the original clip. */
  sha256?: string | null;
  /** SHA-256 of the redacted export, once it exists. */
  exportSha256?: string | null;
  requestId?: string | null;
  options?: unknown;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  /** Why the first bad entry is bad, for `clipgate ledger verify`. */
  reason?: string;
}

/**
 * JSON with object keys sorted at every level and no whitespace: the same value always gives
 * the same bytes, whatever order its keys were built in or read back from SQLite.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: cannot encode ${typeof value}`);
}

type Hashable = Omit<LedgerEntry, 'hash' | 'prevHash'>;

/** hash = SHA-256(prevHash + canonical JSON of the entry's fields without prevHash and hash). */
export function entryHash(prevHash: string, e: Hashable): string {
  const body: Hashable = {
    seq: e.seq, at: e.at, action: e.action, clipId: e.clipId, shareId: e.shareId, sha256: e.sha256,
    exportSha256: e.exportSha256, requestId: e.requestId, options: e.options,
  };
  return createHash('sha256').update(prevHash + canonicalJson(body)).digest('hex');
}

/**
 * Walk the entries in seq order and return the first one that breaks the chain: a gap in seq
 * (a deleted row), a prevHash that is not the previous entry's hash (deleted or swapped rows),
 * or a hash that does not match the entry's content (an edited field).
 */
export function verifyChain(entries: LedgerEntry[], head?: { seq: number; hash: string }): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    const bad = (reason: string, seq = e.seq): VerifyResult => ({ ok: false, entries: entries.length, firstBadSeq: seq, reason });
    if (e.seq !== expectedSeq) return bad(`entry ${expectedSeq} is missing (found ${e.seq} next)`, expectedSeq);
    if (e.prevHash !== prevHash) return bad(`entry ${e.seq} does not follow entry ${e.seq - 1} (prevHash mismatch)`);
    if (entryHash(e.prevHash, e) !== e.hash) return bad(`entry ${e.seq} was altered (hash mismatch)`);
    prevHash = e.hash;
    expectedSeq++;
  }
  const last = entries.at(-1);
  if (head && (head.seq !== (last?.seq ?? 0) || head.hash !== (last?.hash ?? GENESIS_HASH))) {
    const seq = Math.max(1, Math.min(head.seq, (last?.seq ?? 0) + 1));
    return { ok: false, entries: entries.length, firstBadSeq: seq, reason: `the chain ends at entry ${last?.seq ?? 0}, but entry ${head.seq} was written (entries removed from the end)` };
  }
  return { ok: true, entries: entries.length };
}

export interface LedgerDeps {
  db: Db;
  repos: { ledger: LedgerRepo; settings: SettingsRepo };
}

/**
 * The tamper-evident share ledger (DESIGN invariant 3). Appending happens only inside the
 * caller's SQLite transaction, so an entry exists exactly when the state change it records
 * committed; callers that may race another process open it with `.immediate()` so the read of
 * the last entry and the insert cannot interleave with another writer.
 */
export class Ledger implements LedgerControl {
  constructor(private readonly deps: LedgerDeps) {}

  append(input: LedgerInput, at: string): LedgerEntry {
    if (!this.deps.db.inTransaction) throw new Error('Ledger.append must run inside a database transaction');
    const last = this.deps.repos.ledger.last();
    const body: Hashable = {
      seq: (last?.seq ?? 0) + 1,
      at,
      action: input.action,
      clipId: input.clipId,
      shareId: input.shareId ?? null,
      sha256: input.sha256 ?? null,
      exportSha256: input.exportSha256 ?? null,
      requestId: input.requestId ?? null,
      // Round-trip through JSON so the hash covers exactly what SQLite will give back.
      options: input.options === undefined || input.options === null ? null : (JSON.parse(JSON.stringify(input.options)) as unknown),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const entry: LedgerEntry = { ...body, prevHash, hash: entryHash(prevHash, body) };
    this.deps.repos.ledger.append(entry);
    this.deps.repos.settings.set(HEAD_KEY, JSON.stringify({ seq: entry.seq, hash: entry.hash }));
    return entry;
  }

  list(): LedgerEntry[] {
    return this.deps.repos.ledger.all();
  }

  verify(): VerifyResult {
    const read = this.deps.db.transaction(() => ({ entries: this.deps.repos.ledger.all(), head: this.deps.repos.settings.get(HEAD_KEY) }));
    const { entries, head } = read();
    return verifyChain(entries, head === undefined ? undefined : parseHead(head));
  }
}

function parseHead(text: string): { seq: number; hash: string } {
  try {
    const h = JSON.parse(text) as { seq?: unknown; hash?: unknown };
    if (typeof h.seq === 'number' && typeof h.hash === 'string') return { seq: h.seq, hash: h.hash };
  } catch {
    // A damaged head record is itself tampering; report it against the first entry.
  }
  return { seq: -1, hash: '' };
}
