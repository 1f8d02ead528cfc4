import { describe, expect, it } from 'vitest';
import { changedFraction, MotionState, PIXEL_DELTA, zoneMask } from '../../../src/recorder/motion.js';

describe('zoneMask', () => {
  it('covers the whole frame without zones', () => expect(zoneMask(4, 2, []).length).toBe(8));

  it('keeps only pixels whose centre lies inside a zone', () => {
    // Right half of a 4x2 frame: columns 2 and 3.
    expect([...zoneMask(4, 2, [{ x: 0.5, y: 0, width: 0.5, height: 1 }])]).toEqual([2, 3, 6, 7]);
    // Two zones, top-left pixel and bottom-right pixel.
    expect([...zoneMask(4, 2, [{ x: 0, y: 0, width: 0.25, height: 0.5 }, { x: 0.75, y: 0.5, width: 0.25, height: 0.5 }])]).toEqual([0, 7]);
  });
});

describe('changedFraction', () => {
  const prev = new Uint8Array([10, 10, 10, 10]);
  it('counts pixels that moved by more than PIXEL_DELTA, inside the mask only', () => {
    const next = new Uint8Array([10 + PIXEL_DELTA + 1, 10 + PIXEL_DELTA, 0, 200]);
    expect(changedFraction(prev, next, zoneMask(4, 1, []))).toBe(0.5);
    expect(changedFraction(prev, next, Uint32Array.from([0, 1]))).toBe(0.5);
    expect(changedFraction(prev, next, Uint32Array.from([1, 2]))).toBe(0);
  });
  it('an empty mask sees nothing', () => expect(changedFraction(prev, prev, new Uint32Array())).toBe(0));
});

describe('MotionState', () => {
  const rules = { threshold: 0.1, minSeconds: 0.5, cooldownSeconds: 2 };

  it('needs minSeconds above threshold to start, cooldownSeconds below to stop', () => {
    const m = new MotionState(rules);
    expect(m.update(0.5, 0)).toBeUndefined();
    expect(m.update(0.5, 400)).toBeUndefined();
    expect(m.update(0.5, 500)).toBe(true);
    expect(m.update(0.0, 1_000)).toBeUndefined();
    expect(m.update(0.5, 1_200)).toBeUndefined(); // still active, cooldown restarts
    expect(m.update(0.0, 3_100)).toBeUndefined();
    expect(m.update(0.0, 3_200)).toBe(false);
    expect(m.isActive).toBe(false);
  });

  it('a short blip never triggers', () => {
    const m = new MotionState(rules);
    expect(m.update(0.9, 0)).toBeUndefined();
    expect(m.update(0.0, 200)).toBeUndefined();
    expect(m.update(0.9, 400)).toBeUndefined();
    expect(m.update(0.9, 800)).toBeUndefined();
  });

  it('reset ends active motion once', () => {
    const m = new MotionState({ ...rules, minSeconds: 0 });
    expect(m.update(1, 0)).toBe(true);
    expect(m.reset()).toBe(false);
    expect(m.reset()).toBeUndefined();
  });
});
