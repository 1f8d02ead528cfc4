/**
 * Timing rules of a PullPoint subscription, as pure functions the event loop and the tests share.
 *
 * Renewal: ask for a long lifetime (PT600S) and renew at 80% of what the camera actually
 * granted, never more often than once a minute when the grant leaves room for that. Home
 * Assistant moved to the same scheme after cameras crashed from frequent renewals; a camera that
 * grants less than a minute must still be renewed in time, so the floor yields to the grant.
 */

export const RENEW_FRACTION = 0.8;
export const RENEW_FLOOR_MS = 60_000;
/** Time left for the Renew itself (its own request deadline) when the floor applies. */
export const RENEW_MARGIN_MS = 10_000;
const MIN_RENEW_MS = 1_000;

/** How long after a create/renew answer to renew, given the lifetime the camera granted. */
export function renewDelayMs(grantedMs: number): number {
  const target = Math.max(MIN_RENEW_MS, Math.round(grantedMs * RENEW_FRACTION));
  if (target >= RENEW_FLOOR_MS) return target;
  // Below the floor: stretch to once a minute only when the subscription still has margin left then.
  return grantedMs - RENEW_FLOOR_MS >= RENEW_MARGIN_MS ? RENEW_FLOOR_MS : target;
}

/**
 * Lifetime the camera granted, from its own CurrentTime and TerminationTime (both camera clock).
 * Without CurrentTime, our clock plus the measured offset stands in; without TerminationTime,
 * the camera is taken to have granted what was asked.
 */
export function grantedMs(answer: { terminationMs?: number | undefined; currentMs?: number | undefined }, requestedSeconds: number, cameraNowMs: number): number {
  if (answer.terminationMs === undefined) return requestedSeconds * 1000;
  return Math.max(0, answer.terminationMs - (answer.currentMs ?? cameraNowMs));
}

/** Long-poll lengths tried when a camera cuts PullMessages early (seconds). */
export const PULL_LADDER = [30, 20, 15, 10, 8, 5, 3, 2, 1] as const;
/** A cut this soon after sending is a dropped connection, not a long-poll limit. */
export const MIN_CUT_MS = 1_000;

/**
 * The PullMessages timeout, adapting to cameras that close a long-poll before it ends (TP-Link
 * Tapo closes every PullMessages after about 10 s, against the spec). After a cut at t seconds
 * the next poll asks for the longest ladder step below 85% of t and keeps the subscription; the
 * step is kept only once a poll with it succeeds, so a camera rebooting mid-poll does not shorten
 * it for good.
 */
export class PullTimeout {
  private working: number;
  private trying: number | undefined;

  constructor(requestedSeconds: number) {
    this.working = Math.max(1, Math.round(requestedSeconds));
  }

  /** Seconds to ask for in the next PullMessages. */
  get seconds(): number {
    return this.trying ?? this.working;
  }

  /** The timeout known to work (the one remembered across re-subscriptions). */
  get workingSeconds(): number {
    return this.working;
  }

  /**
   * The camera closed a poll that asked for `askedSeconds` after `elapsedMs`. Returns the
   * shorter timeout to try next, or undefined when this was no early cut or no step is left.
   */
  cut(askedSeconds: number, elapsedMs: number): number | undefined {
    if (elapsedMs < MIN_CUT_MS || elapsedMs >= askedSeconds * 1000) return undefined;
    const limit = (elapsedMs / 1000) * 0.85;
    const next = PULL_LADDER.find((s) => s <= limit && s < this.seconds) ?? (this.seconds > 1 ? 1 : undefined);
    if (next === undefined) return undefined;
    this.trying = next;
    return next;
  }

  /** A poll succeeded: a timeout being tried becomes the working one. */
  succeeded(): boolean {
    if (this.trying === undefined) return false;
    this.working = this.trying;
    this.trying = undefined;
    return true;
  }

  /** A poll failed for another reason: forget the step being tried. */
  failed(): void {
    this.trying = undefined;
  }
}
