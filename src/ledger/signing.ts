import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The ledger's signature scheme, pure and shared by the daemon, `clipgate ledger verify
 * --bundle` and the dev platform (which checks the witness an upload carries):
 *
 *   signature = base64( Ed25519( deviceKey, UTF-8 bytes of "clipgate-ledger-v1:" + entry.hash ) )
 *
 * The entry hash already covers every field and the previous entry's hash (chain.ts), so signing
 * it signs the whole history up to that entry. The prefix keeps these signatures from meaning
 * anything in another protocol that might sign a bare SHA-256. The public key travels as the raw
 * 32-byte Ed25519 key in base64; its fingerprint is the hex SHA-256 of those 32 bytes.
 */

export const SIGNATURE_PREFIX = 'clipgate-ledger-v1:';
export const KEY_ALGORITHM = 'Ed25519';

/** The SPKI DER prefix of every Ed25519 public key (RFC 8410): the raw key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function signatureMessage(entryHash: string): Buffer {
  return Buffer.from(SIGNATURE_PREFIX + entryHash, 'utf8');
}

export function signEntryHash(privateKey: KeyObject, entryHash: string): string {
  return sign(null, signatureMessage(entryHash), privateKey).toString('base64');
}

/** False for any malformed input (wrong length, not base64, another key type) rather than throwing. */
export function verifyEntrySignature(publicKey: KeyObject, entryHash: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
  try {
    return verify(null, signatureMessage(entryHash), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The raw 32-byte public key, base64: what `deviceKey` (tus metadata, bundles, `ledger key`) carries. */
export function rawPublicKeyBase64(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return der.subarray(ED25519_SPKI_PREFIX.length).toString('base64');
}

/** A KeyObject from the base64 raw key; throws on anything that is not a 32-byte Ed25519 key. */
export function publicKeyFromBase64(raw: string): KeyObject {
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== raw) throw new Error('not a base64 Ed25519 public key (32 bytes)');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]), format: 'der', type: 'spki' });
}

/** Hex SHA-256 of the raw public key. */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(Buffer.from(rawPublicKeyBase64(publicKey), 'base64')).digest('hex');
}

/** `ab12 cd34 …` for people comparing fingerprints by eye. */
export function groupFingerprint(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}

export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the device key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}
