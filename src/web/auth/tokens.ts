import { createHash, randomBytes } from 'node:crypto';

/** API tokens are random 32-byte values; only their SHA-256 is stored (they are not guessable, so no slow hash is needed). */
export const TOKEN_PREFIX = 'cg_';

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
