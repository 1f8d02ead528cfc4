// A fake ONVIF device for tests: HTTP SOAP on 127.0.0.1 (device, media and PullPoint events
// services) plus a WS-Discovery responder on a loopback UDP port. Tests steer it: emit events,
// require WS-Security or Digest, skew its clock, make an operation fault or answer broken XML,
// stop and restart it on the same ports (a camera reboot), and count requests per operation.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkWsse, DigestVerifier, type AuthMode } from './auth.js';
import { DiscoveryResponder } from './discovery.js';
import { EventHub } from './events.js';
import * as t from './templates.js';

export type { AuthMode } from './auth.js';
export { EVENT_STYLES, type DoubleEvent, type EventStyle } from './templates.js';

/** How an operation misbehaves: SOAP fault, HTTP 500, broken-but-complete XML, truncated XML, or not XML. */
export type Misbehaviour = 'fault' | 'http500' | 'malformed' | 'truncated' | 'garbage';

export interface OnvifDoubleOptions {
  port?: number;
  /** UDP port of the WS-Discovery responder; 0 picks a free one. */
  discoveryPort?: number;
  username?: string;
  password?: string;
  /** Default 'either' when a username is set, else 'none'. */
  auth?: AuthMode;
  /** Stream URIs to hand out (the RTSP test camera's, without credentials). */
  streams?: { main: string; sub: string };
  clockSkewMs?: number;
  name?: string;
  manufacturer?: string;
  model?: string;
}

export interface OnvifDouble {
  readonly host: string;
  readonly port: number;
  readonly discoveryPort: number;
  readonly deviceUrl: string;
  auth: AuthMode;
  clockSkewMs: number;
  /** Requests per operation name (e.g. 'PullMessages') since start or resetCounts(). */
  count(op: string): number;
  counts(): Record<string, number>;
  resetCounts(): void;
  /** Make every request of an operation misbehave, or behave again with null. */
  misbehave(op: string, how: Misbehaviour | null): void;
  /** Send garbage UDP datagrams before each ProbeMatches. */
  discoveryGarbage: boolean;
  /** Queue an event for every live subscription; returns how many subscriptions got it. */
  emit(event: t.DoubleEvent): number;
  emitStyle(style: t.EventStyle, on: boolean): number;
  /** Live (not expired, not unsubscribed) subscriptions. */
  subscriptions(): number;
  waitForSubscription(timeoutMs?: number): Promise<void>;
  /** Camera reboot: close everything (dropping open long-polls), forget subscriptions, listen again on the same ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function operation(body: string): string {
  return /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?([\w]+)/.exec(body)?.[1] ?? 'unknown';
}

function misbehaviourBody(how: Misbehaviour, op: string): { status: number; body: string } {
  switch (how) {
    case 'fault':
      return { status: 500, body: t.fault('ter:Action', `${op} failed (injected fault)`) };
    case 'http500':
      return { status: 500, body: 'Internal Server Error' };
    case 'truncated':
      return { status: 200, body: t.envelope(`<tev:${op}Response><tev:CurrentTime>2024-`).slice(0, -60) };
    case 'garbage':
      return { status: 200, body: '\u0000\u00ff<<<>>> &&& not xml at all' };
    case 'malformed':
      return { status: 200, body: '' }; // handled by the caller: the real answer, damaged but complete
  }
}

/** Damage a complete answer the way sloppy firmwares do, keeping it understandable. */
function damage(xml: string): string {
  return xml.replace('<SOAP-ENV:Header/>', '<SOAP-ENV:Header>Tom & Jerry\'s <cam></SOAP-ENV:Header></stray>') + '\u0000garbage after the envelope';
}

export async function startOnvifDouble(opts: OnvifDoubleOptions = {}): Promise<OnvifDouble> {
  const host = '127.0.0.1';
  const username = opts.username;
  const password = opts.password ?? '';
  const faults = new Map<string, Misbehaviour>();
  let counts: Record<string, number> = {};
  const digest = new DigestVerifier();
  const state: { auth: AuthMode; skew: number; garbage: boolean } = { auth: opts.auth ?? (username ? 'either' : 'none'), skew: opts.clockSkewMs ?? 0, garbage: false };
  const cameraNow = (): number => Date.now() + state.skew;
  let base = '';
  const hub = new EventHub(cameraNow, () => base);

  function authorised(req: http.IncomingMessage, body: string): { ok: true } | { ok: false; status: number; body: string; challenge?: boolean } {
    if (state.auth === 'none' || username === undefined) return { ok: true };
    const wsse = state.auth === 'digest' ? 'absent' : checkWsse(body, username, password, cameraNow());
    const dig = state.auth === 'wsse' ? 'absent' : digest.check(req.headers.authorization, req.method ?? 'POST', username, password);
    if (wsse === 'ok' || dig === 'ok') return { ok: true };
    if (state.auth !== 'wsse' && dig !== 'bad' && wsse !== 'stale') return { ok: false, status: 401, body: 'Unauthorized', challenge: true };
    const reason = wsse === 'stale' ? 'The security token timestamp is outside the allowed window' : 'Sender not authorized';
    return { ok: false, status: state.auth === 'wsse' ? 400 : 401, body: t.fault('ter:NotAuthorized', reason) };
  }

  async function answer(req: http.IncomingMessage, body: string): Promise<{ status: number; body: string; headers?: Record<string, string> }> {
    const op = operation(body);
    counts[op] = (counts[op] ?? 0) + 1;
    const how = faults.get(op);
    if (how && how !== 'malformed') return misbehaviourBody(how, op);
    if (op !== 'GetSystemDateAndTime') {
      const auth = authorised(req, body);
      if (!auth.ok) return { status: auth.status, body: auth.body, ...(auth.challenge ? { headers: { 'WWW-Authenticate': digest.challenge() } } : {}) };
    }
    const inner = await dispatch(op, req.url ?? '/', body);
    if (inner === undefined) return { status: 400, body: t.fault('ter:ActionNotSupported', `${op} is not supported by the double`) };
    if ('fault' in inner) return { status: 400, body: inner.fault };
    const xml = t.envelope(inner.xml);
    return { status: 200, body: how === 'malformed' ? damage(xml) : xml };
  }

  async function dispatch(op: string, url: string, body: string): Promise<{ xml: string } | { fault: string } | undefined> {
    const name = opts.name ?? 'Front Door';
    switch (op) {
      case 'GetSystemDateAndTime':
        return { xml: t.dateTime(cameraNow()) };
      case 'GetCapabilities':
        return { xml: t.capabilities(base) };
      case 'GetServices':
        return { xml: t.services(base) };
      case 'GetDeviceInformation':
        return { xml: t.deviceInformation(opts.manufacturer ?? 'Reolink', opts.model ?? `Video Doorbell (${name})`) };
      case 'GetProfiles':
        return { xml: t.profiles() };
      case 'GetStreamUri': {
        const sub = body.includes('Profile_sub');
        const streams = opts.streams ?? { main: `rtsp://${host}:554/main`, sub: `rtsp://${host}:554/sub` };
        return { xml: t.mediaUri('GetStreamUriResponse', sub ? streams.sub : streams.main) };
      }
      case 'GetSnapshotUri':
        return { xml: t.mediaUri('GetSnapshotUriResponse', `${base}/snapshot.jpg`) };
      default:
        return hub.handle(op, url, body);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void answer(req, Buffer.concat(chunks).toString('utf8')).then((a) => {
        if (res.destroyed) return;
        res.writeHead(a.status, { 'Content-Type': 'application/soap+xml; charset=utf-8', ...a.headers });
        res.end(a.body);
      });
    });
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const close = async (): Promise<void> => {
    hub.reset();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };

  const port = await listen(opts.port ?? 0);
  base = `http://${host}:${port}`;
  const discovery = new DiscoveryResponder({
    port: opts.discoveryPort ?? 0,
    deviceUrl: () => `${base}/onvif/device_service`,
    name: opts.name ?? 'Front Door',
    hardware: opts.model ?? 'Reolink Video Doorbell PoE',
    garbage: () => state.garbage,
  });
  const discoveryPort = await discovery.start();
  let stopped = false;

  return {
    host,
    port,
    discoveryPort,
    deviceUrl: `${base}/onvif/device_service`,
    get auth() {
      return state.auth;
    },
    set auth(mode: AuthMode) {
      state.auth = mode;
    },
    get clockSkewMs() {
      return state.skew;
    },
    set clockSkewMs(ms: number) {
      state.skew = ms;
    },
    get discoveryGarbage() {
      return state.garbage;
    },
    set discoveryGarbage(on: boolean) {
      state.garbage = on;
    },
    count: (op) => counts[op] ?? 0,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    misbehave: (op, how) => (how === null ? faults.delete(op) : faults.set(op, how)) && undefined,
    emit: (event) => hub.emit(event),
    emitStyle: (style, on) => hub.emit(t.EVENT_STYLES[style](on)),
    subscriptions: () => hub.live(),
    waitForSubscription: (timeoutMs = 30_000) => hub.waitForSubscription(timeoutMs),
    async restart() {
      if (stopped) throw new Error('onvif double: restart() after stop()');
      await close();
      await discovery.stop();
      digest.reset();
      await listen(port);
      await discovery.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await close();
      await discovery.stop();
    },
  };
}
