/**
 * Exponential backoff with jitter for re-subscribing to a camera's events. The defaults keep a
 * camera that faults on every call to about one attempt a minute (an attempt is at most three
 * requests: subscribe, pull, unsubscribe) — unlike the `onvif` package's own event loop, which
 * re-subscribes immediately in a tight loop on faults.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** ± fraction of each delay drawn at random so many cameras do not retry in lockstep. */
  jitter: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 2_000, maxMs: 60_000, factor: 2, jitter: 0.2 };

export class Backoff {
  private failures = 0;
  private readonly opts: BackoffOptions;

  constructor(opts: Partial<BackoffOptions> = {}) {
    this.opts = { ...DEFAULT_BACKOFF, ...opts };
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }

  /** Delay before the next attempt; each call counts one more failure. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.opts;
    const base = Math.min(maxMs, initialMs * factor ** Math.min(this.failures, 30));
    this.failures += 1;
    const r = (this.opts.random ?? Math.random)();
    return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * r)));
  }

  reset(): void {
    this.failures = 0;
  }
}
