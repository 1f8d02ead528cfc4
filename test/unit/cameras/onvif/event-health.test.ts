import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHealth, noPullPoint, slotsFull, type EventSourceStatus } from '../../../../src/cameras/onvif/event-health.js';
import { ManualClock } from '../../../../src/core/clock.js';
import { AppError } from '../../../../src/core/errors.js';
import { EventBus, type EventMap } from '../../../../src/core/events.js';
import { Problems } from '../../../../src/core/problems.js';

const fault = (...codes: string[]): AppError => new AppError('ONVIF_FAULT', 'camera answered with a SOAP fault', { codes, status: 400 });
const http = (status: number): AppError => new AppError('ONVIF_BAD_RESPONSE', `camera answered HTTP ${status}`, { status });

describe('no PullPoint / slots full', () => {
  it.each([
    [fault('env:Receiver', 'ter:ActionNotSupported'), true],
    [fault('env:Sender', 'wsa5:ActionNotSupported'), true],
    [fault('SOAP-ENV:Client', 'ter:NotImplemented'), true],
    [http(404), true],
    [http(405), true],
    [http(501), true],
    [http(500), false],
    [fault('env:Receiver', 'wsntw:SubscribeCreationFailedFault'), false],
    [new AppError('ONVIF_UNREACHABLE', 'cannot reach camera'), false],
    [new AppError('ONVIF_AUTH_FAILED', 'refused'), false],
  ])('%s → %s', (err, expected) => {
    expect(noPullPoint(err)).toBe(expected);
  });

  it('slot exhaustion is recognised by code or message', () => {
    expect(slotsFull(fault('env:Receiver', 'wsntw:SubscribeCreationFailedFault'))).toBe(true);
    expect(slotsFull(new AppError('ONVIF_FAULT', 'camera answered with a SOAP fault: Maximum number of subscriptions reached'))).toBe(true);
    expect(slotsFull(fault('ter:ActionNotSupported'))).toBe(false);
  });
});

describe('event source health', () => {
  afterEach(() => void vi.useRealTimers());

  function rig(): { health: EventHealth; problems: Problems; statuses: EventSourceStatus[]; fallbacks: EventMap['motion.fallback'][]; downs: number[] } {
    vi.useFakeTimers();
    const log = pino({ level: 'silent' });
    const bus = new EventBus(log);
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const problems = new Problems({ bus, clock });
    const statuses: EventSourceStatus[] = [];
    const fallbacks: EventMap['motion.fallback'][] = [];
    bus.on('test', 'motion.fallback', (e) => void fallbacks.push(e));
    const health = new EventHealth({ cameraId: 'door', bus, clock, log, problems, graceMs: 60_000, onStatus: (s) => void statuses.push(s) });
    return { health, problems, statuses, fallbacks, downs: [] };
  }

  it('failures within the grace period show nothing; past it: down with the reason; events flowing: up', () => {
    const r = rig();
    const onDown = (): number => r.downs.push(1);
    r.health.ok();
    r.health.failing(new Error('camera at x closed the connection'), onDown);
    vi.advanceTimersByTime(59_000);
    r.health.failing(new Error('cannot reach camera at x: ECONNREFUSED'), onDown);
    expect(r.problems.list()).toEqual([]);
    expect(r.downs).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(r.downs).toEqual([1]);
    expect(r.health.status).toMatchObject({ state: 'down', lastError: 'cannot reach camera at x: ECONNREFUSED' });
    expect(r.problems.list()[0]).toMatchObject({ id: 'onvif.events.door', summary: 'door: camera events down' });
    // Reachable again but no events yet: still down, no flapping.
    r.health.reachable();
    expect(r.health.status.state).toBe('down');
    r.health.ok();
    expect(r.problems.list()).toEqual([]);
    expect(r.statuses.map((s) => s.state)).toEqual(['up', 'down', 'up']);
  });

  it('a successful exchange restarts the grace period', () => {
    const r = rig();
    const onDown = (): number => r.downs.push(1);
    r.health.ok();
    r.health.failing(new Error('a'), onDown);
    vi.advanceTimersByTime(50_000);
    r.health.reachable();
    r.health.failing(new Error('b'), onDown);
    vi.advanceTimersByTime(50_000);
    expect(r.downs).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(r.downs).toEqual([1]);
  });

  it('fallback: one bus event, a problem with the way out, no grace timer left', () => {
    const r = rig();
    const onDown = (): number => r.downs.push(1);
    r.health.starting(onDown);
    r.health.fallback('CreatePullPointSubscription failed: camera answered HTTP 404');
    vi.advanceTimersByTime(120_000);
    expect(r.downs).toEqual([]);
    expect(r.fallbacks).toEqual([{ cameraId: 'door', reason: 'CreatePullPointSubscription failed: camera answered HTTP 404', at: '2026-01-01T00:00:00.000Z' }]);
    expect(r.problems.list().map((p) => p.id)).toEqual(['onvif.fallback.door']);
    r.health.stop();
    expect(r.problems.list()).toEqual([]);
    expect(r.statuses.map((s) => s.state)).toEqual(['fallback', 'stopped']);
  });
});
