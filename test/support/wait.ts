// The one way tests, benches and harnesses wait: poll a condition with a deadline, or sleep.
// Never assert something positive after a fixed sleep; wait for it with waitUntil instead.
import { errorMessage } from '../../src/core/errors.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `fn` every `everyMs` until it returns a value (anything but undefined or false), or fail
 * naming `what`. A poll that throws counts as "not yet" (a daemon restarting refuses connections
 * for a moment); the last such error is part of the timeout message.
 */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : ` (last error: ${errorMessage(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

/** Poll `fn` every `everyMs` until it is true, or fail naming `what` (see waitFor). */
export async function waitUntil(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  await waitFor(what, async () => (await fn()) || undefined, timeoutMs, everyMs);
}

/**
 * Poll `fn` until it reports `done`, failing only when its `progress` (any string that changes as
 * work moves on) stays the same for `stallMs`, or after `maxMs` in all. For work whose total time
 * depends on the machine's load (exports queued behind a nice-10 worker) but which must never stop
 * moving. A poll that throws counts as no progress; the last state is part of the failure message.
 */
export async function waitForProgress(
  what: string,
  fn: () => Promise<{ done: boolean; progress: string }> | { done: boolean; progress: string },
  opts: { stallMs: number; maxMs: number; everyMs?: number },
): Promise<void> {
  const start = Date.now();
  let last = '';
  let lastChange = start;
  let lastError: unknown;
  for (;;) {
    try {
      const state = await fn();
      if (state.done) return;
      if (state.progress !== last) {
        last = state.progress;
        lastChange = Date.now();
      }
    } catch (err) {
      lastError = err;
    }
    const now = Date.now();
    if (now - lastChange >= opts.stallMs || now - start >= opts.maxMs) {
      const why = now - lastChange >= opts.stallMs ? `no progress for ${opts.stallMs} ms` : `not done after ${opts.maxMs} ms`;
      const error = lastError === undefined ? '' : ` (last error: ${errorMessage(lastError)})`;
      throw new Error(`${why} waiting for ${what}; last state: ${last}${error}`);
    }
    await sleep(opts.everyMs ?? 500);
  }
}
