/**
 * The reconnect delay policy a vendor source needs. Anything with this shape will do; the
 * source takes one in its deps so a shared backoff module can replace this small default.
 */
export interface Backoff {
  /** Delay before the next attempt; each call counts one more failure. */
  next(): number;
  /** The connection is healthy again. */
  reset(): void;
}

export interface ExponentialBackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** ± fraction drawn at random per delay, so many cameras do not retry in lockstep. */
  jitter: number;
  random?: () => number;
}

export const VENDOR_BACKOFF: ExponentialBackoffOptions = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.2 };

export function exponentialBackoff(opts: Partial<ExponentialBackoffOptions> = {}): Backoff {
  const o = { ...VENDOR_BACKOFF, ...opts };
  let failures = 0;
  return {
    next(): number {
      const base = Math.min(o.maxMs, o.initialMs * o.factor ** Math.min(failures, 30));
      failures += 1;
      return Math.max(0, Math.round(base * (1 - o.jitter + 2 * o.jitter * (o.random ?? Math.random)())));
    },
    reset(): void {
      failures = 0;
    },
  };
}
