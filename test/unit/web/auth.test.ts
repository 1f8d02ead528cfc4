import { afterEach, describe, expect, it } from 'vitest';
import { SETTING } from '../../../src/db/repos/settings.js';
import { generateToken, hashToken } from '../../../src/web/auth/tokens.js';
import { anyString, authed, containing, cookieOf, login, PASSWORD, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function setupCodeFrom(logs: string[]): string {
  const line = logs.find((l) => l.includes('setup code'));
  const m = line && /setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(line);
  if (!m?.[1]) throw new Error('no setup code in the log');
  return m[1];
}

describe('first-run setup', () => {
  it('prints a one-time code, stores only its hash, and sets the password once with it', async () => {
    h = await startHarness({ password: false });
    const code = setupCodeFrom(h.logs);
    const stored = h.app.core.repos.settings.get(SETTING.setupCodeHash);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(code.replace(/-/g, ''));
    const s = await h.server.inject({ method: 'GET', url: '/api/session' });
    expect(s.json()).toEqual({ authenticated: false, csrfToken: null, setupRequired: true, ingress: false });
    // Login is impossible before setup: there is no default password.
    expect((await h.server.inject({ method: 'POST', url: '/api/session', payload: { password: 'admin' } })).statusCode).toBe(401);
    const wrong = await h.server.inject({ method: 'POST', url: '/api/setup', payload: { code: 'AAAA-BBBB-CCCC', password: PASSWORD } });
    expect(wrong.statusCode).toBe(401);
    const weak = await h.server.inject({ method: 'POST', url: '/api/setup', payload: { code, password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: containing('body.password') } });
    const ok = await h.server.inject({ method: 'POST', url: '/api/setup', payload: { code: code.toLowerCase(), password: PASSWORD } });
    expect(ok.statusCode).toBe(204);
    const session = await h.server.inject({ method: 'GET', url: '/api/session', headers: { cookie: cookieOf(ok) } });
    expect(session.json()).toMatchObject({ authenticated: true, setupRequired: false });
    expect(h.app.core.repos.settings.get(SETTING.setupCodeHash)).toBeUndefined();
    const again = await h.server.inject({ method: 'POST', url: '/api/setup', payload: { code, password: 'another password' } });
    expect(again.json()).toMatchObject({ error: { code: 'ALREADY_EXISTS' } });
    expect((await login(h)).csrf.length).toBeGreaterThan(20);
  });
});

describe('sessions', () => {
  it('sets a signed HttpOnly SameSite=Strict cookie whose id is stored only as a hash', async () => {
    h = await startHarness();
    const res = await h.server.inject({ method: 'POST', url: '/api/session', payload: { password: PASSWORD } });
    expect(res.statusCode).toBe(204);
    const header = String(res.headers['set-cookie']);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).toMatch(/Path=\/api/);
    const rawId = decodeURIComponent(cookieOf(res).split('=')[1] ?? '').split('.')[0] ?? '';
    const rows = h.app.core.db.prepare('SELECT id_hash FROM sessions').all() as { id_hash: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id_hash).not.toBe(rawId);
    expect(rows[0]?.id_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a tampered cookie, a wrong password and an expired session are all 401', async () => {
    h = await startHarness();
    expect((await h.server.inject({ method: 'POST', url: '/api/session', payload: { password: 'nope nope nope' } })).statusCode).toBe(401);
    const l = await login(h);
    const tampered = l.cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await h.server.inject({ url: '/api/clips', headers: { cookie: tampered } })).statusCode).toBe(401);
    expect((await h.server.inject({ url: '/api/clips', headers: { cookie: l.cookie } })).statusCode).toBe(200);
    h.clock.advance(8 * 24 * 3600_000);
    expect((await h.server.inject({ url: '/api/clips', headers: { cookie: l.cookie } })).statusCode).toBe(401);
  });

  it('state-changing cookie requests need the CSRF token; logout revokes the session server-side', async () => {
    h = await startHarness();
    const l = await login(h);
    const noCsrf = await h.server.inject({ method: 'PUT', url: '/api/cameras/garden/privacy', headers: { cookie: l.cookie }, payload: { enabled: true } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ error: { code: 'CSRF_FAILED' } });
    const wrong = await h.server.inject({ method: 'PUT', url: '/api/cameras/garden/privacy', headers: { cookie: l.cookie, 'x-csrf-token': 'x' }, payload: { enabled: true } });
    expect(wrong.statusCode).toBe(403);
    const ok = await h.server.inject({ method: 'PUT', url: '/api/cameras/garden/privacy', headers: authed(l), payload: { enabled: true } });
    expect(ok.statusCode).toBe(200);
    expect((await h.server.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: l.cookie } })).statusCode).toBe(403);
    expect((await h.server.inject({ method: 'DELETE', url: '/api/session', headers: authed(l) })).statusCode).toBe(204);
    expect((await h.server.inject({ url: '/api/clips', headers: { cookie: l.cookie } })).statusCode).toBe(401);
    expect(h.app.core.db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });
});

describe('API tokens', () => {
  it('Bearer tokens authenticate without CSRF; unknown tokens are 401 even beside a valid cookie', async () => {
    h = await startHarness();
    const token = generateToken();
    h.app.core.repos.tokens.insert('ha', hashToken(token), h.app.core.clock.iso());
    const res = await h.server.inject({ method: 'POST', url: '/api/cameras/garden/trigger', headers: { authorization: `Bearer ${token}` }, payload: {} });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ eventId: anyString() });
    expect(h.app.core.repos.tokens.list()[0]?.lastUsedAt).not.toBeNull();
    const l = await login(h);
    const bad = await h.server.inject({ url: '/api/clips', headers: { authorization: 'Bearer cg_wrong', cookie: l.cookie } });
    expect(bad.statusCode).toBe(401);
    h.app.core.repos.tokens.delete('ha');
    expect((await h.server.inject({ url: '/api/clips', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });
});

describe('login lock-out', () => {
  it('20 wrong passwords: the first 5 are 401, the rest 429, even the right one, until the window passes', async () => {
    h = await startHarness();
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) {
      codes.push((await h.server.inject({ method: 'POST', url: '/api/session', payload: { password: `wrong ${i} xxxxxx` } })).statusCode);
    }
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(codes.slice(5))).toEqual(new Set([429]));
    const right = await h.server.inject({ method: 'POST', url: '/api/session', payload: { password: PASSWORD } });
    expect(right.statusCode).toBe(429);
    expect(right.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    h.clock.advance(15 * 60_000 + 1000);
    expect((await h.server.inject({ method: 'POST', url: '/api/session', payload: { password: PASSWORD } })).statusCode).toBe(204);
  });

  it('parallel guesses cannot slip past the limit while scrypt runs', async () => {
    h = await startHarness();
    const server = h.server;
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => server.inject({ method: 'POST', url: '/api/session', payload: { password: `guess ${i} xxxxxx` } })));
    const codes = all.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(7);
  });
});
