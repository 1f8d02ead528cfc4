/**
 * What a vendor parser reads out of one part of the event stream. Parsers are pure: the state
 * below turns signals into the bus's motion edges and doorbell presses. Signals carry no camera
 * time: the stream is pushed as events happen, so the time of receipt is more precise than the
 * cameras' one-second, often zone-less `dateTime`.
 */
export type VendorSignal =
  | { kind: 'heartbeat' }
  /**
   * A motion-like detector (motion, line crossing, intrusion...) identified by `key`. With
   * `holdMs` the camera only repeats "active" while it lasts and may never say it ended
   * (Hikvision): the detector ends holdMs after its last active part.
   */
  | { kind: 'motion'; key: string; active: boolean; holdMs?: number }
  /** One doorbell signal; several signals of one ring are folded into one press (see PressFilter). */
  | { kind: 'press'; key: string }
  /** Understood but not used (logged at debug level so owners can see what their camera sends). */
  | { kind: 'other'; what: string };

export interface MotionOptions {
  /** A detector with explicit stop whose stop never came is ended after this long. */
  maxActiveMs: number;
}

/**
 * Aggregate motion of one camera: active while any detector is. Several regions or lines that
 * overlap give one ON and one OFF. Each detector ends on its explicit stop, after its hold time
 * without a repeat, or after the safety limit; the owner of this state calls expire() when
 * nextExpiry() is due.
 */
export class VendorMotionState {
  private readonly detectors = new Map<string, number>();
  private active = false;

  constructor(
    private readonly opts: MotionOptions,
    private readonly now: () => number,
  ) {}

  get motionActive(): boolean {
    return this.active;
  }

  /** Applies one motion signal; returns the new aggregate when it changed. */
  apply(signal: Extract<VendorSignal, { kind: 'motion' }>): boolean | undefined {
    if (signal.active) {
      this.detectors.set(signal.key, this.now() + (signal.holdMs ?? this.opts.maxActiveMs));
    } else {
      this.detectors.delete(signal.key);
    }
    return this.settle();
  }

  /** Ends detectors whose time is up; returns the new aggregate when it changed. */
  expire(): boolean | undefined {
    const now = this.now();
    for (const [key, until] of this.detectors) if (until <= now) this.detectors.delete(key);
    return this.settle();
  }

  /** When expire() next has something to do. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const until of this.detectors.values()) next = next === undefined ? until : Math.min(next, until);
    return next;
  }

  /** Forget every detector (stream lost: the state is unknown); returns false when motion was active. */
  reset(): boolean | undefined {
    this.detectors.clear();
    return this.settle();
  }

  private settle(): boolean | undefined {
    const active = this.detectors.size > 0;
    if (active === this.active) return undefined;
    this.active = active;
    return active;
  }
}

export interface PressOptions {
  /** The same signal again within this window is the same press (cameras repeat or pulse). */
  repeatMs: number;
  /** A different signal of the same ring within this window is folded into the accepted press. */
  foldMs: number;
}

export const DEFAULT_PRESS_OPTIONS: PressOptions = { repeatMs: 3_000, foldMs: 60_000 };

/**
 * Decides which doorbell signals are new presses. One ring often produces several signals:
 * an Amcrest AD110 sends `_DoTalkAction_` Invite at once and `CallNoAnswered` when nobody
 * answered, an AD410 `CallNoAnswered` on the press; they must give one press, while the
 * visitor pressing again (the same signal again later) is a second press.
 */
export class PressFilter {
  private readonly lastByKey = new Map<string, number>();
  private lastAccepted: { key: string; at: number } | undefined;

  constructor(
    private readonly opts: PressOptions,
    private readonly now: () => number,
  ) {}

  accept(key: string): boolean {
    const now = this.now();
    const previous = this.lastByKey.get(key);
    this.lastByKey.set(key, now);
    if (previous !== undefined && now - previous < this.opts.repeatMs) return false;
    const last = this.lastAccepted;
    if (last && last.key !== key && now - last.at < this.opts.foldMs) return false;
    this.lastAccepted = { key, at: now };
    return true;
  }

  reset(): void {
    this.lastByKey.clear();
    this.lastAccepted = undefined;
  }
}
