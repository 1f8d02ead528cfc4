import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { LedgerEntry } from '../core/types.js';
import { checkChain, entryLine, GENESIS_HASH, type Finding } from './chain.js';
import { KEY_ALGORITHM, keyFingerprint, publicKeyFromBase64, SIGNATURE_PREFIX } from './signing.js';

/**
 * A self-contained, offline-verifiable copy of the ledger (`clipgate ledger export FILE`): the
 * entries with their signatures, the device's public key and the rules to check them by. Anyone
 * — the platform, a court, a neighbour — can run `clipgate ledger verify --bundle FILE` on it
 * with no database and no data dir. A bundle proves that its entries form one unbroken chain
 * signed by the key inside it; compare that key's fingerprint with one obtained independently
 * (the owner's `clipgate ledger key`, or the `deviceKey` the platform received with every upload)
 * or pass it with `--key` to pin it.
 */
export const BUNDLE_FORMAT = 'clipgate-ledger-bundle';
export const BUNDLE_VERSION = 1;
/** A bundle larger than this is refused before it is read (a ledger of a million entries is well under it). */
export const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const entrySchema = z.strictObject({
  seq: z.number().int().min(1),
  at: z.string().max(64),
  action: z.enum(['approved', 'uploaded', 'withdrawn', 'revoked', 'deleted', 'rejected']),
  clipId: z.string().max(200),
  shareId: z.string().max(200).nullable(),
  sha256: hex64.nullable(),
  exportSha256: hex64.nullable(),
  requestId: z.string().max(200).nullable(),
  options: z.unknown(),
  prevHash: hex64,
  hash: hex64,
  signature: z.string().max(200),
});
const headerSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  exportedAt: z.string(),
  device: z.object({ algorithm: z.literal(KEY_ALGORITHM), publicKey: z.string(), fingerprint: z.string() }),
  head: z.object({ seq: z.number().int().min(0), hash: z.string() }),
  entries: z.array(z.unknown()),
});

export function buildBundle(entries: readonly LedgerEntry[], device: { publicKeyBase64: string; fingerprint: string }, exportedAt: string): string {
  const last = entries.at(-1);
  const header = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt,
    device: { algorithm: KEY_ALGORITHM, publicKey: device.publicKeyBase64, fingerprint: device.fingerprint },
    scheme: {
      hash: 'hash = hex SHA-256(prevHash + canonical JSON of {seq, at, action, clipId, shareId, sha256, exportSha256, requestId, options}); keys sorted, no whitespace; first prevHash is 64 zeros',
      signature: `signature = base64 Ed25519 over the UTF-8 bytes of "${SIGNATURE_PREFIX}" + hash, by device.publicKey (raw 32 bytes, base64)`,
    },
    head: { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH },
  };
  const head = JSON.stringify(header, null, 1).replace(/\n}$/, '');
  // One entry per line, so a damaged bundle can be read (and reported) entry by entry.
  return `${head},\n "entries": [\n${entries.map((e) => `  ${entryLine(e)}`).join(',\n')}\n ]\n}\n`;
}

export interface BundleResult {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  reason?: string;
  fingerprint?: string;
}

/** Which entry a byte offset of the bundle text falls in (its line's `"seq":N`), for a JSON syntax error. */
function entryAt(text: string, offset: number): number | undefined {
  const start = text.lastIndexOf('\n', offset) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end < 0 ? undefined : end);
  const m = /"seq":(\d+)/.exec(line);
  return m ? Number(m[1]) : undefined;
}

function fail(reason: string, entries = 0, seq?: number, fingerprint?: string): BundleResult {
  return { ok: false, entries, reason, ...(seq !== undefined && { firstBadSeq: seq }), ...(fingerprint !== undefined && { fingerprint }) };
}

/**
 * Check a bundle with nothing but its own text: its shape, every entry's hash and signature, the
 * chain's order and its declared head; with `expectKey` (a fingerprint or a base64 public key),
 * also that it was signed by that device.
 */
export async function verifyBundle(text: string, expectKey?: string): Promise<BundleResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    const seq = at ? entryAt(text, Number(at[1])) : undefined;
    return fail(`the bundle is not valid JSON${seq !== undefined ? ` (inside entry ${seq})` : ''}: ${(err as Error).message}`, 0, seq);
  }
  const header = headerSchema.safeParse(parsed);
  if (!header.success) return fail(`not a ${BUNDLE_FORMAT} version ${BUNDLE_VERSION}: ${header.error.issues[0]?.path.join('.') ?? ''} ${header.error.issues[0]?.message ?? ''}`.trim());
  const h = header.data;
  let key: KeyObject;
  try {
    key = publicKeyFromBase64(h.device.publicKey);
  } catch (err) {
    return fail(`device.publicKey: ${(err as Error).message}`);
  }
  const fingerprint = keyFingerprint(key);
  if (fingerprint !== h.device.fingerprint) return fail('device.fingerprint does not belong to device.publicKey', 0, undefined, fingerprint);
  if (expectKey !== undefined && expectKey.replace(/\s+/g, '').toLowerCase() !== fingerprint && expectKey !== h.device.publicKey) {
    return fail(`the bundle is signed by device ${fingerprint}, not by the expected key`, 0, undefined, fingerprint);
  }
  const entries: LedgerEntry[] = [];
  for (const [i, raw] of h.entries.entries()) {
    const e = entrySchema.safeParse(raw);
    const seq = typeof (raw as { seq?: unknown })?.seq === 'number' ? (raw as { seq: number }).seq : i + 1;
    if (!e.success) return fail(`entry ${seq} is malformed: ${e.error.issues[0]?.path.join('.') ?? ''} ${e.error.issues[0]?.message ?? ''}`.trim(), h.entries.length, seq, fingerprint);
    entries.push(e.data);
  }
  const finding: Finding | undefined = await checkChain(entries, key);
  if (finding) return fail(finding.reason, entries.length, finding.seq, fingerprint);
  const last = entries.at(-1);
  if (h.head.seq !== (last?.seq ?? 0) || h.head.hash !== (last?.hash ?? GENESIS_HASH)) {
    return fail(`the bundle declares head entry ${h.head.seq} but its chain ends at entry ${last?.seq ?? 0}`, entries.length, Math.min(h.head.seq, (last?.seq ?? 0) + 1) || 1, fingerprint);
  }
  return { ok: true, entries: entries.length, fingerprint };
}
