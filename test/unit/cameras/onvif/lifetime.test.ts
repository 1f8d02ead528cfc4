import { describe, expect, it } from 'vitest';
import { grantedMs, PullTimeout, renewDelayMs } from '../../../../src/cameras/onvif/lifetime.js';

describe('renewal schedule', () => {
  it.each([
    // granted ms → renew after ms
    [600_000, 480_000], // asked PT600S and got it: 80%
    [120_000, 96_000],
    [75_000, 60_000], // 80% is exactly the floor
    [72_000, 60_000], // 80% = 57.6 s, but the grant leaves 12 s after a minute: once a minute
    [70_000, 60_000], // exactly 10 s of margin
    [69_000, 55_200], // too tight for the floor: 80%
    [60_000, 48_000], // a camera granting a minute must be renewed before it ends
    [20_000, 16_000],
    [1_000, 1_000], // never sooner than 1 s
    [0, 1_000],
  ])('granted %i ms → renew after %i ms', (granted, delay) => {
    expect(renewDelayMs(granted)).toBe(delay);
  });

  it('never renews more often than once a minute when the grant allows it', () => {
    for (let g = 70_000; g <= 3_600_000; g += 1_000) expect(renewDelayMs(g)).toBeGreaterThanOrEqual(60_000);
  });

  it('always renews before the subscription ends', () => {
    for (let g = 2_000; g <= 3_600_000; g += 500) expect(renewDelayMs(g)).toBeLessThan(g);
  });

  it('granted lifetime from the camera clock; missing times fall back', () => {
    expect(grantedMs({ currentMs: 1_000_000, terminationMs: 1_060_000 }, 600, 5)).toBe(60_000);
    // No CurrentTime: our clock plus offset stands in.
    expect(grantedMs({ terminationMs: 1_060_000 }, 600, 1_010_000)).toBe(50_000);
    // No TerminationTime: what was asked.
    expect(grantedMs({}, 600, 0)).toBe(600_000);
    // A termination in the past is no lifetime at all.
    expect(grantedMs({ currentMs: 2_000, terminationMs: 1_000 }, 600, 0)).toBe(0);
  });
});

describe('long-poll timeout that adapts to early cuts', () => {
  it('Tapo: PT20S cut at 10 s → PT8S, kept once a poll works', () => {
    const t = new PullTimeout(20);
    expect(t.cut(20, 10_050)).toBe(8);
    expect(t.seconds).toBe(8);
    expect(t.workingSeconds).toBe(20);
    expect(t.succeeded()).toBe(true);
    expect(t.workingSeconds).toBe(8);
    expect(t.succeeded()).toBe(false);
  });

  it('walks down the ladder: cut at 8 s → 5, at 5 s → 3, then 2 and 1; nothing below 1', () => {
    const t = new PullTimeout(20);
    expect(t.cut(20, 8_000)).toBe(5);
    expect(t.cut(5, 4_900)).toBe(3);
    expect(t.cut(3, 2_900)).toBe(2);
    expect(t.cut(2, 1_900)).toBe(1);
    expect(t.cut(1, 999)).toBeUndefined();
  });

  it('a cut sooner than 1 s is a dropped connection; one after the full timeout is no cut', () => {
    const t = new PullTimeout(20);
    expect(t.cut(20, 500)).toBeUndefined();
    expect(t.cut(20, 20_000)).toBeUndefined();
    expect(t.seconds).toBe(20);
  });

  it('a step that then fails otherwise (a reboot mid-poll) is forgotten', () => {
    const t = new PullTimeout(20);
    expect(t.cut(20, 3_000)).toBe(2);
    t.failed();
    expect(t.seconds).toBe(20);
    expect(t.workingSeconds).toBe(20);
  });

  it('a shorter poll asked near a renewal and cut still adapts from the configured timeout', () => {
    const t = new PullTimeout(20);
    expect(t.cut(4, 2_000)).toBe(1);
  });
});
