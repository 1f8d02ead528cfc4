import type { Logger } from 'pino';
import type { CameraConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import { AppError, errorMessage } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { Problems } from '../../core/problems.js';
import type { Service } from '../../core/service.js';
import { Backoff, type BackoffPolicy } from '../../core/backoff.js';
import { sleepUnlessAborted } from '../sleep.js';
import { OnvifDevice } from './device.js';
import { EventHealth, noPullPoint, slotsFull, type EventSourceStatus } from './event-health.js';
import { grantedMs, PullTimeout, renewDelayMs } from './lifetime.js';
import { EventPublisher } from './publish.js';
import { createPullPoint, pullMessages, renew, unsubscribe, type Subscription } from './pullpoint.js';
import { onvifTarget } from './resolver.js';
import { OnvifEventState, type StateChange } from './state.js';
import { topicRules } from './topics.js';
import { transportCause } from './transport.js';

export interface OnvifEventServiceDeps {
  camera: CameraConfig;
  bus: EventBus;
  log: Logger;
  clock: Clock;
  problems: Problems;
  backoff?: Partial<BackoffPolicy>;
  /** Long-poll length asked in each PullMessages (shortened for cameras that cut it). Default 20. */
  pullTimeoutSeconds?: number;
  /** Subscription lifetime asked on create and renew. Default 600. */
  terminationSeconds?: number;
  /** How long the camera may fail before motion is reported off and the source shown down. Default 60 s. */
  graceMs?: number;
  /** Consecutive CreatePullPointSubscription faults taken as "this camera has no PullPoint". Default 5. */
  createFaultLimit?: number;
  /** Total deadline of the requests other than PullMessages. */
  timeoutMs?: number;
  /** Told on every change of the event source's state (for the camera registry and status). */
  onStatus?: (status: EventSourceStatus) => void;
}

export interface EventServiceStats {
  subscriptions: number;
  renews: number;
  /** Long-polls the camera closed early. */
  cuts: number;
  pullTimeoutSeconds: number;
}

/**
 * Re-subscribe pacing: 2 s doubling to a minute, ±20 %. A camera that faults on every call gets
 * about one attempt a minute (an attempt is at most three requests), never a tight loop.
 */
export const ONVIF_BACKOFF: Partial<BackoffPolicy> = { initialMs: 2_000, maxMs: 60_000, jitter: 0.4 };
const EMPTY_PULL_PAUSE_MS = 2_000;
const UNSUBSCRIBE_TIMEOUT_MS = 3_000;

type Phase = 'connect' | 'create' | 'renew' | 'pull';
type Next = 'now' | 'backoff' | 'fallback';

/**
 * Drives one camera's PullPoint subscription itself (never the `onvif` package's event loop, which
 * re-subscribes in a tight loop on faults): one subscription asked for 600 s and renewed at 80% of
 * the granted lifetime; long-polls that shorten when the camera cuts them; a new subscription only
 * when Renew or PullMessages says the old one is gone, and the old one unsubscribed first so the
 * camera's few slots do not fill up. Re-subscribing never changes the motion state by itself; the
 * new subscription's Initialized messages carry it. Only a camera failing for longer than the
 * grace period has its motion reported off and its event source shown down.
 */
export class OnvifEventService implements Service {
  readonly name: string;
  private readonly state: OnvifEventState;
  private readonly backoff: Backoff;
  private readonly timeout: PullTimeout;
  private readonly termination: number;
  private readonly health: EventHealth;
  private readonly publisher: EventPublisher;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private device: OnvifDevice | undefined;
  private connected = false;
  private sub: Subscription | undefined;
  /** A subscription given up on, to unsubscribe before the next one is created. */
  private retired: Subscription | undefined;
  private renewAt = 0;
  private phase: Phase = 'connect';
  private createFaults = 0;
  /** One immediate re-subscribe after a lost subscription; reset by a successful pull. */
  private quickRetryUsed = true;
  private readonly counts = { subscriptions: 0, renews: 0, cuts: 0 };

  constructor(private readonly deps: OnvifEventServiceDeps) {
    if (!deps.camera.onvif) throw new Error(`camera ${deps.camera.id} has no onvif section`);
    this.name = `onvif-events:${deps.camera.id}`;
    this.state = new OnvifEventState(topicRules(deps.camera.onvif.events), () => deps.clock.now());
    this.backoff = new Backoff({ ...ONVIF_BACKOFF, ...deps.backoff });
    this.timeout = new PullTimeout(deps.pullTimeoutSeconds ?? 20);
    this.termination = deps.terminationSeconds ?? 600;
    this.publisher = new EventPublisher({ cameraId: deps.camera.id, bus: deps.bus, clock: deps.clock, clockOffsetMs: () => this.device?.client.clockOffsetMs ?? 0 });
    this.health = new EventHealth({ cameraId: deps.camera.id, bus: deps.bus, clock: deps.clock, log: deps.log, problems: deps.problems, graceMs: deps.graceMs ?? 60_000, onStatus: deps.onStatus });
  }

  get status(): EventSourceStatus {
    return this.health.status;
  }

  get stats(): EventServiceStats {
    return { ...this.counts, pullTimeoutSeconds: this.timeout.workingSeconds };
  }

  /** Returns at once; an unreachable camera must not hold up start-up. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.health.starting(() => this.lostTooLong());
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort(new Error('stopping'));
    await this.loop;
    this.loop = undefined;
    if (this.sub) this.retire();
    const old = this.retired;
    this.retired = undefined;
    if (old && this.device) await this.unsubscribeQuietly(this.device, old);
    this.publish(this.state.reset());
    this.health.stop();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.cycle(signal);
      } catch (err) {
        if (signal.aborted) break;
        const next = this.onFailure(err);
        if (next === 'fallback') return this.fallBack(err);
        if (next === 'backoff') await sleepUnlessAborted(this.backoff.next(), signal);
      }
    }
  }

  private async cycle(signal: AbortSignal): Promise<void> {
    const device = this.connected && this.device ? this.device : await this.connect(signal);
    while (!signal.aborted) {
      const sub = this.sub ?? (await this.subscribe(device, signal));
      // Less than a 1 s poll left: renew now rather than poll past the renewal time.
      if (this.renewAt - this.deps.clock.now() < 1_000) await this.renewSub(device, sub, signal);
      await this.pull(device, sub, signal);
    }
  }

  private async connect(signal: AbortSignal): Promise<OnvifDevice> {
    this.phase = 'connect';
    const cam = this.deps.camera;
    const device = new OnvifDevice(onvifTarget(cam.onvif!), {
      ...(this.deps.timeoutMs !== undefined ? { timeoutMs: this.deps.timeoutMs } : {}),
      onRepoint: (reported, used) => this.deps.log.warn({ camera: cam.id, reported, used }, 'camera reported an address on another host; using the configured host'),
    });
    // Kept before connecting so a subscription can still be unsubscribed if connecting fails.
    this.device = device;
    await device.connect(signal);
    this.connected = true;
    this.health.reachable();
    return device;
  }

  private async subscribe(device: OnvifDevice, signal: AbortSignal): Promise<Subscription> {
    const old = this.retired;
    this.retired = undefined;
    if (old) await this.unsubscribeQuietly(device, old);
    this.phase = 'create';
    const sub = await createPullPoint(device, this.termination, signal);
    this.createFaults = 0;
    this.health.reachable();
    this.counts.subscriptions += 1;
    this.sub = sub;
    const delay = this.scheduleRenew(device, sub);
    this.state.beginResync();
    this.deps.log.info({ camera: this.deps.camera.id, renewInMs: delay }, 'onvif event subscription created');
    return sub;
  }

  private async renewSub(device: OnvifDevice, sub: Subscription, signal: AbortSignal): Promise<void> {
    this.phase = 'renew';
    await renew(device, sub, this.termination, signal);
    this.counts.renews += 1;
    this.health.reachable();
    const delay = this.scheduleRenew(device, sub);
    this.deps.log.debug({ camera: this.deps.camera.id, renewInMs: delay }, 'onvif event subscription renewed');
  }

  /** Next renewal from the lifetime the camera granted in its last answer. */
  private scheduleRenew(device: OnvifDevice, sub: Subscription): number {
    const now = this.deps.clock.now();
    const granted = Math.min(grantedMs(sub, this.termination, now + device.client.clockOffsetMs), this.termination * 1000);
    const delay = renewDelayMs(granted);
    this.renewAt = now + delay;
    return delay;
  }

  private async pull(device: OnvifDevice, sub: Subscription, signal: AbortSignal): Promise<void> {
    this.phase = 'pull';
    const untilRenew = Math.floor((this.renewAt - this.deps.clock.now()) / 1000);
    // Never hold a long-poll past the renewal (cycle() renews when under 1 s is left), so requests
    // to the camera stay one at a time.
    const asked = Math.max(1, Math.min(this.timeout.seconds, untilRenew));
    const sentAt = this.deps.clock.now();
    let result;
    try {
      result = await pullMessages(device, sub, asked, signal);
    } catch (err) {
      const shorter = !signal.aborted && transportCause(err) === 'closed' ? this.timeout.cut(asked, this.deps.clock.now() - sentAt) : undefined;
      if (shorter === undefined) {
        this.timeout.failed();
        throw err;
      }
      this.counts.cuts += 1;
      this.deps.log.info({ camera: this.deps.camera.id, askedSeconds: asked, afterMs: this.deps.clock.now() - sentAt, nextSeconds: shorter }, 'camera closed the long-poll early; trying shorter polls on the same subscription');
      return;
    }
    if (this.timeout.succeeded()) this.deps.log.info({ camera: this.deps.camera.id, pullTimeoutSeconds: this.timeout.workingSeconds }, 'shorter long-poll works; keeping it');
    this.succeeded();
    if (result.terminationMs !== undefined) sub.terminationMs = result.terminationMs;
    if (result.currentMs !== undefined) sub.currentMs = result.currentMs;
    // At debug level every topic is logged, so owners can find the names to add under onvif.events.
    for (const m of result.messages) this.deps.log.debug({ camera: this.deps.camera.id, topic: m.topic, data: m.data, operation: m.operation }, 'onvif event');
    this.publish(this.state.apply(result.messages));
    if (this.state.resyncing && !result.messages.some((m) => m.operation === 'Initialized')) this.publish(this.state.endResync());
    // Some firmwares ignore the long-poll timeout and answer empty at once: do not spin on them.
    if (result.messages.length === 0 && this.deps.clock.now() - sentAt < 1_000) await sleepUnlessAborted(EMPTY_PULL_PAUSE_MS, signal);
  }

  private succeeded(): void {
    this.backoff.reset();
    this.quickRetryUsed = false;
    this.health.ok();
  }

  /** Decide what a failure means for the connection, the subscription and the next attempt. */
  private onFailure(err: unknown): Next {
    const code = err instanceof AppError ? err.code : 'INTERNAL';
    const phase = this.phase;
    this.deps.log.warn({ camera: this.deps.camera.id, phase, code, attempt: this.backoff.failures + 1, reason: errorMessage(err) }, 'onvif events interrupted; retrying');
    this.health.failing(err, () => this.lostTooLong());
    if (phase === 'create' && this.countsAsNoPullPoint(err)) return 'fallback';
    if (code === 'ONVIF_FAULT' || code === 'ONVIF_BAD_RESPONSE') {
      if (phase === 'connect') this.connected = false;
      if (phase === 'pull' || phase === 'renew') {
        // The camera answered, so it is up: its subscription is gone (expired, rebooted, refused).
        this.retire();
        if (!this.quickRetryUsed) {
          this.quickRetryUsed = true;
          return 'now';
        }
      }
      return 'backoff';
    }
    if (code === 'ONVIF_AUTH_FAILED') this.retire();
    // Unreachable or refused: reconnect, which re-measures the clock (a reboot resets it). A
    // subscription survives a network blip; if it did not, the next pull says so.
    this.connected = false;
    return 'backoff';
  }

  private countsAsNoPullPoint(err: unknown): boolean {
    if (noPullPoint(err)) return true;
    if (err instanceof AppError && (err.code === 'ONVIF_FAULT' || err.code === 'ONVIF_BAD_RESPONSE') && !slotsFull(err)) this.createFaults += 1;
    return this.createFaults >= (this.deps.createFaultLimit ?? 5);
  }

  /** Called by the health tracker when the grace period ran out without a success. */
  private lostTooLong(): void {
    // The state is unknown now; a stuck "on" would record until maxSeconds. The next
    // subscription's Initialized messages bring the real state back.
    this.publish(this.state.reset());
    if (this.sub) this.retire();
  }

  private fallBack(err: unknown): void {
    this.publish(this.state.reset());
    this.health.fallback(`CreatePullPointSubscription failed: ${errorMessage(err)}`);
  }

  private retire(): void {
    if (this.sub) this.retired = this.sub;
    this.sub = undefined;
  }

  private async unsubscribeQuietly(device: OnvifDevice, sub: Subscription): Promise<void> {
    try {
      await unsubscribe(device, sub, UNSUBSCRIBE_TIMEOUT_MS);
    } catch (err) {
      this.deps.log.debug({ camera: this.deps.camera.id, reason: errorMessage(err) }, 'onvif unsubscribe failed');
    }
  }

  private publish(change: StateChange): void {
    this.publisher.publish(change);
  }
}
