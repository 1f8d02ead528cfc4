import { createHash, type KeyObject } from 'node:crypto';
import type { LedgerEntry } from '../core/types.js';
import { verifyEntrySignature } from './signing.js';

/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

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

export type Hashable = Omit<LedgerEntry, 'hash' | 'prevHash' | 'signature'>;

/** hash = SHA-256(prevHash + canonical JSON of the entry's fields without prevHash, hash and signature). */
export function entryHash(prevHash: string, e: Hashable): string {
  const body: Hashable = {
    seq: e.seq, at: e.at, action: e.action, clipId: e.clipId, shareId: e.shareId, sha256: e.sha256,
    exportSha256: e.exportSha256, requestId: e.requestId, options: e.options,
  };
  return createHash('sha256').update(prevHash + canonicalJson(body)).digest('hex');
}

/** The entry exactly as the mirror and bundles hold it: one canonical JSON text per entry. */
export function entryLine(e: LedgerEntry): string {
  return canonicalJson({
    seq: e.seq, at: e.at, action: e.action, clipId: e.clipId, shareId: e.shareId, sha256: e.sha256, exportSha256: e.exportSha256,
    requestId: e.requestId, options: e.options, prevHash: e.prevHash, hash: e.hash, signature: e.signature,
  });
}

/** The first disagreement a check found, and why. */
export interface Finding {
  seq: number;
  reason: string;
}

/** Yield to the event loop this often while checking, so the daemon stays responsive on a long ledger. */
const YIELD_EVERY = 256;

/**
 * Walk the entries in seq order and return the first one that breaks the chain: a gap in seq
 * (a deleted row), a prevHash that is not the previous entry's hash (deleted or swapped rows), a
 * hash that does not match the entry's content (an edited field), or a signature the device key
 * did not make (an entry forged or re-hashed by someone without the key).
 */
export async function checkChain(entries: readonly LedgerEntry[], publicKey: KeyObject | undefined): Promise<Finding | undefined> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const [i, e] of entries.entries()) {
    if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    if (e.seq !== expectedSeq) return { seq: expectedSeq, reason: `entry ${expectedSeq} is missing (found ${e.seq} next)` };
    if (e.prevHash !== prevHash) return { seq: e.seq, reason: `entry ${e.seq} does not follow entry ${e.seq - 1} (prevHash mismatch)` };
    if (entryHash(e.prevHash, e) !== e.hash) return { seq: e.seq, reason: `entry ${e.seq} was altered (hash mismatch)` };
    if (!publicKey) return { seq: e.seq, reason: 'there is no device key to check the signatures with' };
    if (!e.signature) return { seq: e.seq, reason: `entry ${e.seq} is not signed` };
    if (!verifyEntrySignature(publicKey, e.hash, e.signature)) return { seq: e.seq, reason: `entry ${e.seq} has a signature the device key did not make` };
    prevHash = e.hash;
    expectedSeq++;
  }
  return undefined;
}

/** The head record (`{seq, hash}` of the newest entry, kept apart from the entries) against the chain's end. */
export function checkHead(entries: readonly LedgerEntry[], head: { seq: number; hash: string } | undefined): Finding | undefined {
  const last = entries.at(-1);
  if (!head) {
    // The head is written with every entry: entries without one means it was removed.
    return last ? { seq: last.seq + 1, reason: `the head record is missing although the chain has ${last.seq} entries (removed)` } : undefined;
  }
  if (head.seq === (last?.seq ?? 0) && head.hash === (last?.hash ?? GENESIS_HASH)) return undefined;
  const seq = Math.max(1, Math.min(head.seq, (last?.seq ?? 0) + 1));
  return { seq, reason: `the chain ends at entry ${last?.seq ?? 0}, but the head record names entry ${head.seq} (entries removed from the end, or the head rewritten)` };
}

/** The earliest of several findings (each check reports its own first). */
export function earliest(...findings: (Finding | undefined)[]): Finding | undefined {
  let best: Finding | undefined;
  for (const f of findings) if (f && (!best || f.seq < best.seq)) best = f;
  return best;
}
