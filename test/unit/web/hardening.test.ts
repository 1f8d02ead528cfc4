// The web server against hostile clients and names (issue 16): DNS rebinding (Host allow-list),
// fastify's own errors in the envelope, no source maps, and the Host check on every route.
import net from 'node:net';
import os from 'node:os';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAccess } from '../../../src/web/access.js';
import { webApi } from '../../../src/web/api.js';
import { buildWebServer } from '../../../src/web/server.js';
import { configSchema } from '../../../src/config/schema.js';
import { authed, login, startHarness, type Harness, type Login } from './harness.js';

/** Send raw bytes and read everything the server answers until it closes the connection. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.end(text);
  });
}

function bodyOf(raw: string): unknown {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
}

/** The envelope and nothing else: no fastify `statusCode`/`error` fields, no stack. */
function expectEnvelope(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String) as string } });
}

let h: Harness;
let l: Login;

beforeAll(async () => {
  h = await startHarness({ web: { allowedHosts: ['clipgate.example.net'] } });
  l = await login(h);
});
afterAll(async () => h.close());

describe('Host allow-list (DNS rebinding)', () => {
  const host = os.hostname().toLowerCase();

  it.each(['evil.example', 'evil.example:8080', 'localhost.evil.example', `${host}.evil.example`, 'a b', 'x'.repeat(400)])('Host: %s → 421 on every route, /api/health included', async (name) => {
    for (const url of ['/api/health', '/api/session', '/api/clips', '/', '/app.js']) {
      const res = await h.server.inject({ url, headers: { host: name, cookie: l.cookie } });
      expect(res.statusCode, url).toBe(421);
      expectEnvelope(res.json(), 'MISDIRECTED_REQUEST');
    }
    const login = await h.server.inject({ method: 'POST', url: '/api/session', headers: { host: name }, payload: { password: 'wrong password x' } });
    expect(login.statusCode).toBe(421);
  });

  it.each(['localhost', 'localhost:8080', 'LOCALHOST.', '127.0.0.1', '127.0.0.1:9', '192.168.1.50:8080', '[::1]:8080', '[fe80::1]', host, `${host}.local:8080`, 'clipgate.example.net', 'Clipgate.Example.Net:443'])(
    'Host: %s is answered',
    async (name) => {
      const res = await h.server.inject({ url: '/api/clips', headers: { host: name, cookie: l.cookie } });
      expect(res.statusCode).toBe(200);
    },
  );

  it('an HTTP/1.1 request without Host gets 421; HTTP/1.0 without one (no browser sends that) is answered', async () => {
    const missing = await rawRequest(h.port, 'GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(missing).toMatch(/^HTTP\/1\.1 421 /);
    expectEnvelope(bodyOf(missing), 'MISDIRECTED_REQUEST');
    const old = await rawRequest(h.port, 'GET /api/health HTTP/1.0\r\n\r\n');
    expect(old).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('"*" turns the check off', async () => {
    const any = await startHarness({ web: { allowedHosts: ['*'] } });
    try {
      expect((await any.server.inject({ url: '/api/health', headers: { host: 'evil.example' } })).statusCode).toBe(200);
    } finally {
      await any.close();
    }
  });

  it('rejects allowedHosts entries with a scheme or port at config load', () => {
    const r = configSchema.safeParse({ web: { allowedHosts: ['https://x.example', 'x.example:80'] } });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['web.allowedHosts.0', 'web.allowedHosts.1']);
  });
});

describe("fastify's own errors use the envelope", () => {
  type Req = { method?: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string | object };
  it.each<[string, Req, number, string]>([
    ['bad percent-encoding in the path', { url: '/api/clips/%E0%A4%A' }, 400, 'BAD_URL'],
    ['bad percent-encoding, anonymous', { url: '/api/%zz', headers: {} }, 400, 'BAD_URL'],
    ['malformed JSON', { method: 'POST', url: '/api/clips/x/approve', headers: { 'content-type': 'application/json' }, payload: '{"stripAudio":' }, 400, 'INVALID_JSON'],
    ['an empty JSON body', { method: 'POST', url: '/api/clips/x/approve', headers: { 'content-type': 'application/json' }, payload: '' }, 400, 'INVALID_JSON'],
    ['an unsupported media type', { method: 'POST', url: '/api/clips/x/approve', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over 64 KiB', { method: 'POST', url: '/api/clips/x/approve', payload: { caption: 'x'.repeat(100_000) } }, 413, 'PAYLOAD_TOO_LARGE'],
    ['an unknown API route', { url: '/api/nope' }, 404, 'NOT_FOUND'],
    ['an unknown page', { url: '/nope.html' }, 404, 'NOT_FOUND'],
    ['an over-long path segment', { url: `/api/clips/${'a'.repeat(300)}` }, 404, 'NOT_FOUND'],
  ])('%s', async (_what, request, status, code) => {
    const res = await h.server.inject({ ...request, headers: { ...authed(l), ...request.headers } });
    expect(res.statusCode).toBe(status);
    expectEnvelope(res.json(), code);
  });

  it('malformed HTTP and oversized headers are answered on the socket in the envelope', async () => {
    const garbage = await rawRequest(h.port, 'GET / HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expectEnvelope(bodyOf(garbage), 'BAD_REQUEST');
    const huge = await rawRequest(h.port, `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expectEnvelope(bodyOf(huge), 'HEADERS_TOO_LARGE');
  });
});

describe('peer text is shown without bidi or control characters', () => {
  it('camera errors and problems (they quote cameras and brokers)', async () => {
    const garden = h.fakes.cams.get('garden');
    if (!garden) throw new Error('fake camera missing');
    garden.lastError = 'RTSP 401 \u202Eevil\u202C\u0007\u001b[2J';
    const cams = (await h.server.inject({ url: '/api/cameras', headers: { cookie: l.cookie } })).json<{ id: string; lastError?: string }[]>();
    expect(cams.find((c) => c.id === 'garden')?.lastError).toBe('RTSP 401 evil[2J');
    h.app.core.problems.raise('test.bidi', 'warning', 'Camera \u2066fault\u2069', 'said:\r\n\u200Fhello\u0000');
    const problems = (await h.server.inject({ url: '/api/problems', headers: { cookie: l.cookie } })).json<{ id: string; summary: string; details?: string }[]>();
    expect(problems.find((p) => p.id === 'test.bidi')).toMatchObject({ summary: 'Camera fault', details: 'said: hello' });
    h.app.core.problems.clear('test.bidi');
  });
});

describe('no source maps', () => {
  const built = path.resolve('dist/ui/app.js');
  it.skipIf(!existsSync(built))('the built UI has no map file and no sourceMappingURL comment', () => {
    expect(readdirSync(path.dirname(built)).filter((n) => n.endsWith('.map'))).toEqual([]);
    expect(readFileSync(built, 'utf8')).not.toContain('sourceMappingURL');
  });

  it('/app.js.map is 404 even when a stale map lies next to the bundle', async () => {
    const ui = mkdtempSync(path.join(os.tmpdir(), 'cg-ui-'));
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><script type="module" src="app.js"></script>');
    writeFileSync(path.join(ui, 'app.js'), 'console.log(1)');
    writeFileSync(path.join(ui, 'app.js.map'), '{"version":3,"sources":["src/ui/app.tsx"]}');
    const core = h.app.core;
    const access = webAccess(core.config.web);
    const app = await buildWebServer({
      log: core.log,
      version: 'test',
      host: '127.0.0.1',
      port: 0,
      access,
      api: webApi({ log: core.log, clock: core.clock, bus: core.bus, problems: core.problems, repos: core.repos, dataDir: core.paths.dataDir, controls: h.app.controls, access, uiDir: ui }),
    });
    try {
      expect((await app.inject({ url: '/app.js' })).statusCode).toBe(200);
      const map = await app.inject({ url: '/app.js.map' });
      expect(map.statusCode).toBe(404);
      expect(map.body).not.toContain('sources');
      expectEnvelope(map.json(), 'NOT_FOUND');
    } finally {
      await app.close();
      rmSync(ui, { recursive: true, force: true });
    }
  });
});
