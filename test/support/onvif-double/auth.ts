// Authentication checks of the fake ONVIF device: WS-Security UsernameToken (PasswordDigest)
// against the device's own (possibly skewed) clock, and HTTP Digest (MD5, qop=auth).
import { createHash, randomBytes } from 'node:crypto';

export type AuthMode = 'none' | 'wsse' | 'digest' | 'either';

/** Real cameras reject UsernameTokens whose Created is far from their clock; many use a few seconds. */
export const WSSE_MAX_SKEW_MS = 30_000;

const tag = (xml: string, name: string): string | undefined => new RegExp(`<(?:\\w+:)?${name}\\b[^>]*>([^<]*)</(?:\\w+:)?${name}>`).exec(xml)?.[1];

export type WsseResult = 'absent' | 'ok' | 'bad-password' | 'stale';

export function checkWsse(body: string, username: string, password: string, cameraNowMs: number): WsseResult {
  if (!/UsernameToken/.test(body)) return 'absent';
  const user = tag(body, 'Username');
  const digest = tag(body, 'Password');
  const nonce = tag(body, 'Nonce');
  const created = tag(body, 'Created');
  if (user !== username || !digest || !nonce || !created) return 'bad-password';
  const expected = createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(password)]))
    .digest('base64');
  if (expected !== digest) return 'bad-password';
  const createdMs = Date.parse(created);
  if (!Number.isFinite(createdMs) || Math.abs(createdMs - cameraNowMs) > WSSE_MAX_SKEW_MS) return 'stale';
  return 'ok';
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export class DigestVerifier {
  readonly realm = 'IP Camera(onvif-double)';
  private nonces = new Set<string>();

  challenge(): string {
    const nonce = randomBytes(12).toString('hex');
    this.nonces.add(nonce);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", algorithm=MD5, stale="FALSE"`;
  }

  /** 'absent' when there is no Digest header at all. */
  check(header: string | undefined, method: string, username: string, password: string): 'absent' | 'ok' | 'bad' {
    if (!header?.startsWith('Digest ')) return 'absent';
    const p: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1] ?? ''] = m[2] ?? m[3] ?? '';
    if (p.username !== username || !p.nonce || !this.nonces.has(p.nonce) || !p.uri) return 'bad';
    const ha1 = md5(`${username}:${this.realm}:${password}`);
    const ha2 = md5(`${method}:${p.uri}`);
    const expected = p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
    return expected === p.response ? 'ok' : 'bad';
  }

  /** A camera reboot forgets issued nonces. */
  reset(): void {
    this.nonces = new Set();
  }
}
