import { describe, expect, it } from 'vitest';
import { associate, buildTracks, DEFAULT_TRACKER, extendEnds, fillGaps, padBox, smooth, type FrameFaces, type TrackerOptions } from '../../../src/detect/tracker.js';
import type { ScoredBox } from '../../../src/detect/types.js';

const OPTS: TrackerOptions = { ...DEFAULT_TRACKER, fps: 10 };
const face = (x: number, y: number, size = 0.1, score = 0.9): ScoredBox => ({ x, y, width: size, height: size, score });

/** Frames 0..n-1 at 10 fps with one face per entry of `at(k)` (undefined = missed that frame). */
function frames(n: number, at: (k: number) => ScoredBox[]): FrameFaces[] {
  return Array.from({ length: n }, (_, k) => ({ t: k / 10, faces: at(k) }));
}

describe('tracker', () => {
  it('one face moving steadily: one track, a keyframe per frame plus the hold, padded, following the motion', () => {
    const tracks = buildTracks(frames(20, (k) => [face(0.3 + 0.01 * k, 0.4)]), OPTS);
    expect(tracks).toHaveLength(1);
    const [t] = tracks;
    // 20 observed frames + 2 held after (none before frame 0).
    expect(t!.keyframes.map((k) => k.t)).toEqual(Array.from({ length: 22 }, (_, k) => k / 10));
    // padding 0.4 each side: 0.1 → 0.18
    expect(t!.keyframes[10]!.width).toBeCloseTo(0.18, 4);
    const centre = (i: number): number => t!.keyframes[i]!.x + t!.keyframes[i]!.width / 2;
    expect(centre(10)).toBeCloseTo(0.3 + 0.1 + 0.05, 3);
    // held frames keep moving at the end velocity
    expect(centre(21)).toBeCloseTo(0.3 + 0.21 + 0.05, 3);
    expect(t!.kind).toBe('face');
    expect(t!.scoreMax).toBe(0.9);
  });

  it('a face missed for up to maxMissed frames keeps its track, the gap interpolated', () => {
    const tracks = buildTracks(frames(12, (k) => (k >= 4 && k <= 6 ? [] : [face(0.2 + 0.02 * k, 0.5)])), OPTS);
    expect(tracks).toHaveLength(1);
    const k5 = tracks[0]!.keyframes.find((k) => k.t === 0.5)!;
    expect(k5.x + k5.width / 2).toBeCloseTo(0.2 + 0.1 + 0.05, 3);
  });

  it('a gap longer than maxMissed splits the face into two tracks', () => {
    const tracks = buildTracks(frames(20, (k) => (k >= 5 && k <= 9 ? [] : [face(0.5, 0.5)])), OPTS);
    expect(tracks).toHaveLength(2);
    expect(tracks.map((t) => t.id)).toEqual([1, 2]);
  });

  it('detections seen fewer than minHits times never become a track', () => {
    const tracks = buildTracks(frames(10, (k) => (k === 3 || k === 4 ? [face(0.7, 0.2)] : [])), OPTS);
    expect(tracks).toEqual([]);
  });

  it('two faces stay two tracks, ordered by first appearance, scores per track', () => {
    const tracks = buildTracks(frames(10, (k) => [face(0.1, 0.1, 0.1, 0.6 + 0.02 * k), ...(k >= 2 ? [face(0.6, 0.6, 0.1, 0.8)] : [])]), OPTS);
    expect(tracks).toHaveLength(2);
    expect(tracks[0]!.keyframes[0]!.t).toBe(0);
    expect(tracks[1]!.keyframes[0]!.t).toBe(0.2 - 0.2);
    expect(tracks[0]!.scoreMax).toBeCloseTo(0.78, 4);
    expect(tracks[0]!.scoreMean).toBeCloseTo(0.69, 4);
    expect(tracks[1]!.scoreMean).toBe(0.8);
  });

  it('association prefers the best overlap when a detection could join either of two tracks', () => {
    const a = face(0.3, 0.3);
    const b = face(0.38, 0.3);
    const raw = associate([{ t: 0, faces: [a, b] }, { t: 0.1, faces: [face(0.37, 0.3)] }], OPTS);
    const joined = raw.find((m) => m.size === 2)!;
    expect(joined.get(0)).toBe(b);
  });

  it('a face walking out of the left edge is followed until its box has left the frame', () => {
    // moving left 0.02 per frame, last seen with its left edge at 0.04
    const obs = new Map(Array.from({ length: 6 }, (_, k): [number, ScoredBox] => [k, face(0.14 - 0.02 * k, 0.4)]));
    const ext = extendEnds(fillGaps(obs), { holdFrames: 2, edgeHoldFrames: 10 });
    const after = [...ext.keys()].filter((i) => i > 5).sort((x, y) => x - y);
    // centre 0.09 at frame 5, moving -0.02/frame: still on the frame while cx + 0.05 > 0 → frames 6..11
    expect(after).toEqual([6, 7, 8, 9, 10, 11]);
    expect(ext.get(11)!.cx).toBeCloseTo(0.09 - 0.12, 6);
  });

  it('gaps are filled linearly and the moving average has no lag on a straight line', () => {
    const filled = fillGaps(new Map([[0, face(0, 0)], [4, face(0.4, 0)]]));
    expect([...filled.keys()]).toEqual([0, 1, 2, 3, 4]);
    expect(filled.get(2)!.cx).toBeCloseTo(0.25, 6);
    const line = [0, 1, 2, 3, 4].map((i) => ({ cx: i / 10, cy: 0.5, w: 0.1, h: 0.1 }));
    expect(smooth(line, 2).map((c) => Number(c.cx.toFixed(6)))).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    const jitter = [0.5, 0.52, 0.48, 0.52, 0.48, 0.5].map((cx) => ({ cx, cy: 0.5, w: 0.1, h: 0.1 }));
    expect(smooth(jitter, 1).map((c) => Number(c.cx.toFixed(4)))).toEqual([0.5, 0.5, 0.5067, 0.4933, 0.5, 0.5]);
    expect(smooth(line, 0)).toBe(line);
  });

  it('padBox grows the box and clamps it to the frame', () => {
    expect(padBox({ cx: 0.5, cy: 0.5, w: 0.1, h: 0.2 }, 0.25)).toEqual({ x: 0.425, y: 0.35, width: 0.15, height: 0.3 });
    expect(padBox({ cx: 0.02, cy: 0.98, w: 0.1, h: 0.1 }, 0.5)).toEqual({ x: 0, y: 0.88, width: 0.12, height: 0.12 });
  });
});
