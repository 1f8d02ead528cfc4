import { AppendOnlyFile } from '../core/durable.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LedgerControl, LedgerKeyView } from '../core/ports.js';
import type { Problems } from '../core/problems.js';
import type { Service } from '../core/service.js';
import type { LedgerAction, LedgerEntry } from '../core/types.js';
import type { Db, Repos } from '../db/index.js';
import { buildBundle } from './bundle.js';
import { entryHash, GENESIS_HASH, type Hashable } from './chain.js';
import { loadOrCreateDeviceKey, readDevicePublicKey, type DeviceKey } from './device-key.js';
import { MirrorDivergedError, mirrorPath, MIRROR_SYNCED_KEY, parseSynced, readMirror, syncMirror } from './mirror.js';
import { KEY_ALGORITHM, signEntryHash } from './signing.js';
import { verifyLedger, type VerifyResult } from './verify.js';

/** settings key holding {seq, hash} of the newest entry, so a cut-off tail is detected too. */
export const HEAD_KEY = 'ledger.head';
/** settings key written once the device key signed the entries that predate it (never again after). */
export const SIGNING_KEY = 'ledger.signing';
export const MIRROR_PROBLEM = 'ledger.mirror';

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

export interface LedgerDeps {
  db: Db;
  repos: Pick<Repos, 'ledger' | 'settings' | 'shares'>;
  dataDir: string;
  log: Logger;
  problems?: Problems;
}

/** The newest entry as it travels with every upload (the platform's witness of the chain). */
export interface LedgerHead {
  seq: number;
  hash: string;
  signature: string;
}

/**
 * The tamper-evident share ledger (DESIGN invariant 3): a hash chain in SQLite, each entry signed
 * with the device's Ed25519 key, mirrored to `dataDir/ledger.jsonl`. Appending happens only
 * inside the caller's transaction, so an entry exists exactly when the state change it records
 * committed; write() is that transaction (IMMEDIATE, so reading the last entry and inserting the
 * next cannot interleave with another process) followed by the mirror append.
 */
export class Ledger implements LedgerControl, Service {
  readonly name = 'ledger';
  private key: DeviceKey | undefined;
  private readonly mirror: AppendOnlyFile;

  constructor(private readonly deps: LedgerDeps) {
    this.mirror = new AppendOnlyFile(mirrorPath(deps.dataDir));
  }

  /** First start: create the device key (signing what came before it), then catch the mirror up. */
  async start(): Promise<void> {
    const key = this.deviceKey();
    this.deps.log.info({ fingerprint: key.fingerprint, created: key.created }, 'ledger device key');
    this.syncMirror();
  }

  async stop(): Promise<void> {
    // Holds no resource between calls.
  }

  /** The device key, loaded (or created, on the first start) on first use. */
  deviceKey(): DeviceKey {
    if (!this.key) {
      this.key = loadOrCreateDeviceKey(this.deps.dataDir);
      this.signEarlierEntries(this.key);
    }
    return this.key;
  }

  keyView(): LedgerKeyView {
    const k = this.deviceKey();
    return { algorithm: KEY_ALGORITHM, publicKey: k.publicKeyBase64, fingerprint: k.fingerprint };
  }

  /** Append one signed entry; only inside the caller's transaction (use write()). */
  append(input: LedgerInput, at: string): LedgerEntry {
    if (!this.deps.db.inTransaction) throw new Error('Ledger.append must run inside a database transaction');
    const key = this.deviceKey();
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
    const hash = entryHash(prevHash, body);
    const entry: LedgerEntry = { ...body, prevHash, hash, signature: signEntryHash(key.privateKey, hash) };
    this.deps.repos.ledger.append(entry);
    this.deps.repos.settings.set(HEAD_KEY, JSON.stringify({ seq: entry.seq, hash: entry.hash }));
    return entry;
  }

  /**
   * Run `fn` (which appends entries together with the state changes they record) in one IMMEDIATE
   * transaction, then append what it committed to the mirror. A crash between the two leaves the
   * mirror behind, never ahead; the next write or start appends the rest.
   */
  write<T>(fn: () => T): T {
    // Load the key outside the transaction: creating it may sign earlier entries in its own.
    this.deviceKey();
    const result = this.deps.db.transaction(fn).immediate();
    this.syncMirror();
    return result;
  }

  /**
   * Append to the mirror the entries it lacks, under the database's write lock (so two processes
   * never interleave lines). Never throws: a disagreement or an I/O error becomes the problem
   * `ledger.mirror` and is retried on the next write.
   */
  syncMirror(): boolean {
    const { db, repos, log, problems } = this.deps;
    // Inside an open transaction the entries are not committed yet: the outer write() syncs.
    if (db.inTransaction) return false;
    try {
      db.transaction(() => {
        const synced = parseSynced(repos.settings.get(MIRROR_SYNCED_KEY));
        const source = { get: (seq: number) => repos.ledger.get(seq), after: (seq: number) => repos.ledger.after(seq), lastSeq: () => repos.ledger.last()?.seq ?? 0 };
        const now = syncMirror(this.mirror, source, synced);
        if (now !== synced) repos.settings.set(MIRROR_SYNCED_KEY, JSON.stringify({ seq: now }));
      }).immediate();
      problems?.clear(MIRROR_PROBLEM);
      return true;
    } catch (err) {
      const diverged = err instanceof MirrorDivergedError;
      log.error({ err: errorMessage(err), file: this.mirror.file }, diverged ? 'the ledger mirror disagrees with the database' : 'could not write the ledger mirror');
      problems?.raise(
        MIRROR_PROBLEM,
        'error',
        diverged ? 'The ledger mirror disagrees with the database' : 'The ledger mirror cannot be written',
        `${errorMessage(err)}. Run \`clipgate ledger verify\`; the mirror is never rewritten.`,
      );
      return false;
    }
  }

  /** The newest entry (what an upload carries as its witness), or undefined for an empty ledger. */
  head(): LedgerHead | undefined {
    const last = this.deps.repos.ledger.last();
    return last && { seq: last.seq, hash: last.hash, signature: last.signature };
  }

  list(): LedgerEntry[] {
    return this.deps.repos.ledger.all();
  }

  /**
   * Signatures, chain, head, mirror and shares, from one consistent view: read under the write
   * lock, because writers append to the mirror under it too.
   */
  async verify(): Promise<VerifyResult> {
    const { db, repos, dataDir } = this.deps;
    const snap = db
      .transaction(() => ({
        entries: repos.ledger.all(),
        head: parseHead(repos.settings.get(HEAD_KEY)),
        mirrorSynced: parseSynced(repos.settings.get(MIRROR_SYNCED_KEY)),
        signing: repos.settings.get(SIGNING_KEY),
        shares: repos.shares.list().map((s) => ({ id: s.id, status: s.status, sha256: s.sha256, consentSeq: s.consentSeq, legacyConsent: s.legacyConsent })),
        mirror: readMirror(this.mirror.file),
      }))
      .immediate();
    const result = await verifyLedger({ ...snap, publicKey: readDevicePublicKey(dataDir)?.publicKey });
    if (!result.ok && snap.signing === undefined && result.reason?.includes('signature')) {
      result.reason += '; entries written before this clipgate version are signed when the daemon first starts';
    }
    return result;
  }

  /** A self-contained copy for `clipgate ledger export` (bundle.ts). */
  exportBundle(at: string): string {
    const key = this.deviceKey();
    return buildBundle(this.list(), key, at);
  }

  /**
   * Entries from before migration 002 have no signature. The first time a device key exists they
   * are signed (once: SIGNING_KEY records it); afterwards an unsigned entry is a failure.
   */
  private signEarlierEntries(key: DeviceKey): void {
    const { db, repos, log } = this.deps;
    if (repos.settings.get(SIGNING_KEY) !== undefined) return;
    const signed = db.transaction(() => {
      if (repos.settings.get(SIGNING_KEY) !== undefined) return 0;
      let n = 0;
      for (const e of repos.ledger.unsigned()) if (repos.ledger.setMissingSignature(e.seq, signEntryHash(key.privateKey, e.hash))) n++;
      repos.settings.set(SIGNING_KEY, JSON.stringify({ fingerprint: key.fingerprint, signedEarlier: n }));
      return n;
    });
    const n = db.inTransaction ? signed() : signed.immediate();
    if (n > 0) log.info({ entries: n, fingerprint: key.fingerprint }, 'signed the ledger entries written before the device key existed');
  }
}

/** The head record; a damaged one is itself tampering and reads as an impossible head. */
function parseHead(text: string | undefined): { seq: number; hash: string } | undefined {
  if (text === undefined) return undefined;
  try {
    const h = JSON.parse(text) as { seq?: unknown; hash?: unknown };
    if (typeof h.seq === 'number' && typeof h.hash === 'string') return { seq: h.seq, hash: h.hash };
  } catch {
    // fall through
  }
  return { seq: -1, hash: '' };
}
