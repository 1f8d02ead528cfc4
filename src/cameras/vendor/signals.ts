import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { VendorName } from './driver.js';
import { DEFAULT_PRESS_OPTIONS, PressFilter, VendorMotionState, type PressOptions, type VendorSignal } from './state.js';

export interface SignalPublisherDeps {
  cameraId: string;
  vendor: VendorName;
  bus: EventBus;
  log: Logger;
  clock: Clock;
  /** A detector with an explicit stop that never came is ended after this long. */
  maxActiveMs: number;
  press?: Partial<PressOptions>;
  /** The source's counters; heartbeats are counted here. */
  stats: { heartbeats: number };
}

/**
 * Puts one camera's vendor signals on the bus, whether they came from the event stream or from
 * the status poller beside it: 'motion.changed' edges (a detector ends on its stop, its hold time
 * or the safety limit) and one 'doorbell.pressed' per ring.
 */
export class SignalPublisher {
  private readonly motion: VendorMotionState;
  private readonly presses: PressFilter;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SignalPublisherDeps) {
    const now = (): number => deps.clock.now();
    this.motion = new VendorMotionState({ maxActiveMs: deps.maxActiveMs }, now);
    this.presses = new PressFilter({ ...DEFAULT_PRESS_OPTIONS, ...deps.press }, now);
  }

  handle(s: VendorSignal): void {
    switch (s.kind) {
      case 'heartbeat':
        this.deps.stats.heartbeats += 1;
        return;
      case 'motion':
        this.publishMotion(this.motion.apply(s));
        this.scheduleExpiry();
        return;
      case 'press':
        if (this.presses.accept(s.key)) this.deps.bus.emit('doorbell.pressed', { cameraId: this.deps.cameraId, at: this.deps.clock.iso() });
        return;
      case 'other':
        this.deps.log.debug({ camera: this.deps.cameraId, event: s.what }, 'vendor event not used');
        return;
    }
  }

  /** The stream was lost: the motion state is unknown, and a stuck ON would record until maxSeconds, so it is reported off. */
  lost(): void {
    clearTimeout(this.expiryTimer);
    this.publishMotion(this.motion.reset());
  }

  /** The source stops: motion off, and recent presses forgotten. */
  stop(): void {
    this.lost();
    this.presses.reset();
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const at = this.motion.nextExpiry();
    if (at === undefined) return;
    this.expiryTimer = setTimeout(() => {
      this.publishMotion(this.motion.expire());
      this.scheduleExpiry();
    }, Math.max(0, at - this.deps.clock.now()));
  }

  private publishMotion(active: boolean | undefined): void {
    if (active === undefined) return;
    this.deps.bus.emit('motion.changed', { cameraId: this.deps.cameraId, active, source: this.deps.vendor, at: this.deps.clock.iso() });
  }
}
