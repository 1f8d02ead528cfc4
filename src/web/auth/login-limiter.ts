import type { Clock } from '../../core/clock.js';

export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Bounds memory when many addresses fail (a LAN scanner); the oldest entries are dropped first. */
const MAX_TRACKED = 10_000;

interface State {
  failures: number[];
  lockedUntil: number;
}

export type Attempt = { ok: true; release: () => void } | { ok: false; retryAfterMs: number };

/**
 * Lock-out per client address: after LOGIN_MAX_FAILURES failures inside LOGIN_WINDOW_MS every
 * attempt is refused (even with the right password) until the window passes. An attempt counts
 * as a failure from the moment it starts and is forgiven only when it succeeds, so parallel
 * guesses cannot slip past the limit while scrypt is still running.
 */
export class LoginLimiter {
  private readonly byKey = new Map<string, State>();

  constructor(private readonly deps: { clock: Clock; maxFailures?: number; windowMs?: number }) {}

  begin(key: string): Attempt {
    const now = this.deps.clock.now();
    const max = this.deps.maxFailures ?? LOGIN_MAX_FAILURES;
    const windowMs = this.deps.windowMs ?? LOGIN_WINDOW_MS;
    const state = this.byKey.get(key) ?? { failures: [], lockedUntil: 0 };
    if (state.lockedUntil > now) return { ok: false, retryAfterMs: state.lockedUntil - now };
    state.failures = state.failures.filter((t) => t > now - windowMs);
    if (state.failures.length >= max) {
      state.lockedUntil = Math.max(...state.failures) + windowMs;
      this.store(key, state);
      return { ok: false, retryAfterMs: state.lockedUntil - now };
    }
    state.failures.push(now);
    this.store(key, state);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const i = state.failures.indexOf(now);
      if (i >= 0) state.failures.splice(i, 1);
    };
    return { ok: true, release };
  }

  private store(key: string, state: State): void {
    this.byKey.delete(key);
    this.byKey.set(key, state);
    if (this.byKey.size > MAX_TRACKED) {
      const oldest = this.byKey.keys().next().value;
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
  }
}
