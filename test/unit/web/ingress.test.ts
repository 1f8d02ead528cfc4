// web.ingress: requests from Home Assistant's ingress proxy address are the owner (Home Assistant
// authenticated them); every other address still signs in. The CSRF rule holds for both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClip, cookieOf, login, PASSWORD, startHarness, type Harness } from './harness.js';

const PROXY = '172.30.32.2';
const PATH = '/api/hassio_ingress/Xy9_abc-DEF';
const viaProxy = { remoteAddress: PROXY, headers: { 'x-ingress-path': PATH, host: 'homeassistant.example.org:8123' } };

describe('web.ingress on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ web: { ingress: true, ingressProxy: [PROXY], trustProxy: ['10.1.1.1'] } });
    addClip(h, { id: 'clip-1' });
  });
  afterAll(async () => h.close());

  it('the ingress proxy is the owner: no login, no setup page, and a CSRF token for state changes', async () => {
    const s = await h.server.inject({ url: '/api/session', ...viaProxy });
    expect(s.json()).toEqual({ authenticated: true, csrfToken: expect.any(String) as string, setupRequired: false, ingress: true });
    const csrf = s.json<{ csrfToken: string }>().csrfToken;
    expect((await h.server.inject({ url: '/api/clips', ...viaProxy })).json<{ items: unknown[] }>().items).toHaveLength(1);
    // Home Assistant's ingress forwards the browser's Host for Home Assistant itself.
    expect((await h.server.inject({ url: '/api/health', ...viaProxy })).statusCode).toBe(200);
    const noCsrf = await h.server.inject({ method: 'POST', url: '/api/clips/clip-1/reject', ...viaProxy });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ error: { code: 'CSRF_FAILED' } });
    const withCsrf = await h.server.inject({ method: 'POST', url: '/api/clips/clip-1/reject', remoteAddress: PROXY, headers: { ...viaProxy.headers, 'x-csrf-token': csrf } });
    expect(withCsrf.statusCode).toBe(200);
    expect(withCsrf.json()).toMatchObject({ status: 'rejected' });
  });

  it.each<[string, { remoteAddress: string; headers: Record<string, string> }]>([
    ['another address sending X-Ingress-Path', { remoteAddress: '172.30.32.3', headers: { 'x-ingress-path': PATH } }],
    ['the loopback address', { remoteAddress: '127.0.0.1', headers: { 'x-ingress-path': PATH } }],
    ['the proxy address without X-Ingress-Path', { remoteAddress: PROXY, headers: {} }],
    ['a trusted reverse proxy forwarding for the ingress address', { remoteAddress: '10.1.1.1', headers: { 'x-ingress-path': PATH, 'x-forwarded-for': PROXY } }],
  ])('%s must sign in', async (_what, req) => {
    const res = await h.server.inject({ url: '/api/clips', ...req });
    expect(res.statusCode).toBe(401);
    expect((await h.server.inject({ url: '/api/session', ...req })).json()).toMatchObject({ authenticated: false, ingress: false });
  });

  it('a foreign Host is still refused when it does not come from the ingress proxy', async () => {
    const res = await h.server.inject({ url: '/api/health', remoteAddress: '192.0.2.5', headers: { host: 'homeassistant.example.org:8123', 'x-ingress-path': PATH } });
    expect(res.statusCode).toBe(421);
  });

  it('sign-in behind a trusted prefixing proxy scopes the cookie to <X-Ingress-Path>/api; an untrusted or malformed prefix is ignored', async () => {
    const pathOf = (set: string): string | undefined => /;\s*Path=([^;]+)/i.exec(set)?.[1];
    const post = (remoteAddress: string, prefix?: string) =>
      h.server.inject({ method: 'POST', url: '/api/session', remoteAddress, payload: { password: PASSWORD }, headers: prefix === undefined ? {} : { 'x-ingress-path': prefix } });
    const trusted = await post('10.1.1.1', '/clipgate/ui');
    expect(pathOf(String(trusted.headers['set-cookie']))).toBe('/clipgate/ui/api');
    expect(pathOf(String((await post('192.0.2.9', '/clipgate/ui')).headers['set-cookie']))).toBe('/api');
    expect(pathOf(String((await post('10.1.1.1', '/a;Domain=evil.example')).headers['set-cookie']))).toBe('/api');
    expect(pathOf(String((await post('10.1.1.1', '//evil.example/x')).headers['set-cookie']))).toBe('/api');
    // Signing out clears the cookie at the same path it was set.
    const cookie = cookieOf(trusted);
    const s = await h.server.inject({ url: '/api/session', remoteAddress: '10.1.1.1', headers: { cookie } });
    const out = await h.server.inject({ method: 'DELETE', url: '/api/session', remoteAddress: '10.1.1.1', headers: { cookie, 'x-csrf-token': s.json<{ csrfToken: string }>().csrfToken, 'x-ingress-path': '/clipgate/ui' } });
    expect(out.statusCode).toBe(204);
    expect(pathOf(String(out.headers['set-cookie']))).toBe('/clipgate/ui/api');
  });
});

describe('web.ingress off (default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ web: { ingressProxy: [PROXY] } });
  });
  afterAll(async () => h.close());

  it('the ingress proxy address is an ordinary client', async () => {
    expect((await h.server.inject({ url: '/api/clips', ...viaProxy, headers: { 'x-ingress-path': PATH } })).statusCode).toBe(401);
    const l = await login(h);
    expect((await h.server.inject({ url: '/api/clips', headers: { cookie: l.cookie } })).statusCode).toBe(200);
  });
});
