export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0..1: how much of each delay is randomised, so many homes do not retry in lockstep. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 10 * 60_000, jitter: 0.3 };

/**
 * Delay before retry number `attempt` (1 = first retry): base·2^(attempt-1), capped, then
 * spread by ±jitter/2 around that value so the expected delay still doubles each time.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const spread = exp * policy.jitter;
  return Math.max(0, Math.round(exp - spread / 2 + random() * spread));
}
