import { describe, expect, it } from 'vitest';
import { DEFAULT_RECONNECT, ReconnectPacing } from '../../../src/mqtt/reconnect.js';

/** Drives the policy like the connection does: attempt, fail, wait the returned delay, repeat. */
function simulate(backoff: ReconnectPacing, attempts: number, succeedEachTime = false): number[] {
  let now = 0;
  const times: number[] = [];
  for (let i = 0; i < attempts; i++) {
    backoff.attempt(now);
    times.push(now);
    if (succeedEachTime) backoff.succeeded();
    now += backoff.failed(now);
  }
  return times;
}

function maxInAnyMinute(times: number[]): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 60_000).length));
}

describe('ReconnectPacing', () => {
  it('doubles from 1 s up to 60 s after consecutive failures', () => {
    const times = simulate(new ReconnectPacing(), 10);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('never exceeds the attempts-per-minute cap, even when every connection succeeds and drops at once', () => {
    const times = simulate(new ReconnectPacing(), 50, true);
    expect(maxInAnyMinute(times)).toBe(DEFAULT_RECONNECT.maxAttemptsPerMinute);
  });

  it('honours a custom cap with fast retries', () => {
    const backoff = new ReconnectPacing({ initialMs: 10, maxMs: 20, maxAttemptsPerMinute: 3 });
    const times = simulate(backoff, 12);
    expect(maxInAnyMinute(times)).toBe(3);
    expect(backoff.attemptsInLastMinute(times.at(-1) ?? 0)).toBeLessThanOrEqual(3);
  });

  it('starts again from the initial delay after a success', () => {
    const backoff = new ReconnectPacing();
    simulate(backoff, 4);
    backoff.succeeded();
    expect(backoff.failed(1_000_000)).toBe(1_000);
  });
});
