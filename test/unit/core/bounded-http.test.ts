// The bounded HTTP exchange (issue 16) against a hostile peer on 127.0.0.1: bodies counted while
// streaming (chunked included), total deadline, idle timeout in both directions, redirects
// refused, every failure an AppError with the caller's codes and the reason in details.cause.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedCause, boundedRequest, type BoundedRequestOptions } from '../../../src/core/bounded-http.js';
import { AppError } from '../../../src/core/errors.js';
import { freePort } from '../../support/net.js';

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

interface Peer {
  url: (p: string) => URL;
  /** Bytes each route wrote before the client went away. */
  written: Map<string, number>;
  hits: Map<string, number>;
  bodyBytes: Map<string, number>;
  close(): Promise<void>;
}

const gone = (res: http.ServerResponse): boolean => res.destroyed || res.writableEnded;

async function startPeer(): Promise<Peer> {
  const written = new Map<string, number>();
  const hits = new Map<string, number>();
  const bodyBytes = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const route = req.url ?? '/';
    hits.set(route, (hits.get(route) ?? 0) + 1);
    if (route === '/no-read') return; // never reads the request body, never answers
    req.on('data', (c: Buffer) => bodyBytes.set(route, (bodyBytes.get(route) ?? 0) + c.length));
    const count = (n: number): void => void written.set(route, (written.get(route) ?? 0) + n);
    switch (route) {
      case '/ok':
        req.on('end', () => res.end('{"ok":true}'));
        return;
      case '/chunked-300mb': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const pump = (): void => {
          while (!gone(res) && (written.get(route) ?? 0) < 300 * MB) {
            count(CHUNK.length);
            if (!res.write(CHUNK)) return void res.once('drain', pump);
          }
          if (!gone(res)) res.end();
        };
        pump();
        return;
      }
      case '/declared-huge':
        res.writeHead(200, { 'content-length': String(300 * MB) });
        res.write('x');
        return;
      case '/trickle': {
        res.writeHead(200);
        const t = setInterval(() => {
          if (gone(res)) return void clearInterval(t);
          res.write('x');
          count(1);
        }, 100);
        timers.add(t);
        return;
      }
      case '/silent-before-answer':
        return;
      case '/silent-mid-body':
        res.writeHead(200);
        res.write('partial');
        return;
      case '/redirect':
        res.writeHead(307, { location: '/ok' });
        res.end();
        return;
      case '/broken':
        req.socket.end('HTTP/1.1 2xx Nonsense\r\n\r\n');
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => new URL(`http://127.0.0.1:${port}${p}`),
    written,
    hits,
    bodyBytes,
    async close() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let peer: Peer;
beforeAll(async () => {
  peer = await startPeer();
});
afterAll(async () => peer?.close());

const base: Omit<BoundedRequestOptions, 'method'> = {
  headers: {},
  maxBytes: 1 * MB,
  totalMs: 10_000,
  idleMs: 5_000,
  peer: 'the test peer',
  codes: { unreachable: 'PLATFORM_UNREACHABLE', badResponse: 'PLATFORM_BAD_RESPONSE' },
};

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('boundedRequest', () => {
  it('reads a normal answer', async () => {
    const res = await boundedRequest(peer.url('/ok'), { ...base, method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"ok":true}');
  });

  it('cuts a 300 MB chunked answer at the limit, with memory bounded', async () => {
    const before = process.memoryUsage().rss;
    const err = await failure(boundedRequest(peer.url('/chunked-300mb'), { ...base, method: 'GET' }));
    const grewMb = (process.memoryUsage().rss - before) / MB;
    expect(err.code).toBe('PLATFORM_BAD_RESPONSE');
    expect(boundedCause(err)).toBe('too-large');
    expect(err.message).toBe("the test peer's answer to GET /chunked-300mb is too large (more than 1048576 bytes)");
    // The peer got to write only what the socket buffers held past the limit.
    expect(peer.written.get('/chunked-300mb')).toBeLessThan(32 * MB);
    expect(grewMb).toBeLessThan(50);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const err = await failure(boundedRequest(peer.url('/declared-huge'), { ...base, method: 'GET' }));
    expect(boundedCause(err)).toBe('too-large');
    expect(err.message).toMatch(/too large \(314572800 bytes, limit 1048576\)/);
  });

  it('cuts an answer trickled byte by byte at the total deadline (the idle timeout never fires)', async () => {
    const err = await failure(boundedRequest(peer.url('/trickle'), { ...base, method: 'GET', totalMs: 1_500, idleMs: 1_000 }));
    expect(err.code).toBe('PLATFORM_BAD_RESPONSE');
    expect(boundedCause(err)).toBe('timeout');
    expect(err.message).toMatch(/^GET \/trickle to the test peer did not finish within 2 s \(\d+ bytes of answer received\)$/);
  });

  it('a peer silent before answering is unreachable (idle); silent in mid-body is a bad answer', async () => {
    const before = await failure(boundedRequest(peer.url('/silent-before-answer'), { ...base, method: 'GET', idleMs: 300 }));
    expect(before.code).toBe('PLATFORM_UNREACHABLE');
    expect(boundedCause(before)).toBe('idle');
    const mid = await failure(boundedRequest(peer.url('/silent-mid-body'), { ...base, method: 'GET', idleMs: 300 }));
    expect(mid.code).toBe('PLATFORM_BAD_RESPONSE');
    expect(mid.message).toMatch(/went silent for 1 s during GET \/silent-mid-body \(7 bytes of answer received\)/);
  });

  it('a peer that stops taking the request body is cut by the idle timeout, and the body stream is destroyed', async () => {
    const body = Readable.from((function* () {
      for (let i = 0; i < 4_000; i++) yield CHUNK;
    })());
    const err = await failure(boundedRequest(peer.url('/no-read'), { ...base, method: 'PATCH', headers: { 'content-length': String(4_000 * CHUNK.length) }, body, idleMs: 500 }));
    expect(boundedCause(err)).toBe('idle');
    expect(body.destroyed).toBe(true);
  });

  it('refuses a redirect without following it', async () => {
    const hitsBefore = peer.hits.get('/ok') ?? 0;
    const err = await failure(boundedRequest(peer.url('/redirect'), { ...base, method: 'GET', headers: { authorization: 'Bearer t' } }));
    expect(boundedCause(err)).toBe('redirect');
    expect(err.message).toBe('the test peer answered GET /redirect with a redirect (HTTP 307); redirects are not followed');
    expect(peer.hits.get('/ok') ?? 0).toBe(hitsBefore);
  });

  it('names a refused connection and a broken HTTP answer', async () => {
    const port = await freePort();
    const refused = await failure(boundedRequest(new URL(`http://127.0.0.1:${port}/x`), { ...base, method: 'GET' }));
    expect(refused.code).toBe('PLATFORM_UNREACHABLE');
    expect(boundedCause(refused)).toBe('refused');
    const broken = await failure(boundedRequest(peer.url('/broken'), { ...base, method: 'GET' }));
    expect(boundedCause(broken)).toBe('protocol');
  });

  it('an abort tears the exchange down with the signal’s reason', async () => {
    const ac = new AbortController();
    const p = boundedRequest(peer.url('/silent-before-answer'), { ...base, method: 'GET', signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
