import type { ClipTrigger } from '../core/types.js';

export interface WindowRules {
  preMs: number;
  postMs: number;
  maxMs: number;
}

/** A finished event: the wall-clock span its clip must cover. */
export interface ClosedEvent {
  eventIds: string[];
  trigger: ClipTrigger;
  fromMs: number;
  toMs: number;
  /** True when maxSeconds cut the event short. */
  capped: boolean;
}

interface Open {
  eventIds: string[];
  trigger: ClipTrigger;
  fromMs: number;
  /** End as known so far; extended by post-roll after each trigger and each end of motion. */
  untilMs: number;
}

/** Which trigger names the clip when several overlap: a doorbell press beats a manual press beats motion. */
const PRIORITY: Record<ClipTrigger, number> = { doorbell: 4, manual: 3, inbox: 2, motion: 1, detect: 0 };

/**
 * One camera's clip event, as a pure state machine (time comes in with every call). A trigger
 * opens an event; overlapping triggers extend it; it covers [first trigger − pre, last trigger
 * + post] — for motion, post counts from the moment motion ends — and is capped at maxSeconds.
 * Motion still active at the cap continues in a new event that starts where this one stopped.
 */
export class EventWindow {
  private open: Open | undefined;
  private readonly active = new Set<string>();

  constructor(private readonly rules: WindowRules) {}

  get isOpen(): boolean {
    return this.open !== undefined;
  }

  /** Start of the open event's window, for holding its segments in the ring. */
  get openFromMs(): number | undefined {
    return this.open?.fromMs;
  }

  motion(source: string, active: boolean, atMs: number, eventId: string, trigger: ClipTrigger): void {
    if (active) {
      this.active.add(source);
      this.extend(eventId, trigger, atMs, atMs + this.rules.postMs);
    } else if (this.active.delete(source) && this.open) {
      this.open.untilMs = Math.max(this.open.untilMs, atMs + this.rules.postMs);
    }
  }

  /** A one-off trigger (doorbell, manual); `postMs` overrides the camera's post-roll. */
  instant(trigger: ClipTrigger, atMs: number, eventId: string, postMs?: number): void {
    this.extend(eventId, trigger, atMs, atMs + (postMs ?? this.rules.postMs));
  }

  /** Closes and returns the event once its window has passed (or hit the cap) at `nowMs`. */
  due(nowMs: number): ClosedEvent | undefined {
    const o = this.open;
    if (!o) return undefined;
    const capMs = o.fromMs + this.rules.maxMs;
    const quietEnd = this.active.size === 0 && nowMs >= o.untilMs;
    if (!quietEnd && nowMs < capMs) return undefined;
    const stillActive = this.active.size > 0;
    const capped = stillActive || o.untilMs > capMs;
    const toMs = capped ? capMs : o.untilMs;
    this.open = stillActive ? { eventIds: [...o.eventIds], trigger: o.trigger, fromMs: toMs, untilMs: toMs + this.rules.postMs } : undefined;
    return { eventIds: o.eventIds, trigger: o.trigger, fromMs: o.fromMs, toMs, capped };
  }

  /** Drop the open event and all motion state (privacy mode). */
  reset(): void {
    this.open = undefined;
    this.active.clear();
  }

  private extend(eventId: string, trigger: ClipTrigger, atMs: number, untilMs: number): void {
    if (!this.open) {
      this.open = { eventIds: [eventId], trigger, fromMs: atMs - this.rules.preMs, untilMs };
      return;
    }
    const o = this.open;
    if (!o.eventIds.includes(eventId)) o.eventIds.push(eventId);
    if (PRIORITY[trigger] > PRIORITY[o.trigger]) o.trigger = trigger;
    o.untilMs = Math.max(o.untilMs, untilMs);
  }
}
