// The signed, mirrored share ledger: chain.ts (hash chain), signing.ts and device-key.ts (Ed25519),
// mirror.ts (ledger.jsonl), verify.ts (everything `ledger verify` checks), bundle.ts (offline copies).
import type { Core } from '../core/core.js';
import { Ledger } from './ledger.js';

export { Ledger, HEAD_KEY, SIGNING_KEY, MIRROR_PROBLEM, type LedgerInput, type LedgerHead } from './ledger.js';
export { canonicalJson, entryHash, entryLine, GENESIS_HASH, type Finding } from './chain.js';
export { verifyLedger, checkShares, type VerifyResult, type ShareFacts } from './verify.js';
export { buildBundle, verifyBundle, MAX_BUNDLE_BYTES, BUNDLE_FORMAT, type BundleResult } from './bundle.js';
export { mirrorPath, MIRROR_FILE, MIRROR_SYNCED_KEY } from './mirror.js';
export { deviceKeyPath, loadOrCreateDeviceKey, readDevicePublicKey, DEVICE_KEY_FILE, type DeviceKey } from './device-key.js';
export { signEntryHash, verifyEntrySignature, publicKeyFromBase64, keyFingerprint, groupFingerprint, SIGNATURE_PREFIX } from './signing.js';

/** The ledger of the daemon's (or a CLI command's) data dir; the daemon starts it first of the review side. */
export function createLedger(core: Core): Ledger {
  return new Ledger({ db: core.db, repos: core.repos, dataDir: core.paths.dataDir, log: core.log.child({ module: 'ledger' }), problems: core.problems });
}
