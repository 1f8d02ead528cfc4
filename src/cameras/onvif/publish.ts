import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { StateChange } from './state.js';

/** A camera event further than this from our clock (after offset correction) gets our receive time instead. */
const MAX_EVENT_AGE_MS = 60_000;

/** Puts one camera's ONVIF state changes on the bus, with event times converted to our clock. */
export class EventPublisher {
  constructor(
    private readonly deps: {
      cameraId: string;
      bus: EventBus;
      clock: Clock;
      /** Camera clock minus ours (ms), as last measured. */
      clockOffsetMs: () => number;
    },
  ) {}

  publish(change: StateChange): void {
    const { cameraId, bus } = this.deps;
    if (change.motion !== undefined) {
      bus.emit('motion.changed', { cameraId, active: change.motion, source: 'onvif', at: this.eventTime(change.motionAt) });
    }
    for (const cameraMs of change.presses) bus.emit('doorbell.pressed', { cameraId, at: this.eventTime(cameraMs) });
  }

  /** Camera event time on our clock, or now when the camera's time is missing or implausible. */
  private eventTime(cameraMs: number | undefined): string {
    const now = this.deps.clock.now();
    if (cameraMs === undefined) return this.deps.clock.iso();
    const ours = cameraMs - this.deps.clockOffsetMs();
    return Math.abs(ours - now) <= MAX_EVENT_AGE_MS && ours <= now ? new Date(ours).toISOString() : this.deps.clock.iso();
  }
}
