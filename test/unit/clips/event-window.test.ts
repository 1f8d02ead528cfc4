import { describe, expect, it } from 'vitest';
import { EventWindow } from '../../../src/clips/event-window.js';

const rules = { preMs: 5_000, postMs: 10_000, maxMs: 60_000 };

describe('EventWindow', () => {
  it('an instant trigger covers [t − pre, t + post] and closes only after the post-roll', () => {
    const w = new EventWindow(rules);
    w.instant('manual', 100_000, 'e1');
    expect(w.openFromMs).toBe(95_000);
    expect(w.due(109_999)).toBeUndefined();
    expect(w.due(110_000)).toEqual({ eventIds: ['e1'], trigger: 'manual', fromMs: 95_000, toMs: 110_000, capped: false });
    expect(w.isOpen).toBe(false);
  });

  it('overlapping triggers extend one event; the strongest trigger names it', () => {
    const w = new EventWindow(rules);
    w.motion('onvif', true, 100_000, 'e1', 'motion');
    w.instant('doorbell', 104_000, 'e2');
    w.motion('onvif', false, 106_000, 'e3', 'motion');
    expect(w.due(115_000)).toBeUndefined(); // doorbell post ends 114 000, motion post 116 000
    expect(w.due(116_000)).toEqual({ eventIds: ['e1', 'e2'], trigger: 'doorbell', fromMs: 95_000, toMs: 116_000, capped: false });
  });

  it('post-roll counts from the end of motion, and a second source keeps it open', () => {
    const w = new EventWindow(rules);
    w.motion('onvif', true, 100_000, 'a', 'motion');
    w.motion('detect', true, 101_000, 'b', 'detect');
    w.motion('onvif', false, 102_000, 'c', 'motion');
    expect(w.due(130_000)).toBeUndefined(); // detect still active
    w.motion('detect', false, 130_000, 'd', 'detect');
    expect(w.due(140_000)?.toMs).toBe(140_000);
  });

  it('caps at maxSeconds; motion still active continues in a new event from the cap', () => {
    const w = new EventWindow(rules);
    w.motion('onvif', true, 100_000, 'e1', 'motion');
    expect(w.due(154_999)).toBeUndefined();
    expect(w.due(155_000)).toEqual({ eventIds: ['e1'], trigger: 'motion', fromMs: 95_000, toMs: 155_000, capped: true });
    expect(w.openFromMs).toBe(155_000);
    w.motion('onvif', false, 160_000, 'e2', 'motion');
    expect(w.due(170_000)).toMatchObject({ fromMs: 155_000, toMs: 170_000, capped: false });
  });

  it('a long manual post-roll is capped too', () => {
    const w = new EventWindow(rules);
    w.instant('manual', 100_000, 'e1', 120_000);
    expect(w.due(155_000)).toMatchObject({ toMs: 155_000, capped: true });
    expect(w.isOpen).toBe(false);
  });

  it('a motion end without a start does not open an event; reset drops everything', () => {
    const w = new EventWindow(rules);
    w.motion('onvif', false, 100_000, 'x', 'motion');
    expect(w.isOpen).toBe(false);
    w.motion('onvif', true, 100_000, 'y', 'motion');
    w.reset();
    expect(w.due(1e9)).toBeUndefined();
  });
});
