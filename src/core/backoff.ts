/**
 * The one retry pacing of the code base: exponential growth from `initialMs` by `factor`, capped
 * at `maxMs`, optionally spread by jitter. Each user states its policy as a difference from
 * DEFAULT_BACKOFF: peers shared by many homes (the community platform, cameras' event services)
 * get jitter so a power cut's worth of devices does not retry in lockstep; local children and the
 * home's own broker do not need it.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /**
   * 0..1: the fraction of each delay that is randomised, centred on the nominal value (0.4 means
   * ±20 %), so the expected delay still grows by `factor` each time.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0 };

/** Far beyond any maxMs; keeps factor ** n finite. */
const MAX_EXPONENT = 30;

/** Delay before retry number `attempt` (1 = the first retry waits about initialMs). */
export function backoffDelay(attempt: number, policy: Partial<BackoffPolicy> = {}, random: () => number = Math.random): number {
  const p = { ...DEFAULT_BACKOFF, ...policy };
  const exponent = Math.min(Math.max(0, attempt - 1), MAX_EXPONENT);
  const nominal = Math.min(p.maxMs, p.initialMs * p.factor ** exponent);
  const spread = nominal * p.jitter;
  return Math.max(0, Math.round(nominal - spread / 2 + random() * spread));
}

/** backoffDelay with the failure count kept: next() after each failure, reset() after a success. */
export class Backoff {
  private count = 0;
  private readonly policy: BackoffPolicy;

  constructor(
    policy: Partial<BackoffPolicy> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.policy = { ...DEFAULT_BACKOFF, ...policy };
  }

  /** Consecutive failures so far. */
  get failures(): number {
    return this.count;
  }

  /** Count one more failure and return how long to wait before the next attempt. */
  next(): number {
    this.count += 1;
    return backoffDelay(this.count, this.policy, this.random);
  }

  reset(): void {
    this.count = 0;
  }
}
