import { Backoff as PacedBackoff, type BackoffPolicy } from '../../core/backoff.js';

/**
 * The reconnect pacing a vendor source needs: anything with next()/reset() will do (tests pass a
 * recording wrapper). The implementation is the code base's one backoff (src/core/backoff.ts).
 */
export type Backoff = Pick<PacedBackoff, 'next' | 'reset'>;

/** 1 s doubling to a minute, ±20 %: many cameras reconnecting after a power cut do not retry in lockstep. */
export const VENDOR_BACKOFF: Partial<BackoffPolicy> = { initialMs: 1_000, maxMs: 60_000, jitter: 0.4 };

export function vendorBackoff(policy: Partial<BackoffPolicy> = {}, random?: () => number): Backoff {
  return new PacedBackoff({ ...VENDOR_BACKOFF, ...policy }, random);
}
