// An OnvifEventService on a real bus against the fake ONVIF device, recording what it emits, and
// the per-test fixture that starts the device (and the service) and stops them after each test.
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { OnvifEventService } from '../../../src/cameras/onvif/event-service.js';
import type { BackoffPolicy } from '../../../src/core/backoff.js';
import type { EventSourceStatus } from '../../../src/cameras/onvif/event-health.js';
import { cameraSchema } from '../../../src/config/schema.js';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus, type EventMap } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import { startOnvifDouble, type OnvifDouble, type OnvifDoubleOptions } from '../../support/onvif-double/index.js';
import { waitUntil as sharedWaitUntil } from '../../support/wait.js';

export const USER = 'admin';
export const PASS = 'secret-pass-1';
/** The onboarding tests' password: one that RTSP URLs must escape. */
export const STREAM_PASS = 'p@ss:word-1';
export const STREAMS = { main: 'rtsp://127.0.0.1:8554/main', sub: 'rtsp://127.0.0.1:8554/sub' };
export const testLog = pino({ level: process.env.CLIPGATE_TEST_LOG ?? 'silent' });

export interface EventRig {
  service: OnvifEventService;
  problems: Problems;
  motion: EventMap['motion.changed'][];
  /** Date.now() when each motion event reached the bus. */
  motionReceivedAt: number[];
  presses: EventMap['doorbell.pressed'][];
  fallbacks: EventMap['motion.fallback'][];
  statuses: EventSourceStatus[];
  stop(): Promise<void>;
}

export interface EventRigOptions {
  backoff?: Partial<BackoffPolicy>;
  pullTimeoutSeconds?: number;
  terminationSeconds?: number;
  graceMs?: number;
  events?: { motion?: string[]; doorbell?: string[] };
}

export function eventRig(double: OnvifDouble, opts: EventRigOptions = {}): EventRig {
  const bus = new EventBus(testLog);
  const problems = new Problems({ bus, clock: systemClock });
  const camera = cameraSchema.parse({ id: 'door', kind: 'doorbell', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS, events: opts.events ?? {} } });
  const service = new OnvifEventService({
    camera,
    bus,
    log: testLog,
    clock: systemClock,
    problems,
    pullTimeoutSeconds: opts.pullTimeoutSeconds ?? 5,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.terminationSeconds ? { terminationSeconds: opts.terminationSeconds } : {}),
    ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
    onStatus: (s) => void statuses.push(s),
  });
  const motion: EventMap['motion.changed'][] = [];
  const presses: EventMap['doorbell.pressed'][] = [];
  const fallbacks: EventMap['motion.fallback'][] = [];
  const statuses: EventSourceStatus[] = [];
  const motionReceivedAt: number[] = [];
  bus.on('test', 'motion.changed', (e) => {
    motion.push(e);
    motionReceivedAt.push(Date.now());
  });
  bus.on('test', 'doorbell.pressed', (e) => void presses.push(e));
  bus.on('test', 'motion.fallback', (e) => void fallbacks.push(e));
  return { service, problems, motion, motionReceivedAt, presses, fallbacks, statuses, stop: () => service.stop() };
}

/** The shared wait, polling every 50 ms (event timing tests look at short intervals). */
export const waitUntil = (what: string, fn: () => boolean, timeoutMs: number): Promise<void> => sharedWaitUntil(what, fn, timeoutMs, 50);
export { sleep } from '../../support/wait.js';

export interface OnvifFixtureDefaults {
  /** Options of every fake camera the file starts, over USER / PASS. */
  double?: OnvifDoubleOptions;
  /** Options of every event rig, and whether starting one waits for its first subscription. */
  rig?: EventRigOptions & { subscribed?: boolean };
}

export interface OnvifFixture {
  /** Starts the fake camera with the file's defaults, `opts` over them. */
  double: (opts?: OnvifDoubleOptions) => Promise<OnvifDouble>;
  /** Starts an event service against the last camera started (waiting for its subscription when the defaults say so). */
  rig: (opts?: EventRigOptions) => Promise<EventRig>;
  /** Both, camera first. */
  start: (doubleOpts?: OnvifDoubleOptions, rigOpts?: EventRigOptions) => Promise<{ d: OnvifDouble; r: EventRig }>;
}

/**
 * The fake camera and event rig of each test in the file that calls this at its top level: after
 * each test the rig stops, then the camera.
 */
export function onvifFixture(defaults: OnvifFixtureDefaults = {}): OnvifFixture {
  let double: OnvifDouble | undefined;
  let rig: EventRig | undefined;
  afterEach(async () => {
    await rig?.stop();
    await double?.stop();
    rig = undefined;
    double = undefined;
  });
  const { subscribed = false, ...rigDefaults } = defaults.rig ?? {};
  const fixture: OnvifFixture = {
    double: async (opts = {}) => {
      double = await startOnvifDouble({ username: USER, password: PASS, ...defaults.double, ...opts });
      return double;
    },
    rig: async (opts = {}) => {
      if (!double) throw new Error('onvifFixture: rig() before double()');
      const d = double;
      rig = eventRig(d, { ...rigDefaults, ...opts });
      await rig.service.start();
      if (subscribed) await d.waitForSubscription(10_000);
      return rig;
    },
    start: async (doubleOpts = {}, rigOpts = {}) => {
      const d = await fixture.double(doubleOpts);
      return { d, r: await fixture.rig(rigOpts) };
    },
  };
  return fixture;
}
