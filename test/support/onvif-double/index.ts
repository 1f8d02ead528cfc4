// A fake ONVIF device for tests: HTTP SOAP on 127.0.0.1 (device, media and PullPoint events
// services) plus a WS-Discovery responder on a loopback UDP port. Strict like firmware (WS-
// Addressing checked on every request, see addressing.ts) and quirky like real devices: Tapo's
// long-polls cut at 10 s, short granted lifetimes, few subscription slots, no PullPoint, Digest on
// everything, addresses on another host, hostile bodies (adversary.ts). Tests steer it: emit
// events, hold motion on, skew its clock, make an operation fault, restart it on the same ports
// (a camera reboot), and read every request it saw.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { addressingFault, recordRequest, type RecordedRequest } from './addressing.js';
import { sendHostile, type Hostile, type HostileStats } from './adversary.js';
import { checkWsse, DigestVerifier, type AuthMode } from './auth.js';
import { DiscoveryResponder } from './ws-discovery.js';
import { EventHub } from './events.js';
import { damage, misbehaviourBody, type Misbehaviour } from './misbehave.js';
import * as t from './templates.js';

export type { AuthMode } from './auth.js';
export { prepareHostileBodies, type Hostile } from './adversary.js';
export type { RecordedRequest } from './addressing.js';
export { EXPECTED_ACTIONS } from './addressing.js';
export { EVENT_STYLES, type DoubleEvent, type EventStyle } from './templates.js';

export type { Misbehaviour } from './misbehave.js';

export interface OnvifDoubleOptions {
  port?: number;
  /** UDP port of the WS-Discovery responder; 0 picks a free one. */
  discoveryPort?: number;
  username?: string;
  password?: string;
  /** Default 'either' when a username is set, else 'none'. */
  auth?: AuthMode;
  /** HTTP Digest on every request, GetSystemDateAndTime included (implies auth 'digest'). */
  digestEverywhere?: boolean;
  /** Fault requests with missing or wrong WS-Addressing headers (default true). */
  strictAddressing?: boolean;
  /** Stream URIs to hand out (the RTSP test camera's, without credentials). */
  streams?: { main: string; sub: string };
  clockSkewMs?: number;
  name?: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  /** TP-Link Tapo: close every PullMessages still open after this long (Tapo: 10,000). */
  longPollCutMs?: number;
  /** Grant at most this subscription lifetime, whatever is asked. */
  grantSeconds?: number;
  /** Live subscriptions the camera keeps; one more is refused with a fault. */
  maxSubscriptions?: number;
  /** No PullPoint: CreatePullPointSubscription answers ActionNotSupported (true) or plain HTTP 404/405. */
  noPullPoint?: boolean | 404 | 405;
  /**
   * Report addresses on another host (an authority such as `[::1]:5555`): stream URIs, the
   * snapshot URI, the subscription address, service XAddrs. The double itself stays on 127.0.0.1.
   */
  foreign?: { streams?: string; snapshot?: string; subscription?: string; services?: string };
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
  /** Every request since start or resetCounts(), in order. */
  requests(): RecordedRequest[];
  resetCounts(): void;
  /** Long-polls closed by longPollCutMs. */
  cuts(): number;
  /** Make every request of an operation misbehave, or behave again with null. */
  misbehave(op: string, how: Misbehaviour | null): void;
  /** Answer every request of an operation with a hostile body, or stop with null. */
  hostile(op: string, kind: Hostile | null): void;
  readonly hostileStats: HostileStats;
  /** Send garbage UDP datagrams before each ProbeMatches. */
  discoveryGarbage: boolean;
  /** Queue an event for every live subscription; returns how many subscriptions got it. */
  emit(event: t.DoubleEvent): number;
  /** A property event (motion, visitor): kept as the camera's state and reported to new subscriptions. */
  emitStyle(style: t.EventStyle, on: boolean): number;
  /** Live (not expired, not unsubscribed) subscriptions. */
  subscriptions(): number;
  waitForSubscription(timeoutMs?: number): Promise<void>;
  /** Camera reboot: close everything (dropping open long-polls), forget subscriptions, listen again on the same ports. */
  restart(): Promise<void>;
  /** Network outage: connections dropped and refused until networkUp(); subscriptions and state survive. */
  networkDown(): Promise<void>;
  networkUp(): Promise<void>;
  stop(): Promise<void>;
}

function operation(body: string): string {
  return /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?([\w]+)/.exec(body)?.[1] ?? 'unknown';
}

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export async function startOnvifDouble(opts: OnvifDoubleOptions = {}): Promise<OnvifDouble> {
  const host = '127.0.0.1';
  const username = opts.username;
  const password = opts.password ?? '';
  const strict = opts.strictAddressing ?? true;
  const faults = new Map<string, Misbehaviour>();
  const hostile = new Map<string, Hostile>();
  const hostileStats: HostileStats = { lastBytes: 0 };
  let counts: Record<string, number> = {};
  let log: RecordedRequest[] = [];
  const seenIds = new Set<string>();
  let cuts = 0;
  const digest = new DigestVerifier();
  const defaultAuth: AuthMode = opts.digestEverywhere ? 'digest' : username ? 'either' : 'none';
  const state: { auth: AuthMode; skew: number; garbage: boolean } = { auth: opts.auth ?? defaultAuth, skew: opts.clockSkewMs ?? 0, garbage: false };
  const cameraNow = (): number => Date.now() + state.skew;
  let base = '';
  const foreignBase = (authority: string | undefined): string => (authority ? `http://${authority}` : base);
  const hub = new EventHub({ now: cameraNow, address: () => foreignBase(opts.foreign?.subscription), grantSeconds: opts.grantSeconds, maxSubscriptions: opts.maxSubscriptions });

  function authorised(req: http.IncomingMessage, body: string): { ok: true } | { ok: false; status: number; body: string; challenge?: boolean } {
    if (state.auth === 'none' || username === undefined) return { ok: true };
    const wsse = state.auth === 'digest' ? 'absent' : checkWsse(body, username, password, cameraNow());
    const dig = state.auth === 'wsse' ? 'absent' : digest.check(req.headers.authorization, req.method ?? 'POST', username, password);
    if (wsse === 'ok' || dig === 'ok') return { ok: true };
    if (state.auth !== 'wsse' && dig !== 'bad' && wsse !== 'stale') return { ok: false, status: 401, body: 'Unauthorized', challenge: true };
    const reason = wsse === 'stale' ? 'The security token timestamp is outside the allowed window' : 'Sender not authorized';
    return { ok: false, status: state.auth === 'wsse' ? 400 : 401, body: t.fault('ter:NotAuthorized', reason) };
  }

  async function answer(req: http.IncomingMessage, op: string, record: RecordedRequest, body: string, gone: () => boolean): Promise<Reply> {
    const how = faults.get(op);
    if (how && how !== 'malformed') return misbehaviourBody(how, op);
    if (strict) {
      const wsa = addressingFault(record, seenIds);
      if (wsa) return { status: 400, body: wsa };
    }
    if (op !== 'GetSystemDateAndTime' || opts.digestEverywhere) {
      const auth = authorised(req, body);
      if (!auth.ok) return { status: auth.status, body: auth.body, ...(auth.challenge ? { headers: { 'WWW-Authenticate': digest.challenge() } } : {}) };
    }
    if (op === 'CreatePullPointSubscription' && opts.noPullPoint) {
      if (opts.noPullPoint === true) return { status: 400, body: t.fault('ter:ActionNotSupported', 'Optional Action Not Implemented', { code: 'Receiver' }) };
      return { status: opts.noPullPoint, body: opts.noPullPoint === 404 ? 'Not Found' : 'Method Not Allowed' };
    }
    const inner = await dispatch(op, req.url ?? '/', body, gone);
    if (inner === undefined) return { status: 400, body: t.fault('ter:ActionNotSupported', `${op} is not supported by the double`) };
    if ('fault' in inner) return { status: inner.status ?? 400, body: inner.fault };
    const xml = t.envelope(inner.xml);
    return { status: 200, body: how === 'malformed' ? damage(xml) : xml };
  }

  async function dispatch(op: string, url: string, body: string, gone: () => boolean): ReturnType<EventHub['handle']> {
    const name = opts.name ?? 'Front Door';
    const services = foreignBase(opts.foreign?.services);
    switch (op) {
      case 'GetSystemDateAndTime':
        return { xml: t.dateTime(cameraNow()) };
      case 'GetCapabilities':
        return { xml: t.capabilities(services, !opts.noPullPoint) };
      case 'GetServices':
        return { xml: t.services(services) };
      case 'GetDeviceInformation':
        return { xml: t.deviceInformation(opts.manufacturer ?? 'Reolink', opts.model ?? `Video Doorbell (${name})`, opts.firmware) };
      case 'GetProfiles':
        return { xml: t.profiles() };
      case 'GetStreamUri': {
        const sub = body.includes('Profile_sub');
        const streams = opts.streams ?? { main: `rtsp://${host}:554/main`, sub: `rtsp://${host}:554/sub` };
        const uri = sub ? streams.sub : streams.main;
        return { xml: t.mediaUri('GetStreamUriResponse', opts.foreign?.streams ? uri.replace(/^rtsp:\/\/[^/]+/, `rtsp://${opts.foreign.streams}`) : uri) };
      }
      case 'GetSnapshotUri':
        return { xml: t.mediaUri('GetSnapshotUriResponse', `${foreignBase(opts.foreign?.snapshot)}/snapshot.jpg`) };
      default:
        return hub.handle(op, url, body, gone);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const op = operation(body);
      const record = recordRequest(op, (req.url ?? '/').split('?')[0] ?? '/', body, req.headers['content-type'], req.headers.authorization);
      counts[op] = (counts[op] ?? 0) + 1;
      log.push(record);
      const kind = hostile.get(op);
      if (kind) return void sendHostile(res, kind, hostileStats);
      const cutAfter = op === 'PullMessages' ? opts.longPollCutMs : undefined;
      const cut = cutAfter === undefined ? undefined : setTimeout(() => {
        cuts += 1;
        record.status = 0;
        req.socket.destroy();
      }, cutAfter);
      void answer(req, op, record, body, () => res.destroyed || req.socket.destroyed).then((a) => {
        clearTimeout(cut);
        if (res.destroyed) return;
        record.status = a.status;
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
  const close = async (keepState = false): Promise<void> => {
    if (!keepState) hub.reset();
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
    hostileStats,
    count: (op) => counts[op] ?? 0,
    counts: () => ({ ...counts }),
    requests: () => [...log],
    resetCounts: () => {
      counts = {};
      log = [];
    },
    cuts: () => cuts,
    misbehave: (op, how) => (how === null ? faults.delete(op) : faults.set(op, how)) && undefined,
    hostile: (op, kind) => (kind === null ? hostile.delete(op) : hostile.set(op, kind)) && undefined,
    emit: (event) => hub.emit(event),
    emitStyle: (style, on) => hub.emitStyle(style, on),
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
    async networkDown() {
      await close(true);
    },
    async networkUp() {
      await listen(port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await close();
      await discovery.stop();
    },
  };
}
