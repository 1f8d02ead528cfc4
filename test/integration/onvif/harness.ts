// An OnvifEventService on a real bus against the fake ONVIF device, recording what it emits.
import { pino } from 'pino';
import { OnvifEventService } from '../../../src/cameras/onvif/event-service.js';
import type { BackoffPolicy } from '../../../src/core/backoff.js';
import type { EventSourceStatus } from '../../../src/cameras/onvif/event-health.js';
import { cameraSchema } from '../../../src/config/schema.js';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus, type EventMap } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import type { OnvifDouble } from '../../support/onvif-double/index.js';
import { waitUntil as sharedWaitUntil } from '../../support/wait.js';

export const USER = 'admin';
export const PASS = 'secret-pass-1';

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
  const log = pino({ level: process.env.CLIPGATE_TEST_LOG ?? 'silent' });
  const bus = new EventBus(log);
  const problems = new Problems({ bus, clock: systemClock });
  const camera = cameraSchema.parse({ id: 'door', kind: 'doorbell', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS, events: opts.events ?? {} } });
  const service = new OnvifEventService({
    camera,
    bus,
    log,
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
