// A tiny fault-injecting HTTP proxy on 127.0.0.1, put in front of the dev platform so a test can
// make "the platform" answer 500 some of the time without touching the platform's code.
//
// It can also hold PATCH requests (a platform slow to start taking bytes): a held PATCH is parked —
// its body is read into the proxy, so the client sees its bytes go and waits for an answer that
// does not come — until holding stops, when it is forwarded; a client that gives up meanwhile
// never reaches the platform at all.
//
// Two kinds of failure, because they test different things:
//  - `before`: answer 500 without forwarding (the platform never saw the request);
//  - `after`:  forward, let the platform act on it, then answer 500 anyway (a PATCH whose bytes
//    WERE stored: the client must find the real offset with HEAD, not assume nothing arrived).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';

export type FaultKind = 'pass' | 'before' | 'after';

export interface FaultyProxyOptions {
  /** e.g. http://127.0.0.1:PORT (no path; paths are forwarded as they are). */
  target: string;
  /** Probability that a request fails (0-1). */
  failureRate: number;
  /** Of the failures, the share that fails after forwarding (0-1). Default 0.5. */
  afterShare?: number;
  /** Random source in [0,1); pass a seeded PRNG so a failing run can be replayed. */
  random: () => number;
  /** Start holding PATCH requests. Default false. */
  holdPatches?: boolean;
}

export interface FaultyProxy {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  counts: Record<FaultKind, number>;
  /** Injected failures per HTTP method (e.g. PATCH: 7). */
  failedByMethod: Record<string, number>;
  readonly failureRate: number;
  /** Change the failure rate at run time (0 = a healthy platform). */
  setFailureRate(rate: number): void;
  /** Hold PATCH requests (true), or forward the held ones and stop holding (false). */
  setHoldPatches(on: boolean): void;
  /** PATCH requests parked right now. */
  readonly heldPatches: number;
  /** Held PATCH requests whose client went away before they were forwarded (they never reached the platform). */
  readonly droppedPatches: number;
  stop(): Promise<void>;
}

function answer500(res: http.ServerResponse, kind: FaultKind): void {
  if (res.headersSent) return;
  res.writeHead(500, { 'content-type': 'text/plain', 'x-faulty-proxy': kind });
  res.end('injected failure\n');
}

function forward(target: URL, req: http.IncomingMessage, res: http.ServerResponse, failAfter: boolean, body: NodeJS.ReadableStream = req): void {
  const upstream = http.request(
    // The Host header is kept: the tus server builds upload URLs from it, and those must point
    // at the proxy too, or every PATCH and HEAD would bypass the faults.
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      if (failAfter) {
        // The platform has acted on the request; the client is told it failed.
        up.resume();
        up.on('end', () => answer500(res, 'after'));
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  // A client that disappears mid-body (killed daemon) must abort the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  body.pipe(upstream);
}

export async function startFaultyProxy(opts: FaultyProxyOptions): Promise<FaultyProxy> {
  const target = new URL(opts.target);
  let rate = opts.failureRate;
  const counts: Record<FaultKind, number> = { pass: 0, before: 0, after: 0 };
  const failedByMethod: Record<string, number> = {};
  let hold = opts.holdPatches ?? false;
  let dropped = 0;
  const parked = new Set<{ req: http.IncomingMessage; res: http.ServerResponse; body: PassThrough }>();
  const server = http.createServer((req, res) => {
    if (hold && req.method === 'PATCH') {
      // Read the body into a buffer-backed stream (bounded by the client's Content-Length), so a
      // client that gives up closes a socket the proxy is reading and is seen to go.
      const body = new PassThrough({ highWaterMark: 64 * 1024 * 1024 });
      req.pipe(body);
      const p = { req, res, body };
      parked.add(p);
      res.on('close', () => {
        if (parked.delete(p)) dropped++;
      });
      return;
    }
    let kind: FaultKind = 'pass';
    if (opts.random() < rate) kind = opts.random() < (opts.afterShare ?? 0.5) ? 'after' : 'before';
    counts[kind]++;
    if (kind !== 'pass') failedByMethod[req.method ?? '?'] = (failedByMethod[req.method ?? '?'] ?? 0) + 1;
    if (kind === 'before') {
      // Drain the body so the client sees a clean 500 rather than a reset.
      req.resume();
      req.on('end', () => answer500(res, 'before'));
      return;
    }
    forward(target, req, res, kind === 'after');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    failedByMethod,
    get failureRate() {
      return rate;
    },
    setFailureRate: (r) => (rate = r),
    setHoldPatches: (on) => {
      hold = on;
      if (on) return;
      for (const p of [...parked]) {
        parked.delete(p);
        forward(target, p.req, p.res, false, p.body);
      }
    },
    get heldPatches() {
      return parked.size;
    },
    get droppedPatches() {
      return dropped;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
