import { describe, expect, it } from 'vitest';
import { filterGraphArgs, groupedSum, INLINE_GRAPH_LIMIT, positionExpr, simplify, splitSpans, TERMS_PER_GROUP, toSpan, trackedBlurGraph, type TrackKeyframe } from '../../../src/media/tracked-blur.js';

const kf = (t: number, x: number, y = 0.4, w = 0.1, h = 0.2): TrackKeyframe => ({ t, x, y, width: w, height: h });

describe('positionExpr', () => {
  it.each([
    [[{ t: 0, v: 100 }], '2*floor((100)/2)'],
    // one linear piece: start value + slope·clip(t−t0, 0, duration)
    [[{ t: 1, v: 100 }, { t: 2, v: 300 }], '2*floor((100+200*clip(t-1,0,1))/2)'],
    // moving back, then still: negative slope, the still piece costs nothing
    [[{ t: 0, v: 300 }, { t: 0.5, v: 200 }, { t: 1.5, v: 200 }], '2*floor((300-200*clip(t-0,0,0.5))/2)'],
    // a keyframe before the export's start (after a trim): t+offset
    [[{ t: -0.5, v: 0 }, { t: 0.5, v: 50 }], '2*floor((0+50*clip(t+0.5,0,1))/2)'],
  ])('%j → %s', (points, expr) => {
    expect(positionExpr(points, 0)).toBe(expr);
  });

  it('needs a keyframe', () => {
    expect(() => positionExpr([], 2)).toThrow(RangeError);
  });
});

describe('groupedSum', () => {
  it('short sums stay flat; long ones are parenthesised into groups ffmpeg accepts', () => {
    expect(groupedSum(['1', '+2', '-3'])).toBe('1+2-3');
    const terms = ['5', ...Array.from({ length: 100 }, (_, i) => `${i % 2 ? '-' : '+'}${i}`)];
    const sum = groupedSum(terms);
    expect(sum.startsWith('(5+0-1)+(2-3+4)')).toBe(true);
    // still the same sum (every group is added, so dropping the brackets keeps the value)
    const value = (sum.replace(/[()]/g, '').match(/[+-]?\d+/g) ?? []).reduce((a, b) => a + Number(b), 0);
    expect(value).toBe(5 + Array.from({ length: 100 }, (_, i) => (i % 2 ? -i : i)).reduce((a, b) => a + b, 0));
    // no flat run of more than TERMS_PER_GROUP terms anywhere
    for (const run of sum.split(/[()]/)) expect((run.match(/[+-]/g) ?? []).length).toBeLessThanOrEqual(TERMS_PER_GROUP);
  });
});

describe('filterGraphArgs', () => {
  it('inline when short, a script file when too long for one argv string', () => {
    expect(filterGraphArgs('[0:v]null[vout]', '/t/g')).toEqual({ args: ['-filter_complex', '[0:v]null[vout]'] });
    const long = 'x'.repeat(INLINE_GRAPH_LIMIT + 1);
    expect(filterGraphArgs(long, '/t/g')).toEqual({ args: ['-filter_complex_script', '/t/g'], script: long });
  });
});

describe('simplify', () => {
  it('drops points a straight line already passes within the tolerance, keeps the corners', () => {
    const line = Array.from({ length: 11 }, (_, i) => ({ t: i / 10, v: 100 + 10 * i + (i === 5 ? 1 : 0) }));
    expect(simplify(line, 2)).toEqual([line[0], line[10]]);
    const corner = [...line.slice(0, 6), ...Array.from({ length: 5 }, (_, i) => ({ t: 0.6 + i / 10, v: 151 }))];
    expect(simplify(corner, 2).map((p) => p.t)).toEqual([0, 0.5, 1]);
  });
});

describe('spans', () => {
  it('splits a growing face into boxes whose size varies by at most the ratio, sharing boundary keyframes', () => {
    const keys = [0, 1, 2, 3, 4].map((i) => kf(i, 0.5, 0.4, 0.1 * (1 + 0.25 * i), 0.2));
    const spans = splitSpans(keys, 1920, 1080, 1.5);
    expect(spans.map((s) => s.map((k) => k.t))).toEqual([[0, 1, 2], [2, 3, 4]]);
  });

  it('sizes the box by the largest keyframe (even pixels) and centres it, clamped inside the frame', () => {
    const span = toSpan([kf(0, 0.95, 0.4, 0.1, 0.2), kf(1, 0.5, 0.4, 0.05, 0.1)], 1920, 1080, 0);
    expect(span.w).toBe(192);
    expect(span.h).toBe(216);
    // centred at x = 1920 (half off the frame): pushed back inside
    expect(span.points[0]).toEqual({ t: 0, x: 1920 - 192, y: 540 - 108 });
    expect(span.points[1]!.x).toBeCloseTo(0.525 * 1920 - 96, 6);
  });
});

describe('trackedBlurGraph', () => {
  it('nothing to redact: the input passes through', () => {
    expect(trackedBlurGraph({ width: 1920, height: 1080, tracks: [], regions: [] })).toBe('[0:v]null[vout]');
  });

  it('one still face: a coarse, grained box enabled over the track\'s time', () => {
    const g = trackedBlurGraph({ width: 1920, height: 1080, tracks: [{ keyframes: [kf(1, 0.25, 0.25, 0.1, 0.2), kf(2, 0.25, 0.25, 0.1, 0.2)] }], regions: [] });
    expect(g).toBe(
      "[0:v]split=2[base][c0];" +
        "[c0]crop=w=192:h=216:x='2*floor((480)/2)':y='2*floor((270)/2)',scale=3:3:flags=area,scale=192:216:flags=bilinear," +
        'noise=c0_strength=48:c0_flags=u:c0_seed=19[r0];' +
        "[base][r0]overlay=x='2*floor((480)/2)':y='2*floor((270)/2)':enable='between(t,1,2)'[vout]",
    );
  });

  it('moving faces and fixed areas together; track times shift by the trim start', () => {
    const g = trackedBlurGraph({
      width: 1280, height: 720,
      tracks: [{ keyframes: [kf(5, 0.1), kf(6, 0.3)] }, { keyframes: [kf(0, 0.6), kf(1, 0.6)] }],
      regions: [{ x: 0.7, y: 0, width: 0.3, height: 0.4 }],
      timeOffset: 5,
    });
    const parts = g.split(';');
    // the second track ended before the trim start: it is dropped
    expect(parts[0]).toBe('[0:v]split=3[base][c0][c1]');
    // the first track now starts at the export's t=0 and moves 256 px in a second
    expect(parts[1]).toContain("x='2*floor((128+256*clip(t-0,0,1))/2)'");
    expect(g).toContain("enable='between(t,0,1)'");
    expect(parts.at(-1)).toMatch(/overlay=896:0\[vout\]$/);
    expect(g.match(/overlay=/g)).toHaveLength(2);
  });

  it('stays small for a long track: a steadily moving face costs a term per change of direction', () => {
    const keys = Array.from({ length: 1200 }, (_, i) => kf(i / 10, 0.1 + 0.6 * (i / 1199), 0.3, 0.1, 0.2));
    const g = trackedBlurGraph({ width: 1920, height: 1080, tracks: [{ keyframes: keys }], regions: [] });
    expect(g.length).toBeLessThan(600);
  });
});
