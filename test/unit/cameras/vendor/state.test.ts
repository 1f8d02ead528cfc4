import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/clock.js';
import { vendorBackoff } from '../../../../src/cameras/vendor/backoff.js';
import { PressFilter, VendorMotionState } from '../../../../src/cameras/vendor/state.js';

describe('VendorMotionState', () => {
  it('overlapping detectors give one ON and one OFF', () => {
    const clock = new ManualClock(0);
    const s = new VendorMotionState({ maxActiveMs: 300_000 }, () => clock.now());
    expect(s.apply({ kind: 'motion', key: 'VideoMotion:0', active: true })).toBe(true);
    expect(s.apply({ kind: 'motion', key: 'CrossLineDetection:0', active: true })).toBeUndefined();
    expect(s.apply({ kind: 'motion', key: 'VideoMotion:0', active: false })).toBeUndefined();
    expect(s.apply({ kind: 'motion', key: 'VideoMotion:0', active: false })).toBeUndefined();
    expect(s.apply({ kind: 'motion', key: 'CrossLineDetection:0', active: false })).toBe(false);
  });

  it('a held detector stays on while repeats come and ends holdMs after the last one', () => {
    const clock = new ManualClock(0);
    const s = new VendorMotionState({ maxActiveMs: 300_000 }, () => clock.now());
    const active = { kind: 'motion', key: 'vmd:1', active: true, holdMs: 5_000 } as const;
    expect(s.apply(active)).toBe(true);
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      expect(s.expire()).toBeUndefined();
      expect(s.apply(active)).toBeUndefined();
    }
    expect(s.nextExpiry()).toBe(clock.now() + 5_000);
    clock.advance(4_999);
    expect(s.expire()).toBeUndefined();
    clock.advance(1);
    expect(s.expire()).toBe(false);
    expect(s.nextExpiry()).toBeUndefined();
  });

  it('an explicit stop that never comes ends at the safety limit', () => {
    const clock = new ManualClock(0);
    const s = new VendorMotionState({ maxActiveMs: 300_000 }, () => clock.now());
    s.apply({ kind: 'motion', key: 'VideoMotion:0', active: true });
    clock.advance(299_999);
    expect(s.expire()).toBeUndefined();
    clock.advance(1);
    expect(s.expire()).toBe(false);
  });

  it('reset reports OFF only when motion was on', () => {
    const s = new VendorMotionState({ maxActiveMs: 1000 }, () => 0);
    expect(s.reset()).toBeUndefined();
    s.apply({ kind: 'motion', key: 'a', active: true });
    expect(s.reset()).toBe(false);
    expect(s.motionActive).toBe(false);
  });
});

describe('PressFilter', () => {
  it('AD110: Invite then CallNoAnswered 30 s later is one press; the next Invite is a second', () => {
    const clock = new ManualClock(0);
    const f = new PressFilter({ repeatMs: 3_000, foldMs: 60_000 }, () => clock.now());
    expect(f.accept('invite')).toBe(true);
    clock.advance(30_000);
    expect(f.accept('call-no-answered')).toBe(false);
    clock.advance(10_000);
    expect(f.accept('invite')).toBe(true);
  });

  it('a repeated or pulsing signal within 3 s counts once', () => {
    const clock = new ManualClock(0);
    const f = new PressFilter({ repeatMs: 3_000, foldMs: 60_000 }, () => clock.now());
    expect(f.accept('back-key-light')).toBe(true);
    for (let i = 0; i < 5; i++) {
      clock.advance(2_000);
      expect(f.accept('back-key-light')).toBe(false);
    }
    clock.advance(3_000);
    expect(f.accept('back-key-light')).toBe(true);
  });
});

describe('vendorBackoff', () => {
  it('doubles from 1 s to the 60 s cap with ±20 % jitter, and resets', () => {
    const b = vendorBackoff({}, () => 0.5);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => b.next())).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    b.reset();
    expect(b.next()).toBe(1000);
    const low = vendorBackoff({}, () => 0);
    const high = vendorBackoff({}, () => 1);
    expect([low.next(), high.next()]).toEqual([800, 1200]);
  });
});
