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

/**
 * Aggregates a camera's motion topics: several (cell motion, people, vehicle...) can be active at
 * once, and motion is active while any of them is. Keys are topic + source items so two video
 * sources or rules do not overwrite each other.
 */
export class OnvifEventState {
  private readonly motion = new Map<string, boolean>();
  private readonly doorbell = new Map<string, { on: boolean; at: number }>();
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
      if (kind === 'motion') {
        this.motion.set(key, value);
        if (msg.utcMs !== undefined) lastMotionAt = msg.utcMs;
      }
      else if (this.isPress(key, value, msg.operation)) change.presses.push(msg.utcMs);
    }
    const active = [...this.motion.values()].some(Boolean);
    if (active !== this.active) {
      this.active = active;
      change.motion = active;
      if (lastMotionAt !== undefined) change.motionAt = lastMotionAt;
    }
    return change;
  }

  /** Forget everything (subscription lost); returns false-motion change if motion was active. */
  reset(): StateChange {
    this.motion.clear();
    this.doorbell.clear();
    const change: StateChange = { presses: [] };
    if (this.active) {
      this.active = false;
      change.motion = false;
    }
    return change;
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
