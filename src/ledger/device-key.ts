import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createExclusiveSync } from '../core/durable.js';
import { AppError } from '../core/errors.js';
import { keyFingerprint, privateKeyFromPem, rawPublicKeyBase64 } from './signing.js';

/** The device's signing key: PKCS#8 PEM in the data dir, mode 0600, created once and never replaced. */
export const DEVICE_KEY_FILE = 'device-key.pem';

export interface DeviceKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Raw 32-byte public key, base64. */
  publicKeyBase64: string;
  /** Hex SHA-256 of the raw public key. */
  fingerprint: string;
  /** Created by this call (the first start on this data dir). */
  created: boolean;
}

export function deviceKeyPath(dataDir: string): string {
  return path.join(dataDir, DEVICE_KEY_FILE);
}

function describe(privateKey: KeyObject, created: boolean): DeviceKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyBase64: rawPublicKeyBase64(publicKey), fingerprint: keyFingerprint(publicKey), created };
}

function readKey(file: string): KeyObject {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AppError('DEVICE_KEY_INVALID', `the device key ${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
  try {
    return privateKeyFromPem(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('DEVICE_KEY_INVALID', `the device key ${file} is damaged: ${(err as Error).message}; restore it from a backup`);
  }
}

/**
 * The device key, created at the first start (Ed25519 from node:crypto). Creation is race-free
 * across processes (daemon and CLI): the new key is linked into place only if none exists, and
 * whoever loses the race reads the winner's key.
 */
export function loadOrCreateDeviceKey(dataDir: string): DeviceKey {
  const file = deviceKeyPath(dataDir);
  try {
    return describe(readKey(file), false);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  if (createExclusiveSync(file, pem, 0o600)) return describe(privateKey, true);
  return describe(readKey(file), false);
}

/** The public half of an existing device key, or undefined when there is none (verification never creates one). */
export function readDevicePublicKey(dataDir: string): Omit<DeviceKey, 'privateKey' | 'created'> | undefined {
  const file = deviceKeyPath(dataDir);
  try {
    const { publicKey, publicKeyBase64, fingerprint } = describe(readKey(file), false);
    return { publicKey, publicKeyBase64, fingerprint };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
