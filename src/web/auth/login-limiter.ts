import type { Clock } from '../../core/clock.js';
import { clientKey } from '../../core/net-address.js';

export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures across all clients inside the window after which every login is answered more slowly. */
export const GLOBAL_SLOWDOWN_AFTER = 50;
/** The delay doubles for every this many failures past GLOBAL_SLOWDOWN_AFTER ... */
const SLOWDOWN_STEP = 10;
/** ... starting here, and never beyond the cap, so the owner still gets in. */
const SLOWDOWN_BASE_MS = 250;
export const SLOWDOWN_MAX_MS = 8_000;
/** Bounds memory when many addresses fail (a LAN scanner); the oldest entries are dropped first. */
const MAX_TRACKED = 10_000;
/** Global failures are counted in buckets of this size, so the count costs O(window / bucket). */
const BUCKET_MS = 60_000;

interface State {
  failures: number[];
  lockedUntil: number;
}

export type Attempt = { ok: true; release: () => void; delayMs: number } | { ok: false; retryAfterMs: number };

export interface LoginLimiterDeps {
  clock: Clock;
  maxFailures?: number;
  windowMs?: number;
  globalSlowdownAfter?: number;
}

/**
 * Login lock-out. Per client — an IPv4 address, or an IPv6 /64, which one home or one attacker
 * gets whole — after LOGIN_MAX_FAILURES failures inside LOGIN_WINDOW_MS every attempt is refused
 * (even with the right password) until the window passes. Across clients there is no lock-out,
 * which would lock the owner out too, but a slow-down: past GLOBAL_SLOWDOWN_AFTER failures in the
 * window, each attempt waits an exponentially growing delay (capped) before it is checked.
 * An attempt counts as a failure from the moment it starts and is forgiven only when it succeeds,
 * so parallel guesses cannot slip past the limit while scrypt is still running.
 */
export class LoginLimiter {
  private readonly byKey = new Map<string, State>();
  /** Failures per BUCKET_MS slot (slot start → count), all clients together. */
  private readonly global = new Map<number, number>();

  constructor(private readonly deps: LoginLimiterDeps) {}

  begin(address: string): Attempt {
    const now = this.deps.clock.now();
    const key = clientKey(address);
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
    const delayMs = this.slowdownMs(now);
    state.failures.push(now);
    this.store(key, state);
    const slot = now - (now % BUCKET_MS);
    this.global.set(slot, (this.global.get(slot) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const i = state.failures.indexOf(now);
      if (i >= 0) state.failures.splice(i, 1);
      const n = this.global.get(slot);
      if (n !== undefined) this.global.set(slot, n - 1);
    };
    return { ok: true, release, delayMs };
  }

  /** Failures of all clients inside the window (whole buckets: up to one bucket longer). */
  globalFailures(now = this.deps.clock.now()): number {
    const windowMs = this.deps.windowMs ?? LOGIN_WINDOW_MS;
    let total = 0;
    for (const [slot, n] of this.global) {
      if (slot + BUCKET_MS <= now - windowMs) this.global.delete(slot);
      else total += n;
    }
    return total;
  }

  /** The delay the next attempt waits before it is checked; 0 until the global threshold. */
  slowdownMs(now = this.deps.clock.now()): number {
    const excess = this.globalFailures(now) - (this.deps.globalSlowdownAfter ?? GLOBAL_SLOWDOWN_AFTER);
    if (excess < 0) return 0;
    return Math.min(SLOWDOWN_MAX_MS, SLOWDOWN_BASE_MS * 2 ** Math.floor(excess / SLOWDOWN_STEP));
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
