import type { Logger } from 'pino';
import type { CameraConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import { AppError, errorMessage } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { Problems } from '../../core/problems.js';
import type { Service } from '../../core/service.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { OnvifDevice } from './device.js';
import { createPullPoint, pullMessages, renew, unsubscribe, type Subscription } from './pullpoint.js';
import { onvifTarget } from './resolver.js';
import { OnvifEventState, type StateChange } from './state.js';
import { topicRules } from './topics.js';

export interface OnvifEventServiceDeps {
  camera: CameraConfig;
  bus: EventBus;
  log: Logger;
  clock: Clock;
  problems: Problems;
  backoff?: Partial<BackoffOptions>;
  /** Long-poll length of each PullMessages. */
  pullTimeoutSeconds?: number;
  /** Subscription lifetime requested on create and renew. */
  terminationSeconds?: number;
}

/** A camera event further than this from our clock (after offset correction) gets our receive time instead. */
const MAX_EVENT_AGE_MS = 60_000;
const EMPTY_PULL_PAUSE_MS = 2_000;

/**
 * Drives one camera's PullPoint subscription itself: CreatePullPointSubscription, long-poll
 * PullMessages, Renew before termination, Unsubscribe on stop. We never use the `onvif`
 * package's automatic event loop: it re-subscribes in a tight loop when a camera faults and
 * stops on some date formats (TEAM.md). Any failure drops the subscription and re-subscribes
 * after an exponential backoff with jitter, reset only after a successful PullMessages, so a
 * camera that faults on every call gets at most a few requests a minute.
 */
export class OnvifEventService implements Service {
  readonly name: string;
  private readonly state: OnvifEventState;
  private readonly backoff: Backoff;
  private readonly pullTimeout: number;
  private readonly termination: number;
  private readonly problemId: string;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private device: OnvifDevice | undefined;
  private sub: Subscription | undefined;

  constructor(private readonly deps: OnvifEventServiceDeps) {
    if (!deps.camera.onvif) throw new Error(`camera ${deps.camera.id} has no onvif section`);
    this.name = `onvif-events:${deps.camera.id}`;
    this.state = new OnvifEventState(topicRules(deps.camera.onvif.events), () => deps.clock.now());
    this.backoff = new Backoff(deps.backoff);
    this.pullTimeout = deps.pullTimeoutSeconds ?? 20;
    this.termination = deps.terminationSeconds ?? 120;
    this.problemId = `onvif.events.${deps.camera.id}`;
  }

  /** Returns at once; an unreachable camera must not hold up start-up. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort(new Error('stopping'));
    await this.loop;
    this.loop = undefined;
    await this.dropSubscription();
    this.publish(this.state.reset());
    this.deps.problems.clear(this.problemId);
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.subscribeAndPull(signal);
      } catch (err) {
        if (signal.aborted) break;
        await this.onFailure(err);
        await sleep(this.backoff.next(), signal);
      }
    }
  }

  private async subscribeAndPull(signal: AbortSignal): Promise<void> {
    const cam = this.deps.camera;
    if (!this.device) {
      const device = new OnvifDevice(onvifTarget(cam.onvif!));
      await device.connect(signal);
      this.device = device;
    }
    const device = this.device;
    this.sub = await createPullPoint(device, this.termination, signal);
    this.deps.log.info({ camera: cam.id }, 'onvif event subscription created');
    while (!signal.aborted) {
      const sentAt = this.deps.clock.now();
      const result = await pullMessages(device, this.sub, this.pullTimeout, signal);
      if (this.backoff.attempts > 0 || this.deps.problems.has(this.problemId)) {
        this.deps.log.info({ camera: cam.id }, 'onvif events flowing again');
        this.deps.problems.clear(this.problemId);
      }
      this.backoff.reset();
      if (result.terminationMs !== undefined) this.sub.terminationMs = result.terminationMs;
      if (result.currentMs !== undefined) this.sub.currentMs = result.currentMs;
      // At debug level every topic is logged, so owners can find the names to add under onvif.events.
      for (const m of result.messages) this.deps.log.debug({ camera: cam.id, topic: m.topic, data: m.data, operation: m.operation }, 'onvif event');
      this.publish(this.state.apply(result.messages));
      if (this.renewDue(this.sub)) await renew(device, this.sub, this.termination, signal);
      // Some firmwares ignore the long-poll timeout and answer empty at once: do not spin on them.
      if (result.messages.length === 0 && this.deps.clock.now() - sentAt < 1_000) await sleep(EMPTY_PULL_PAUSE_MS, signal);
    }
  }

  /** Renew when the subscription would end before the next long-poll finishes (with margin). */
  private renewDue(sub: Subscription): boolean {
    if (sub.terminationMs === undefined) return false;
    const cameraNow = sub.currentMs ?? this.deps.clock.now() + (this.device?.client.clockOffsetMs ?? 0);
    return sub.terminationMs - cameraNow < (this.pullTimeout + 30) * 1000;
  }

  private async onFailure(err: unknown): Promise<void> {
    const cam = this.deps.camera;
    const code = err instanceof AppError ? err.code : 'INTERNAL';
    this.deps.log.warn({ camera: cam.id, code, attempt: this.backoff.attempts + 1, reason: errorMessage(err) }, 'onvif event subscription failed; re-subscribing after backoff');
    this.deps.problems.raise(this.problemId, 'warning', `${cam.id}: camera events interrupted`, errorMessage(err));
    // Motion state is unknown until a new subscription reports it; a stuck "active" would record until maxSeconds.
    this.publish(this.state.reset());
    // A fault means the camera is up: free its subscription slot (cameras have only a few).
    if (code === 'ONVIF_FAULT' || code === 'ONVIF_BAD_RESPONSE') await this.dropSubscription();
    this.sub = undefined;
    // Unreachable or refused: reconnect next time, which also re-measures the clock offset (reboots reset clocks).
    if (code !== 'ONVIF_FAULT' && code !== 'ONVIF_BAD_RESPONSE') this.device = undefined;
  }

  private async dropSubscription(): Promise<void> {
    const sub = this.sub;
    this.sub = undefined;
    if (!sub || !this.device) return;
    try {
      await unsubscribe(this.device, sub, 3_000);
    } catch (err) {
      this.deps.log.debug({ camera: this.deps.camera.id, reason: errorMessage(err) }, 'onvif unsubscribe failed');
    }
  }

  private publish(change: StateChange): void {
    const cameraId = this.deps.camera.id;
    if (change.motion !== undefined) {
      this.deps.bus.emit('motion.changed', { cameraId, active: change.motion, source: 'onvif', at: this.eventTime(change.motionAt) });
    }
    for (const cameraMs of change.presses) {
      this.deps.bus.emit('doorbell.pressed', { cameraId, at: this.eventTime(cameraMs) });
    }
  }

  /** Camera event time on our clock, or now when the camera's time is missing or implausible. */
  private eventTime(cameraMs: number | undefined): string {
    const now = this.deps.clock.now();
    if (cameraMs === undefined) return this.deps.clock.iso();
    const ours = cameraMs - (this.device?.client.clockOffsetMs ?? 0);
    return Math.abs(ours - now) <= MAX_EVENT_AGE_MS && ours <= now ? new Date(ours).toISOString() : this.deps.clock.iso();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
