import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP Digest (RFC 7616) for cameras that refuse WS-Security and answer 401 with a Digest
 * challenge (many Dahua/Amcrest firmwares, some Hikvision ones). MD5 and SHA-256, qop=auth or
 * the legacy RFC 2069 form without qop.
 */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm: 'MD5' | 'SHA-256';
}

/** Parse the Digest challenge(s) from a WWW-Authenticate header; prefers SHA-256 when offered. */
export function parseDigestChallenge(header: string | null): DigestChallenge | undefined {
  if (!header) return undefined;
  const found: DigestChallenge[] = [];
  // Several challenges may be folded into one header: split before each scheme name.
  for (const part of header.split(/,?\s*(?=\b(?:Digest|Basic|Bearer)\s)/i)) {
    if (!/^Digest\s/i.test(part)) continue;
    const params: Record<string, string> = {};
    for (const m of part.slice(7).matchAll(/([a-zA-Z]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) {
      params[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? '';
    }
    const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
    if (params.nonce === undefined || (algorithm !== 'MD5' && algorithm !== 'SHA-256')) continue;
    const challenge: DigestChallenge = { realm: params.realm ?? '', nonce: params.nonce, algorithm };
    if (params.qop !== undefined) challenge.qop = params.qop;
    if (params.opaque !== undefined) challenge.opaque = params.opaque;
    found.push(challenge);
  }
  return found.find((c) => c.algorithm === 'SHA-256') ?? found[0];
}

function hash(algorithm: DigestChallenge['algorithm'], text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
}

export interface DigestInput {
  challenge: DigestChallenge;
  method: string;
  uri: string;
  username: string;
  password: string;
  /** Nonce count for this nonce, starting at 1. */
  nc: number;
  cnonce?: string;
}

/** The Authorization header value answering a challenge. */
export function digestAuthorization(input: DigestInput): string {
  const { challenge: c, method, uri, username, password } = input;
  const ha1 = hash(c.algorithm, `${username}:${c.realm}:${password}`);
  const ha2 = hash(c.algorithm, `${method}:${uri}`);
  const qop = c.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
  const nc = input.nc.toString(16).padStart(8, '0');
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex');
  const response = qop
    ? hash(c.algorithm, `${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : hash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`);
  const quoted = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
  const parts = [
    `username=${quoted(username)}`,
    `realm=${quoted(c.realm)}`,
    `nonce=${quoted(c.nonce)}`,
    `uri=${quoted(uri)}`,
    `algorithm=${c.algorithm}`,
    `response=${quoted(response)}`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quoted(cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quoted(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
