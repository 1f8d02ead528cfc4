// A vendor event source on a real bus against a vendor double, recording what reaches the bus
// and when (performance.now, the clock the doubles stamp their writes with).
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { digestAuthorization, parseDigestChallenge } from '../../../src/cameras/onvif/digest.js';
import type { BackoffPolicy } from '../../../src/core/backoff.js';
import { vendorBackoff, type Backoff } from '../../../src/cameras/vendor/backoff.js';
import { createDahuaDriver } from '../../../src/cameras/vendor/dahua.js';
import type { VendorDriver } from '../../../src/cameras/vendor/driver.js';
import { createHikvisionDriver } from '../../../src/cameras/vendor/hikvision.js';
import { VendorEventSource, type VendorEventSourceDeps } from '../../../src/cameras/vendor/source.js';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus, type EventMap } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import { waitUntil as sharedWaitUntil } from '../../support/wait.js';

export const USER = 'admin';
export const PASS = 'Cam-pass-7731';

type Stamped<T> = T & { receivedAt: number };

export interface SourceRig {
  source: VendorEventSource;
  problems: Problems;
  motion: Stamped<EventMap['motion.changed']>[];
  presses: Stamped<EventMap['doorbell.pressed']>[];
  /** Delays the backoff handed out, in order. */
  delays: number[];
  /** Every state the source announced (onStatus), in order. */
  states: string[];
  logs: string[];
  stop(): Promise<void>;
}

export interface RigOptions {
  port: number;
  driver: VendorDriver;
  password?: string;
  backoff?: Partial<BackoffPolicy>;
  extra?: Partial<VendorEventSourceDeps>;
}

export function sourceRig(o: RigOptions): SourceRig {
  const logs: string[] = [];
  const log = pino({ level: process.env.CLIPGATE_TEST_LOG ?? 'debug' }, { write: (line: string) => void logs.push(line) });
  const bus = new EventBus(log);
  const problems = new Problems({ bus, clock: systemClock });
  const delays: number[] = [];
  const inner = vendorBackoff({ initialMs: 200, maxMs: 2_000, ...o.backoff });
  const backoff: Backoff = {
    next: () => {
      const d = inner.next();
      delays.push(d);
      return d;
    },
    reset: () => inner.reset(),
  };
  const states: string[] = [];
  const source = new VendorEventSource({
    cameraId: 'door',
    endpoint: { host: '127.0.0.1', port: o.port, https: false, username: USER, password: o.password ?? PASS },
    driver: o.driver,
    bus,
    log,
    clock: systemClock,
    problems,
    backoff,
    connectTimeoutMs: 3_000,
    onStatus: (s) => void states.push(s.state),
    ...o.extra,
  });
  const motion: SourceRig['motion'] = [];
  const presses: SourceRig['presses'] = [];
  bus.on('test', 'motion.changed', (e) => void motion.push({ ...e, receivedAt: performance.now() }));
  bus.on('test', 'doorbell.pressed', (e) => void presses.push({ ...e, receivedAt: performance.now() }));
  return { source, problems, motion, presses, delays, states, logs, stop: () => source.stop() };
}

export const hikDriver = (over: Partial<Parameters<typeof createHikvisionDriver>[0]> = {}): VendorDriver => createHikvisionDriver({ channel: 1, holdMs: 1_500, doorbell: false, idleTimeoutMs: 60_000, ...over });
export const dahuaDriver = (over: Partial<Parameters<typeof createDahuaDriver>[0]> = {}): VendorDriver => createDahuaDriver({ channel: 1, alarmInput: 'motion', heartbeatSeconds: 1, ...over });

/** The shared wait, polling every 10 ms (event timing tests look at short intervals). */
export const waitUntil = (what: string, fn: () => boolean, timeoutMs: number): Promise<void> => sharedWaitUntil(what, fn, timeoutMs, 10);
export { sleep } from '../../support/wait.js';

/** Latency summary of paired (write, receive) times in ms. */
export function latency(pairs: { wrote: number; got: number }[]): { n: number; medianMs: number; maxMs: number } {
  const ms = pairs.map((p) => p.got - p.wrote).sort((a, b) => a - b);
  return { n: ms.length, medianMs: round(ms[Math.floor(ms.length / 2)] ?? NaN), maxMs: round(ms[ms.length - 1] ?? NaN) };
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Any method through the double's Digest gate: one challenge, then the answer to it. */
export async function digestRequest(port: number, path: string, method: string, password = PASS): Promise<{ status: number; text: string }> {
  const url = `http://127.0.0.1:${port}${path}`;
  const first = await fetch(url, { method });
  await first.body?.cancel();
  const challenge = parseDigestChallenge(first.headers.get('www-authenticate'));
  if (!challenge) return { status: first.status, text: '' };
  const res = await fetch(url, { method, headers: { Authorization: digestAuthorization({ challenge, method, uri: path, username: USER, password, nc: 1 }) } });
  return { status: res.status, text: await res.text() };
}
