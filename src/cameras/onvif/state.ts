import type { EventMessage } from './pullpoint.js';
import { classifyTopic, messageValue, normaliseTopic, type TopicRule } from './topics.js';

/** What one batch of messages changed. */
export interface StateChange {
  /** New aggregate motion state, when it changed. */
  motion?: boolean;
  /** Camera time (ms) of the message that changed motion, when known. */
  motionAt?: number;
  /** Doorbell presses in this batch (camera times, ms, when known). */
  presses: (number | undefined)[];
}

/** A repeated "true" from a camera that only sends pulses counts as a new press after this long. */
const PRESS_REPEAT_MS = 3_000;
/** Distinct topic+source keys remembered; a camera inventing new sources forever cannot grow this. */
const MAX_KEYS = 256;

/**
 * Aggregates a camera's motion topics: several (cell motion, people, vehicle...) can be active at
 * once, and motion is active while any of them is. Keys are topic + source items so two video
 * sources or rules do not overwrite each other.
 */
export class OnvifEventState {
  private readonly motion = new Map<string, boolean>();
  private readonly doorbell = new Map<string, { on: boolean; at: number }>();
  /** Motion keys not yet re-reported since a new subscription began (see beginResync). */
  private stale = new Set<string>();
  private active = false;

  constructor(private readonly rules: readonly TopicRule[], private readonly now: () => number = Date.now) {}

  get motionActive(): boolean {
    return this.active;
  }

  apply(messages: EventMessage[]): StateChange {
    const change: StateChange = { presses: [] };
    let lastMotionAt: number | undefined;
    for (const msg of messages) {
      const kind = classifyTopic(msg.topic, this.rules);
      const value = messageValue(msg.data);
      if (kind === undefined || value === undefined) continue;
      const key = `${normaliseTopic(msg.topic)}|${Object.entries(msg.source).sort().map(([k, v]) => `${k}=${v}`).join(',')}`;
      const known = kind === 'motion' ? this.motion : this.doorbell;
      if (!known.has(key) && known.size >= MAX_KEYS) continue;
      if (kind === 'motion') {
        this.motion.set(key, value);
        this.stale.delete(key);
        if (msg.utcMs !== undefined) lastMotionAt = msg.utcMs;
      }
      else if (this.isPress(key, value, msg.operation)) change.presses.push(msg.utcMs);
    }
    this.aggregate(change, lastMotionAt);
    return change;
  }

  /**
   * A new subscription started: keep every known state (a re-subscription must not turn motion
   * off by itself) until the camera's Initialized messages re-report it. Keys it does not
   * re-report by endResync() are forgotten then.
   */
  beginResync(): void {
    this.stale = new Set([...this.motion.keys()].filter((k) => this.motion.get(k) === true));
  }

  get resyncing(): boolean {
    return this.stale.size > 0;
  }

  /** The camera has sent its initial state: motion it did not re-report is over. */
  endResync(): StateChange {
    const change: StateChange = { presses: [] };
    for (const key of this.stale) this.motion.delete(key);
    this.stale.clear();
    this.aggregate(change, undefined);
    return change;
  }

  /** Forget everything (subscription lost); returns false-motion change if motion was active. */
  reset(): StateChange {
    this.motion.clear();
    this.doorbell.clear();
    this.stale.clear();
    const change: StateChange = { presses: [] };
    if (this.active) {
      this.active = false;
      change.motion = false;
    }
    return change;
  }

  private aggregate(change: StateChange, lastMotionAt: number | undefined): void {
    const active = [...this.motion.values()].some(Boolean);
    if (active === this.active) return;
    this.active = active;
    change.motion = active;
    if (lastMotionAt !== undefined) change.motionAt = lastMotionAt;
  }

  private isPress(key: string, on: boolean, operation: string | undefined): boolean {
    const prev = this.doorbell.get(key);
    const now = this.now();
    // The state a new subscription reports ("Initialized") is not a press that just happened.
    const press = on && operation !== 'Initialized' && (!prev?.on || now - prev.at >= PRESS_REPEAT_MS);
    this.doorbell.set(key, { on, at: press || !prev ? now : prev.at });
    return press;
  }
}
