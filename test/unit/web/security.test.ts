import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTING } from '../../../src/db/repos/settings.js';
import { generateToken, hashToken } from '../../../src/web/auth/tokens.js';
import { CAMERA_SECRET, UPLOAD_SECRET } from './fakes.js';
import { addClip, anyString, authed, login, startHarness, type Harness, type Login } from './harness.js';

let h: Harness;
let l: Login;
let token: string;

/** Every route of the API (docs/web.md, additions included), with a plausible body. */
const ROUTES: [string, string, object?][] = [
  ['DELETE', '/api/session'],
  ['GET', '/api/cameras'],
  ['GET', '/api/cameras/front-door'],
  ['POST', '/api/cameras/front-door/trigger', {}],
  ['PUT', '/api/cameras/front-door/privacy', { enabled: true }],
  ['GET', '/api/clips'],
  ['GET', '/api/clips/clip-1'],
  ['GET', '/api/clips/clip-1/video'],
  ['GET', '/api/clips/clip-1/thumbnail'],
  ['POST', '/api/clips/clip-1/approve', {}],
  ['POST', '/api/clips/clip-1/reject', {}],
  ['DELETE', '/api/clips/clip-1'],
  ['POST', '/api/clips/reject', { ids: ['clip-1'] }],
  ['POST', '/api/clips/delete', { ids: ['clip-1'] }],
  ['GET', '/api/shares'],
  ['GET', '/api/shares/s1'],
  ['POST', '/api/shares/s1/revoke', {}],
  ['POST', '/api/shares/s1/retry', {}],
  ['GET', '/api/requests'],
  ['GET', '/api/ledger'],
  ['GET', '/api/ledger/verify'],
  ['GET', '/api/events'],
  ['GET', '/api/problems'],
  ['GET', '/api/no-such-route'],
];

beforeAll(async () => {
  h = await startHarness();
  l = await login(h);
  addClip(h, { id: 'clip-1' });
  token = generateToken();
  h.app.core.repos.tokens.insert('automation', hashToken(token), h.app.core.clock.iso());
});
afterAll(async () => h.close());

describe('authentication is required', () => {
  it.each(ROUTES)('%s %s answers 401 without a session or token', async (method, url, body) => {
    const res = await h.server.inject({ method: method as 'GET', url, ...(body && { payload: body }) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('/api/health is open; GET /api/session tells an anonymous client nothing but that', async () => {
    expect((await h.server.inject({ url: '/api/health' })).statusCode).toBe(200);
    expect((await h.server.inject({ url: '/api/session' })).json()).toEqual({ authenticated: false, csrfToken: null, setupRequired: false, ingress: false });
  });

  it.each(ROUTES.filter(([m]) => m !== 'GET'))('%s %s with a cookie but no CSRF token answers 403', async (method, url, body) => {
    const res = await h.server.inject({ method: method as 'POST', url, headers: { cookie: l.cookie }, ...(body && { payload: body }) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'CSRF_FAILED' } });
  });
});

describe('hostile input', () => {
  it.each([
    ['/api/clips/..%2F..%2Fetc%2Fpasswd/video', 400],
    ['/api/clips/%2e%2e%2f%2e%2e%2fclipgate.db/video', 400],
    ['/api/clips/..%252F..%252Fclipgate.db/thumbnail', 400],
    ['/api/clips/../../clipgate.db', 404],
    ['/api/clips/clip-1%00.mp4/video', 400],
    ['/api/clips/unknown-id/video', 404],
    ['/api/clips/unknown-id', 404],
    ['/api/shares/..%2Fx', 400],
    ['/api/cameras/..%2F..%2F', 400],
  ])('GET %s answers %i', async (url, status) => {
    const res = await h.server.inject({ url, headers: { cookie: l.cookie } });
    expect(res.statusCode).toBe(status);
    expect(res.body).not.toContain('root:');
    expect(res.body).not.toContain('SQLite format');
  });

  it('an oversized body answers 413 with the envelope', async () => {
    const res = await h.server.inject({ method: 'POST', url: '/api/clips/clip-1/approve', headers: authed(l), payload: { caption: 'x'.repeat(200_000) } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('malformed JSON answers 400 with the envelope', async () => {
    const res = await h.server.inject({ method: 'POST', url: '/api/clips/clip-1/approve', headers: { ...authed(l), 'content-type': 'application/json' }, payload: '{"stripAudio":' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: anyString(), message: anyString() } });
  });

  it('sets a strict CSP with no inline scripts and no third-party origins', async () => {
    const csp = String((await h.server.inject({ url: '/api/health' })).headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/https?:/);
  });
});

describe('no secret leaves through the API', () => {
  it('no response of any GET route carries a password hash, token, cookie secret or camera/upload credential', async () => {
    const settings = h.app.core.repos.settings;
    const secrets = [
      settings.get(SETTING.ownerPasswordHash) ?? 'missing',
      (settings.get(SETTING.ownerPasswordHash) ?? 'missing').split('$')[5] ?? 'missing',
      settings.get(SETTING.cookieSecret) ?? 'missing',
      hashToken(token),
      token,
      CAMERA_SECRET,
      UPLOAD_SECRET,
      '/data/exports',
    ];
    h.fakes.approve('clip-1', { stripAudio: true });
    const bodies: string[] = [];
    for (const [method, url] of ROUTES) {
      if (method !== 'GET' || url === '/api/events') continue;
      for (const headers of [{ cookie: l.cookie }, { authorization: `Bearer ${token}` }]) {
        const res = await h.server.inject({ url: url.replace('/s1', '/share-1'), headers });
        bodies.push(JSON.stringify(res.headers) + res.body);
      }
    }
    bodies.push((await h.server.inject({ url: '/api/shares/share-1', headers: { cookie: l.cookie } })).body);
    expect(bodies.join('\n')).toContain('share-1');
    for (const s of secrets) expect(bodies.join('\n')).not.toContain(s);
  });

  it('SSE carries narrowed objects only, and drops its listeners when the client disconnects', async () => {
    const before = h.app.core.bus.listenerCount('share.created');
    const chunks: string[] = [];
    const req = http.get({ host: '127.0.0.1', port: h.port, path: '/api/events', headers: { cookie: l.cookie } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    res.setEncoding('utf8');
    const got = new Promise<void>((resolve) => res.on('data', (d: string) => {
      chunks.push(d);
      if (chunks.join('').includes('event: share.created')) resolve();
    }));
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    expect(h.app.core.bus.listenerCount('share.created')).toBe(before + 1);
    addClip(h, { id: 'clip-sse' });
    h.fakes.approve('clip-sse', { stripAudio: true });
    await got;
    const text = chunks.join('');
    expect(text).toContain('event: clip.updated');
    expect(text).not.toContain(UPLOAD_SECRET);
    expect(text).not.toContain('filePath');
    req.destroy();
    await expect.poll(() => h.app.core.bus.listenerCount('share.created'), { timeout: 5000 }).toBe(before);
  });
});
