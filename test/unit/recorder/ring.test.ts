import { describe, expect, it } from 'vitest';
import { parseSegmentLine, Segment, SegmentRing, StreamClock } from '../../../src/recorder/ring.js';

describe('parseSegmentLine', () => {
  it.each([
    ['r1-000001.ts,2.064000,4.064000', { name: 'r1-000001.ts', start: 2.064, end: 4.064 }],
    ['"r1-000002.ts",4,6', { name: 'r1-000002.ts', start: 4, end: 6 }],
    ['r1,with,comma.ts,0.5,2.5', { name: 'r1,with,comma.ts', start: 0.5, end: 2.5 }],
  ])('parses %s', (line, want) => expect(parseSegmentLine(line)).toEqual(want));

  it.each(['', 'garbage', 'a.ts,4,2', 'a.ts,2,2', '../x.ts,0,2', 'sub/x.ts,0,2', '.hidden,0,2'])('rejects %j', (line) =>
    expect(parseSegmentLine(line)).toBeUndefined(),
  );
});

describe('StreamClock', () => {
  it('maps stream time to wall time with the smallest observed delay', () => {
    const c = new StreamClock();
    c.observe(10_000 + 2_000 + 80, 2); // line seen 80 ms after the segment ended
    c.observe(10_000 + 4_000 + 20, 4);
    c.observe(10_000 + 6_000 + 300, 6); // a slow one does not move the estimate
    expect(c.toWall(0)).toBe(10_020);
    expect(c.toWall(5.5)).toBe(15_520);
  });

  it('forgets observations outside its window (camera clock drift)', () => {
    const c = new StreamClock(2);
    c.observe(1_000, 1);
    c.observe(2_500, 2);
    c.observe(3_500, 3);
    expect(c.toWall(0)).toBe(500);
  });

  it('refuses to guess without observations', () => expect(() => new StreamClock().toWall(1)).toThrow());
});

function ringWith(ends: number[]): { ring: SegmentRing; clock: StreamClock } {
  const clock = new StreamClock();
  clock.observe(100_000, 0); // stream second 0 = wall 100 000 ms
  const ring = new SegmentRing('/c');
  let start = 0;
  for (const end of ends) {
    ring.add(new Segment(`/c/s${end}.ts`, start, end, clock));
    start = end;
  }
  return { ring, clock };
}

describe('SegmentRing', () => {
  it('finds the segments overlapping a window, oldest first', () => {
    const { ring } = ringWith([2, 4, 6, 8]);
    expect(ring.covering(103_000, 105_000).map((s) => s.file)).toEqual(['/c/s4.ts', '/c/s6.ts']);
    expect(ring.covering(104_000, 104_500).map((s) => s.file)).toEqual(['/c/s6.ts']);
    expect(ring.newestEndMs()).toBe(108_000);
  });

  it('prunes what pre-roll no longer needs, but never what a hold protects', () => {
    const { ring } = ringWith([2, 4, 6, 8, 10]);
    ring.hold('event', 102_500);
    expect(ring.prune(110_000, 3_000)).toEqual(['/c/s2.ts']);
    ring.release('event');
    expect(ring.prune(110_000, 3_000)).toEqual(['/c/s4.ts', '/c/s6.ts']);
    expect(ring.size).toBe(2);
    expect(ring.clear()).toEqual(['/c/s8.ts', '/c/s10.ts']);
    expect(ring.newestEndMs()).toBeUndefined();
  });
});
