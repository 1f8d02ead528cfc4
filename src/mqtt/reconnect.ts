import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from '../core/backoff.js';

/**
 * Reconnect pacing for the broker connection. Two limits apply together:
 * - the shared exponential backoff after consecutive failures (1 s, 2 s, 4 s ... up to maxMs);
 * - a hard cap on attempts in any sliding minute, so a connection that is accepted and then
 *   dropped at once (a flapping broker, a client-id takeover) cannot become a reconnect storm
 *   even though each attempt "succeeded" and reset the backoff.
 */
export interface ReconnectOptions extends Partial<BackoffPolicy> {
  maxAttemptsPerMinute: number;
}

/** The home's own broker: no jitter needed (nobody else retries against it in lockstep). */
export const DEFAULT_RECONNECT: ReconnectOptions = { ...DEFAULT_BACKOFF, maxAttemptsPerMinute: 6 };

const MINUTE_MS = 60_000;

export class ReconnectPacing {
  private readonly backoff: Backoff;
  private attempts: number[] = [];

  constructor(private readonly opts: ReconnectOptions = DEFAULT_RECONNECT) {
    this.backoff = new Backoff(opts);
  }

  /** Record that a connection attempt starts at `now`. */
  attempt(now: number): void {
    this.attempts.push(now);
    this.attempts = this.attempts.filter((t) => t > now - MINUTE_MS);
  }

  /** A connection was established: the next drop retries after initialMs again. */
  succeeded(): void {
    this.backoff.reset();
  }

  /** An attempt failed or a connection dropped: how long to wait before the next attempt. */
  failed(now: number): number {
    return Math.max(this.backoff.next(), this.windowWait(now));
  }

  /** Attempts recorded in the minute before `now`. */
  attemptsInLastMinute(now: number): number {
    return this.attempts.filter((t) => t > now - MINUTE_MS).length;
  }

  /** Time until one more attempt fits under maxAttemptsPerMinute. */
  private windowWait(now: number): number {
    const recent = this.attempts.filter((t) => t > now - MINUTE_MS);
    if (recent.length < this.opts.maxAttemptsPerMinute) return 0;
    // The attempt that must leave the window before another may start.
    const oldest = recent[recent.length - this.opts.maxAttemptsPerMinute];
    return oldest === undefined ? 0 : oldest + MINUTE_MS - now;
  }
}
