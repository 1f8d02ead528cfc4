import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { Problems } from '../../core/problems.js';
import { faultCodes } from './soap.js';

import type { EventSourceState } from '../../core/types.js';
import type { EventSourceStatus } from '../types.js';

/*
 * What the owner sees of one camera's ONVIF event source: `up` while events flow, `down` once the
 * camera has failed for longer than the grace period, `fallback` when it has no PullPoint events
 * at all. Short interruptions (a renew refused, a reboot, a Wi-Fi blip) stay in the log: nothing
 * flaps in the UI or in Home Assistant for them.
 */
export type { EventSourceState, EventSourceStatus };

export interface EventHealthDeps {
  cameraId: string;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  problems: Problems;
  graceMs: number;
  onStatus?: ((status: EventSourceStatus) => void) | undefined;
}

/** Fault codes that say the camera has no PullPoint interface at all. */
const NO_PULLPOINT_CODE = /ActionNotSupported|ActionNotImplemented|NoSuchService|NotImplemented/i;
/** HTTP statuses (without a SOAP fault) meaning the same. */
const NO_PULLPOINT_STATUS = new Set([404, 405, 501]);
/** Faults of a camera whose subscription slots are all taken: temporary, never a reason to fall back. */
const SLOTS_FULL = /SubscribeCreationFailed|UnableToCreatePullPoint|NoResources|TooMany|Maximum number/i;

/** A CreatePullPointSubscription failure that proves the camera has no PullPoint. */
export function noPullPoint(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  if (err.code === 'ONVIF_FAULT') return faultCodes(err).some((c) => NO_PULLPOINT_CODE.test(c));
  const status = (err.details as { status?: number } | undefined)?.status;
  return err.code === 'ONVIF_BAD_RESPONSE' && status !== undefined && NO_PULLPOINT_STATUS.has(status);
}

export function slotsFull(err: unknown): boolean {
  return err instanceof AppError && (faultCodes(err).some((c) => SLOTS_FULL.test(c)) || SLOTS_FULL.test(err.message));
}

export class EventHealth {
  readonly problemId: string;
  readonly fallbackProblemId: string;
  private current: EventSourceStatus;
  private grace: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private hint: string | undefined;

  constructor(private readonly deps: EventHealthDeps) {
    this.problemId = `onvif.events.${deps.cameraId}`;
    this.fallbackProblemId = `onvif.fallback.${deps.cameraId}`;
    this.current = { cameraId: deps.cameraId, state: 'starting', since: deps.clock.iso() };
  }

  get status(): EventSourceStatus {
    return { ...this.current };
  }

  /**
   * Start the grace period unless it runs already: `onDown` is called when no success ends it in
   * time. Called at start and on every failure.
   */
  failing(err: unknown, onDown: () => void): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.hint = slotsFull(err)
      ? 'the camera has no free event subscription slots: close other NVR or Home Assistant ONVIF connections, or wait for their subscriptions to expire'
      : undefined;
    if (this.current.state === 'down') this.raiseDown();
    if (this.grace || this.current.state === 'down' || this.current.state === 'fallback') return;
    this.grace = setTimeout(() => {
      this.grace = undefined;
      onDown();
      this.down();
    }, this.deps.graceMs);
  }

  /** Arm the grace period at start-up, before anything failed. */
  starting(onDown: () => void): void {
    this.failing(new Error('no answer from the camera yet'), onDown);
  }

  /**
   * The camera answered (connect, create, renew): it is not gone, so the grace period restarts at
   * the next failure. A source already down stays down until events flow again.
   */
  reachable(): void {
    if (this.current.state !== 'down' && this.current.state !== 'fallback') this.clearGrace();
  }

  /** Events flow: the source is up. */
  ok(): void {
    this.clearGrace();
    if (this.current.state === 'up') return;
    if (this.current.state === 'down') this.deps.log.info({ camera: this.deps.cameraId }, 'onvif events flowing again');
    this.deps.problems.clear(this.problemId);
    this.set('up');
  }

  fallback(reason: string): void {
    this.clearGrace();
    const id = this.deps.cameraId;
    this.deps.problems.clear(this.problemId);
    this.deps.problems.raise(
      this.fallbackProblemId,
      'warning',
      `${id}: the camera sends no ONVIF motion events; motion detection on its stream takes over`,
      `${reason}. To make this permanent and silence this notice, set events: none and motion.detect.enabled: true for camera "${id}" in the config.`,
    );
    this.deps.log.warn({ camera: id, reason }, 'camera has no onvif pullpoint events; asking for daemon-side motion detection');
    this.deps.bus.emit('motion.fallback', { cameraId: id, reason, at: this.deps.clock.iso() });
    this.set('fallback', reason);
  }

  stop(): void {
    this.clearGrace();
    this.deps.problems.clear(this.problemId);
    this.deps.problems.clear(this.fallbackProblemId);
    this.set('stopped');
  }

  private down(): void {
    const why = this.raiseDown();
    this.deps.log.warn({ camera: this.deps.cameraId, reason: why, graceMs: this.deps.graceMs }, 'onvif events down for longer than the grace period');
    this.set('down', why);
  }

  /** Raise (or update: Problems ignores an unchanged one) the down problem; returns the reason. */
  private raiseDown(): string {
    const why = this.lastError ?? 'no answer';
    const details = `${why}${this.hint ? ` (${this.hint})` : ''}; motion is reported off until the camera answers again`;
    this.deps.problems.raise(this.problemId, 'warning', `${this.deps.cameraId}: camera events down`, details);
    return why;
  }

  private clearGrace(): void {
    clearTimeout(this.grace);
    this.grace = undefined;
  }

  private set(state: EventSourceState, lastError?: string): void {
    this.current = { cameraId: this.deps.cameraId, state, since: this.deps.clock.iso(), ...(lastError !== undefined ? { lastError } : {}) };
    this.deps.onStatus?.(this.status);
  }
}
