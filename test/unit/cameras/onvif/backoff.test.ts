import { describe, expect, it } from 'vitest';
import { ONVIF_BACKOFF } from '../../../../src/cameras/onvif/event-service.js';
import { Backoff } from '../../../../src/core/backoff.js';

describe('resubscribe backoff (ONVIF policy on the shared backoff)', () => {
  it('grows exponentially to the cap, with bounded jitter, and resets', () => {
    const lo = new Backoff(ONVIF_BACKOFF, () => 0);
    const hi = new Backoff(ONVIF_BACKOFF, () => 1);
    const a = Array.from({ length: 8 }, () => lo.next());
    const b = Array.from({ length: 8 }, () => hi.next());
    expect(a).toEqual([1600, 3200, 6400, 12800, 25600, 48000, 48000, 48000]);
    expect(b).toEqual([2400, 4800, 9600, 19200, 38400, 72000, 72000, 72000]);
    lo.reset();
    expect(lo.next()).toBe(1600);
  });

  it('a camera failing every attempt gets at most a few attempts a minute once backed off (defaults)', () => {
    // Simulate 30 minutes of failing attempts with random jitter; each attempt is ≤ 3 requests.
    const b = new Backoff(ONVIF_BACKOFF);
    let t = 0;
    const attempts: number[] = [];
    while (t < 30 * 60_000) {
      attempts.push(t);
      t += b.next();
    }
    const lastTenMinutes = attempts.filter((x) => x >= 20 * 60_000).length;
    expect(lastTenMinutes * 3).toBeLessThanOrEqual(10 * 4);
    expect(attempts.filter((x) => x < 60_000).length).toBeLessThanOrEqual(6);
    expect(ONVIF_BACKOFF.maxMs).toBeGreaterThanOrEqual(60_000);
  });
});
