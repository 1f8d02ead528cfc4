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
