/**
 * Waits `ms`, or less when `signal` aborts: a stopping event loop wakes at once instead of
 * sleeping out its backoff. Resolves either way (never rejects), so the loop only checks
 * `signal.aborted` afterwards.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
