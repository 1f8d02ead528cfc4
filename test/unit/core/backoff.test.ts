import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../../../src/core/backoff.js';

describe('backoffDelay with the default policy (recorder restarts, broker reconnects)', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
  ])('failure %i waits %i ms', (n, ms) => expect(backoffDelay(n)).toBe(ms));
});

describe('backoffDelay with jitter (uploads)', () => {
  const policy = { initialMs: 1000, maxMs: 60_000, jitter: 0.5 };
  it('doubles per attempt around the nominal value and caps', () => {
    expect(backoffDelay(1, policy, () => 0.5)).toBe(1000);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(2000);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(8000);
    expect(backoffDelay(30, policy, () => 0.5)).toBe(60_000);
  });
  it('spreads by the jitter fraction', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(3000);
    expect(backoffDelay(3, policy, () => 1)).toBe(5000);
  });
});

describe('Backoff', () => {
  it('counts failures, waits per the policy and starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 400 });
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 400]);
    expect(b.failures).toBe(4);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('keeps every jittered delay inside the spread around the nominal value', () => {
    const b = new Backoff({ initialMs: 2_000, maxMs: 60_000, jitter: 0.4 }, () => 0);
    const c = new Backoff({ initialMs: 2_000, maxMs: 60_000, jitter: 0.4 }, () => 1);
    expect([b.next(), b.next()]).toEqual([1_600, 3_200]);
    expect([c.next(), c.next()]).toEqual([2_400, 4_800]);
  });
});
