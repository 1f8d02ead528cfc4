// Login lock-out per client (IPv4 address, IPv6 /64), the global slow-down across clients, and
// web.trustProxy: X-Forwarded-For/-Proto believed only from the configured proxy.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { GLOBAL_SLOWDOWN_AFTER, LoginLimiter, SLOWDOWN_MAX_MS } from '../../../src/web/auth/login-limiter.js';
import { PASSWORD, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Opts = { remoteAddress?: string; headers?: Record<string, string> };
async function tryLogin(hh: Harness, password: string, opts: Opts = {}): Promise<{ status: number; code?: string; cookie?: string }> {
  const res = await hh.server.inject({ method: 'POST', url: '/api/session', payload: { password }, ...(opts.remoteAddress && { remoteAddress: opts.remoteAddress }), ...(opts.headers && { headers: opts.headers }) });
  const code = res.statusCode === 204 ? undefined : res.json<{ error: { code: string } }>().error.code;
  const set = res.headers['set-cookie'];
  return { status: res.statusCode, ...(code && { code }), ...(set && { cookie: Array.isArray(set) ? set[0] : set }) };
}

describe('lock-out per IPv6 /64', () => {
  it('5 wrong passwords from each of 20 addresses in one /64 lock the /64; another /64 and IPv4 clients still get in', async () => {
    h = await startHarness();
    const statuses: number[] = [];
    for (let a = 1; a <= 20; a++) {
      for (let i = 0; i < 5; i++) statuses.push((await tryLogin(h, `wrong guess ${a}-${i}`, { remoteAddress: `2001:db8:42:7:${a.toString(16)}::1` })).status);
    }
    // Only the first 5 guesses reached the password check; the other 95 were refused unseen.
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    // Locked means locked: the right password from a fresh address of the same /64 is refused too.
    expect(await tryLogin(h, PASSWORD, { remoteAddress: '2001:db8:42:7:ffff:ffff:ffff:fffe' })).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await tryLogin(h, PASSWORD, { remoteAddress: '2001:db8:42:8::1' })).status).toBe(204);
    expect((await tryLogin(h, PASSWORD, { remoteAddress: '192.0.2.44' })).status).toBe(204);
  });

  it('IPv4 clients are counted one address each (the IPv4-mapped form is the same client)', async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) expect((await tryLogin(h, 'wrong guess x', { remoteAddress: '192.0.2.10' })).status).toBe(401);
    expect((await tryLogin(h, PASSWORD, { remoteAddress: '::ffff:192.0.2.10' })).status).toBe(429);
    expect((await tryLogin(h, PASSWORD, { remoteAddress: '192.0.2.11' })).status).toBe(204);
  });
});

describe('global slow-down, never a global lock-out', () => {
  it('past the threshold every attempt waits longer, doubling, up to the cap', () => {
    const clock = new ManualClock(Date.parse('2026-11-30T10:00:00.000Z'));
    const limiter = new LoginLimiter({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = limiter.begin(`198.51.${Math.floor(i / 250)}.${i % 250}`);
      if (!a.ok) throw new Error('a fresh address must never be locked');
      delays.push(a.delayMs);
    }
    expect(delays.slice(0, GLOBAL_SLOWDOWN_AFTER)).toEqual(new Array<number>(GLOBAL_SLOWDOWN_AFTER).fill(0));
    expect(delays[GLOBAL_SLOWDOWN_AFTER]).toBe(250);
    expect(delays[GLOBAL_SLOWDOWN_AFTER + 10]).toBe(500);
    expect(delays[GLOBAL_SLOWDOWN_AFTER + 20]).toBe(1000);
    expect(Math.max(...delays)).toBe(SLOWDOWN_MAX_MS);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
    // A success forgives its own attempt; the window passing forgives the rest.
    const ok = limiter.begin('203.0.113.9');
    if (!ok.ok) throw new Error('unexpected lock');
    ok.release();
    clock.advance(16 * 60_000);
    expect(limiter.slowdownMs()).toBe(0);
    expect(limiter.globalFailures()).toBe(0);
  });

  it('through the API: after failures from many clients the owner still signs in, and the log says logins are slowed', async () => {
    h = await startHarness();
    for (let i = 0; i < GLOBAL_SLOWDOWN_AFTER + 2; i++) {
      expect((await tryLogin(h, `wrong guess ${i}`, { remoteAddress: `198.51.100.${i + 1}` })).status).toBe(401);
    }
    expect((await tryLogin(h, PASSWORD, { remoteAddress: '203.0.113.1' })).status).toBe(204);
    const slowed = h.logs.map((l) => JSON.parse(l) as { msg: string; delayMs?: number }).filter((l) => l.msg === 'many failed logins across clients; answering logins slowly');
    expect(slowed.length).toBeGreaterThanOrEqual(3);
    expect(slowed.every((l) => (l.delayMs ?? 0) > 0)).toBe(true);
  });
});

describe('web.trustProxy', () => {
  const PROXY = '10.9.8.7';

  it('off (default): X-Forwarded-* are ignored — no Secure cookie, and a forged X-Forwarded-For cannot dodge the lock-out', async () => {
    h = await startHarness();
    const ok = await tryLogin(h, PASSWORD, { remoteAddress: PROXY, headers: { 'x-forwarded-proto': 'https' } });
    expect(ok.cookie).toBeDefined();
    expect(ok.cookie).not.toMatch(/;\s*Secure/i);
    for (let i = 0; i < 5; i++) await tryLogin(h, 'wrong guess y', { remoteAddress: PROXY, headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
    expect((await tryLogin(h, PASSWORD, { remoteAddress: PROXY, headers: { 'x-forwarded-for': '192.0.2.99' } })).status).toBe(429);
  });

  it('on: https behind the proxy gives a Secure cookie, and the lock-out counts each real client', async () => {
    h = await startHarness({ web: { trustProxy: [PROXY] } });
    const secure = await tryLogin(h, PASSWORD, { remoteAddress: PROXY, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.1' } });
    expect(secure.cookie).toMatch(/;\s*Secure/i);
    expect(secure.cookie).toMatch(/HttpOnly/i);
    expect(secure.cookie).toMatch(/SameSite=Strict/i);
    const plain = await tryLogin(h, PASSWORD, { remoteAddress: PROXY, headers: { 'x-forwarded-proto': 'http', 'x-forwarded-for': '192.0.2.1' } });
    expect(plain.cookie).not.toMatch(/;\s*Secure/i);
    for (let i = 0; i < 5; i++) await tryLogin(h, 'wrong guess z', { remoteAddress: PROXY, headers: { 'x-forwarded-for': '192.0.2.66' } });
    expect((await tryLogin(h, PASSWORD, { remoteAddress: PROXY, headers: { 'x-forwarded-for': '192.0.2.66' } })).status).toBe(429);
    // The proxy itself and the owner behind it are not locked out by someone else's guesses.
    expect((await tryLogin(h, PASSWORD, { remoteAddress: PROXY, headers: { 'x-forwarded-for': '192.0.2.67' } })).status).toBe(204);
  });

  it('on: a client that is not the proxy cannot claim https or another address', async () => {
    h = await startHarness({ web: { trustProxy: [PROXY] } });
    const forged = await tryLogin(h, PASSWORD, { remoteAddress: '192.0.2.200', headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.cookie).not.toMatch(/;\s*Secure/i);
    for (let i = 0; i < 5; i++) await tryLogin(h, 'wrong guess w', { remoteAddress: '192.0.2.201', headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
    expect((await tryLogin(h, PASSWORD, { remoteAddress: '192.0.2.201', headers: { 'x-forwarded-for': '198.51.100.77' } })).status).toBe(429);
  });

  it('on: the Host checked is X-Forwarded-Host from the proxy, and only from the proxy', async () => {
    h = await startHarness({ web: { trustProxy: [PROXY], allowedHosts: ['clipgate.home.arpa'] } });
    const health = (remoteAddress: string, headers: Record<string, string>) => h!.server.inject({ url: '/api/health', remoteAddress, headers });
    expect((await health(PROXY, { host: '127.0.0.1:8080', 'x-forwarded-host': 'clipgate.home.arpa' })).statusCode).toBe(200);
    expect((await health(PROXY, { host: '127.0.0.1:8080', 'x-forwarded-host': 'evil.example' })).statusCode).toBe(421);
    // From anyone else the header means nothing: their own Host decides.
    expect((await health('192.0.2.5', { host: 'evil.example', 'x-forwarded-host': 'clipgate.home.arpa' })).statusCode).toBe(421);
    expect((await health('192.0.2.5', { host: '192.0.2.1', 'x-forwarded-host': 'evil.example' })).statusCode).toBe(200);
  });

  it('a config with a bad proxy entry is refused with its path', async () => {
    const { configSchema } = await import('../../../src/config/schema.js');
    const r = configSchema.safeParse({ web: { trustProxy: ['10.0.0.1', 'my-proxy'] } });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['web.trustProxy.1: must be an IP address or a CIDR block such as 172.30.32.0/23']);
  });
});
