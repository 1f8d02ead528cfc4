import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../../core/durable.js';
import { keyFingerprint, publicKeyFromBase64, verifyEntrySignature } from '../../ledger/signing.js';

/** What the dev platform knows about one upload, for tests, the demo and its HTML page. */
export interface ReceivedUpload {
  id: string;
  metadata: Record<string, string>;
  /** Upload-Length the client declared. */
  size: number;
  /** Bytes currently stored. */
  offset: number;
  complete: boolean;
  /** Set once complete: whether the stored bytes hash to the `sha256` metadata. */
  verified?: { ok: boolean; actualSha256: string; at: string };
  /** Bytes received in PATCH bodies over the upload's life; minus `size` = bytes re-sent. */
  bytesReceived: number;
  patches: { offset: number; bytes: number; status: number }[];
  createdAt: string;
  /** The file that holds the bytes. */
  file: string;
  /** The device's ledger head the upload carried (tus metadata), checked against the device key it names. */
  witness?: Witness;
}

/** What the platform holds as its witness of the device's ledger: the head when the upload was created. */
export interface Witness {
  seq: number;
  hash: string;
  signature: string;
  deviceKey: string;
  /** Hex SHA-256 of the raw device key, '' when the key is malformed. */
  fingerprint: string;
  /** The signature is the device key's over the hash (src/ledger/signing.ts). */
  signatureValid: boolean;
}

/** The platform's check of an upload's witness: nothing but the metadata and the public scheme. */
export function witnessOf(meta: Record<string, string>): Witness | undefined {
  const { ledgerSeq, ledgerHash, ledgerSig, deviceKey } = meta;
  if (ledgerSeq === undefined || ledgerHash === undefined || ledgerSig === undefined || deviceKey === undefined) return undefined;
  let fingerprint = '';
  let signatureValid = false;
  try {
    const key = publicKeyFromBase64(deviceKey);
    fingerprint = keyFingerprint(key);
    signatureValid = /^[0-9a-f]{64}$/.test(ledgerHash) && verifyEntrySignature(key, ledgerHash, ledgerSig);
  } catch {
    // A malformed key is shown as such.
  }
  return { seq: Number(ledgerSeq), hash: ledgerHash, signature: ledgerSig, deviceKey, fingerprint, signatureValid };
}

interface TusInfo {
  id: string;
  size?: number;
  metadata?: Record<string, string | null>;
  creation_date?: string;
}

/**
 * Reads the @tus/file-store directory (`<id>` data + `<id>.json` info) and keeps the
 * platform-side counters: bytes received per upload and the sha256 verification results.
 * Counters live in memory; verification results are also written to disk so a restarted
 * platform still lists them.
 */
export class DevStore {
  readonly uploadsDir: string;
  private readonly resultsDir: string;
  private readonly counters = new Map<string, { bytes: number; patches: ReceivedUpload['patches'] }>();

  constructor(dir: string) {
    this.uploadsDir = path.join(dir, 'uploads');
    this.resultsDir = path.join(dir, 'results');
  }

  async init(): Promise<void> {
    await mkdir(this.uploadsDir, { recursive: true });
    await mkdir(this.resultsDir, { recursive: true });
  }

  /** Every byte received in PATCH bodies since start, uploads deleted since included. */
  totalBytesReceived(): number {
    let n = 0;
    for (const c of this.counters.values()) n += c.bytes;
    return n;
  }

  countBytes(id: string, n: number): void {
    this.counter(id).bytes += n;
  }

  recordPatch(id: string, offset: number, bytes: number, status: number): void {
    this.counter(id).patches.push({ offset, bytes, status });
  }

  /** Hash the stored bytes and compare them with the `sha256` the client declared. */
  async verify(id: string, declared: string | undefined): Promise<boolean> {
    const actual = (await sha256File(path.join(this.uploadsDir, id))).sha256;
    const result = { ok: declared !== undefined && actual === declared.toLowerCase(), actualSha256: actual, at: new Date().toISOString() };
    await writeFile(path.join(this.resultsDir, `${id}.json`), JSON.stringify(result));
    return result.ok;
  }

  /** Every upload still in the store, oldest first. */
  list(): ReceivedUpload[] {
    if (!existsSync(this.uploadsDir)) return [];
    const out: ReceivedUpload[] = [];
    for (const name of readdirSync(this.uploadsDir)) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      const file = path.join(this.uploadsDir, id);
      if (!existsSync(file)) continue;
      const info = JSON.parse(readFileSync(path.join(this.uploadsDir, name), 'utf8')) as TusInfo;
      out.push(this.describe(id, file, info));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Every file in the upload store (data and info), for "exactly these and nothing else" checks. */
  files(): string[] {
    return existsSync(this.uploadsDir) ? readdirSync(this.uploadsDir).sort() : [];
  }

  private describe(id: string, file: string, info: TusInfo): ReceivedUpload {
    const offset = statSync(file).size;
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(info.metadata ?? {})) metadata[k] = v ?? '';
    const resultFile = path.join(this.resultsDir, `${id}.json`);
    const counter = this.counters.get(id);
    const rec: ReceivedUpload = {
      id,
      metadata,
      size: info.size ?? -1,
      offset,
      complete: info.size !== undefined && offset === info.size,
      bytesReceived: counter?.bytes ?? 0,
      patches: counter ? [...counter.patches] : [],
      createdAt: info.creation_date ?? '',
      file,
    };
    const witness = witnessOf(metadata);
    if (witness) rec.witness = witness;
    if (existsSync(resultFile)) rec.verified = JSON.parse(readFileSync(resultFile, 'utf8')) as ReceivedUpload['verified'];
    return rec;
  }

  private counter(id: string): { bytes: number; patches: ReceivedUpload['patches'] } {
    let c = this.counters.get(id);
    if (!c) {
      c = { bytes: 0, patches: [] };
      this.counters.set(id, c);
    }
    return c;
  }
}
