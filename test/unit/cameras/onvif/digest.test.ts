import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge } from '../../../../src/cameras/onvif/digest.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

describe('HTTP Digest', () => {
  it('parses challenges and prefers SHA-256 when several are offered', () => {
    const c = parseDigestChallenge('Digest realm="IP Camera", qop="auth", nonce="abc", algorithm=MD5, Digest realm="IP Camera", qop="auth", nonce="def", algorithm=SHA-256');
    expect(c).toMatchObject({ realm: 'IP Camera', nonce: 'def', algorithm: 'SHA-256', qop: 'auth' });
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseDigestChallenge(null)).toBeUndefined();
    expect(parseDigestChallenge('Digest realm="x", nonce="n"')?.algorithm).toBe('MD5');
  });

  it('computes the RFC 7616 response (MD5, qop=auth) the server can verify', () => {
    const header = digestAuthorization({ challenge: { realm: 'r', nonce: 'n', qop: 'auth', algorithm: 'MD5' }, method: 'POST', uri: '/onvif/device_service', username: 'admin', password: 'pw', nc: 1, cnonce: 'c' });
    const expected = md5(`${md5('admin:r:pw')}:n:00000001:c:auth:${md5('POST:/onvif/device_service')}`);
    expect(header).toContain(`response="${expected}"`);
    expect(header).toContain('nc=00000001');
  });

  it('falls back to the RFC 2069 form without qop', () => {
    const header = digestAuthorization({ challenge: { realm: 'r', nonce: 'n', algorithm: 'MD5' }, method: 'POST', uri: '/x', username: 'u', password: 'p', nc: 1 });
    expect(header).toContain(`response="${md5(`${md5('u:r:p')}:n:${md5('POST:/x')}`)}"`);
    expect(header).not.toContain('qop=');
  });
});
