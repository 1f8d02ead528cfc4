/**
 * Face tracks from per-frame detections (pure; test/unit/detect/tracker.test.ts).
 *
 *  1. Association, frame by frame: each live track predicts its box (last box moved by its
 *     velocity), pairs (track, detection) are taken greedily by IoU, best first, down to minIou.
 *     A track missed for more than maxMissed frames ends; a detection left over starts a track.
 *  2. Tracks with fewer than minHits detections are dropped (a one-frame false positive never
 *     becomes a blur suggestion).
 *  3. Gaps of missed frames are filled by linear interpolation. The track is extended by holdFrames
 *     before its first and after its last detection, moving on at its end velocity, so the blur
 *     starts a little early and ends a little late rather than the other way round. A track that
 *     ends at a frame edge (a face walking out, where the detector loses a half face before the
 *     face is gone) is extended by up to edgeHoldFrames, until its box has left the frame.
 *  4. Centre and size are smoothed by a centred moving average (no lag), then the box is padded by
 *     `padding` of its size on each side and clamped to the frame.
 */
import { iou } from './letterbox.js';
import type { Box, Keyframe, ScoredBox, Track } from './types.js';

export interface TrackerOptions {
  /** Rate the detections were taken at; frame k is at t = k / fps. */
  fps: number;
  minIou: number;
  maxMissed: number;
  minHits: number;
  /** Half-width of the moving average, in frames (0 = no smoothing). */
  smoothFrames: number;
  /** Extra margin on each side, as a fraction of the box's width/height. */
  padding: number;
  holdFrames: number;
  edgeHoldFrames: number;
}

export const DEFAULT_TRACKER: Omit<TrackerOptions, 'fps'> = {
  minIou: 0.2,
  maxMissed: 3,
  minHits: 3,
  smoothFrames: 2,
  padding: 0.4,
  holdFrames: 2,
  edgeHoldFrames: 10,
};

export interface FrameFaces {
  t: number;
  faces: ScoredBox[];
}

interface Centre {
  cx: number;
  cy: number;
  w: number;
  h: number;
}

interface LiveTrack {
  obs: Map<number, ScoredBox>;
  lastIndex: number;
  last: Centre;
  /** Centre velocity in fractions of the frame per analysed frame. */
  vx: number;
  vy: number;
}

const centre = (b: Box): Centre => ({ cx: b.x + b.width / 2, cy: b.y + b.height / 2, w: b.width, h: b.height });
const toBox = (c: Centre): Box => ({ x: c.cx - c.w / 2, y: c.cy - c.h / 2, width: c.w, height: c.h });

function predict(t: LiveTrack, index: number): Box {
  const gap = index - t.lastIndex;
  return toBox({ ...t.last, cx: t.last.cx + t.vx * gap, cy: t.last.cy + t.vy * gap });
}

function observe(t: LiveTrack, index: number, det: ScoredBox): void {
  const c = centre(det);
  const gap = Math.max(1, index - t.lastIndex);
  // Exponential smoothing of velocity: one noisy detection does not fling the prediction.
  t.vx = 0.5 * t.vx + 0.5 * ((c.cx - t.last.cx) / gap);
  t.vy = 0.5 * t.vy + 0.5 * ((c.cy - t.last.cy) / gap);
  t.last = c;
  t.lastIndex = index;
  t.obs.set(index, det);
}

/** Step 1: link detections into raw tracks (observation maps keyed by frame index). */
export function associate(frames: FrameFaces[], opts: TrackerOptions): Map<number, ScoredBox>[] {
  const live: LiveTrack[] = [];
  const done: LiveTrack[] = [];
  const ordered = [...frames].sort((a, b) => a.t - b.t);
  for (const frame of ordered) {
    const index = Math.round(frame.t * opts.fps);
    for (let i = live.length - 1; i >= 0; i--) {
      if (index - live[i]!.lastIndex > opts.maxMissed + 1) done.push(...live.splice(i, 1));
    }
    const pairs: { track: number; det: number; score: number }[] = [];
    live.forEach((track, ti) => {
      const p = predict(track, index);
      frame.faces.forEach((d, di) => {
        const s = iou(p, d);
        if (s >= opts.minIou) pairs.push({ track: ti, det: di, score: s });
      });
    });
    pairs.sort((a, b) => b.score - a.score);
    const usedTracks = new Set<number>();
    const usedDets = new Set<number>();
    for (const p of pairs) {
      if (usedTracks.has(p.track) || usedDets.has(p.det)) continue;
      usedTracks.add(p.track);
      usedDets.add(p.det);
      observe(live[p.track]!, index, frame.faces[p.det]!);
    }
    frame.faces.forEach((d, di) => {
      if (usedDets.has(di)) return;
      live.push({ obs: new Map([[index, d]]), lastIndex: index, last: centre(d), vx: 0, vy: 0 });
    });
  }
  return [...done, ...live].map((t) => t.obs);
}

/** Step 3a: one centre per observed frame index and every gap between, gaps interpolated linearly. */
export function fillGaps(obs: Map<number, ScoredBox>): Map<number, Centre> {
  const indices = [...obs.keys()].sort((a, b) => a - b);
  const out = new Map<number, Centre>();
  for (let k = 0; k < indices.length; k++) {
    const i0 = indices[k]!;
    const c0 = centre(obs.get(i0)!);
    out.set(i0, c0);
    const i1 = indices[k + 1];
    if (i1 === undefined) break;
    const c1 = centre(obs.get(i1)!);
    for (let i = i0 + 1; i < i1; i++) {
      const f = (i - i0) / (i1 - i0);
      out.set(i, { cx: c0.cx + (c1.cx - c0.cx) * f, cy: c0.cy + (c1.cy - c0.cy) * f, w: c0.w + (c1.w - c0.w) * f, h: c0.h + (c1.h - c0.h) * f });
    }
  }
  return out;
}

/** Whether a box reaches within one box size of a frame edge. */
function nearEdge(c: Centre): boolean {
  return c.cx - 1.5 * c.w <= 0 || c.cx + 1.5 * c.w >= 1 || c.cy - 1.5 * c.h <= 0 || c.cy + 1.5 * c.h >= 1;
}

/** Whether any of a box is still on the frame. */
function onFrame(c: Centre): boolean {
  return c.cx + c.w / 2 > 0 && c.cx - c.w / 2 < 1 && c.cy + c.h / 2 > 0 && c.cy - c.h / 2 < 1;
}

/**
 * Step 3b: extend a filled series (consecutive indices) at both ends, moving at the mean velocity
 * of its first/last few frames: holdFrames always, up to edgeHoldFrames while near an edge.
 */
export function extendEnds(series: Map<number, Centre>, opts: Pick<TrackerOptions, 'holdFrames' | 'edgeHoldFrames'>): Map<number, Centre> {
  const indices = [...series.keys()].sort((a, b) => a - b);
  const first = indices[0]!;
  const last = indices[indices.length - 1]!;
  const span = Math.min(4, last - first);
  const velocity = (a: Centre, b: Centre): { vx: number; vy: number } =>
    span > 0 ? { vx: (b.cx - a.cx) / span, vy: (b.cy - a.cy) / span } : { vx: 0, vy: 0 };
  const out = new Map(series);
  const extend = (from: number, dir: 1 | -1, v: { vx: number; vy: number }): void => {
    const base = series.get(from)!;
    const limit = nearEdge(base) ? Math.max(opts.holdFrames, opts.edgeHoldFrames) : opts.holdFrames;
    for (let h = 1; h <= limit; h++) {
      const index = from + dir * h;
      if (index < 0) break;
      const c = { ...base, cx: base.cx + dir * v.vx * h, cy: base.cy + dir * v.vy * h };
      if (!onFrame(c)) break;
      out.set(index, c);
    }
  };
  extend(last, 1, velocity(series.get(last - span)!, series.get(last)!));
  extend(first, -1, velocity(series.get(first)!, series.get(first + span)!));
  return out;
}

/**
 * Step 4a: centred moving average over ±half frames. Near the ends the window shrinks symmetrically
 * (down to the end frame itself), so a face moving steadily is never lagged behind at a track's ends.
 */
export function smooth(series: Centre[], half: number): Centre[] {
  if (half <= 0) return series;
  return series.map((_, i) => {
    const k = Math.min(half, i, series.length - 1 - i);
    const lo = i - k;
    const hi = i + k;
    const n = hi - lo + 1;
    const acc = { cx: 0, cy: 0, w: 0, h: 0 };
    for (let j = lo; j <= hi; j++) {
      const c = series[j]!;
      acc.cx += c.cx;
      acc.cy += c.cy;
      acc.w += c.w;
      acc.h += c.h;
    }
    return { cx: acc.cx / n, cy: acc.cy / n, w: acc.w / n, h: acc.h / n };
  });
}

const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;

/** Step 4b: padded box clamped to the frame. */
export function padBox(c: Centre, padding: number): Box {
  const w = c.w * (1 + 2 * padding);
  const h = c.h * (1 + 2 * padding);
  const x0 = Math.max(0, c.cx - w / 2);
  const y0 = Math.max(0, c.cy - h / 2);
  const x1 = Math.min(1, c.cx + w / 2);
  const y1 = Math.min(1, c.cy + h / 2);
  return { x: round4(x0), y: round4(y0), width: round4(Math.max(0, x1 - x0)), height: round4(Math.max(0, y1 - y0)) };
}

export function buildTracks(frames: FrameFaces[], opts: TrackerOptions): Track[] {
  const tracks: Track[] = [];
  const raw = associate(frames, opts)
    .filter((obs) => obs.size >= opts.minHits)
    .sort((a, b) => Math.min(...a.keys()) - Math.min(...b.keys()));
  for (const obs of raw) {
    const filled = extendEnds(fillGaps(obs), opts);
    const indices = [...filled.keys()].sort((a, b) => a - b);
    const smoothed = smooth(indices.map((i) => filled.get(i)!), opts.smoothFrames);
    const keyframes: Keyframe[] = indices.map((i, k) => ({ t: round4(i / opts.fps), ...padBox(smoothed[k]!, opts.padding) }));
    const scores = [...obs.values()].map((d) => d.score);
    tracks.push({
      id: tracks.length + 1,
      kind: 'face',
      keyframes,
      scoreMax: round4(Math.max(...scores)),
      scoreMean: round4(scores.reduce((s, v) => s + v, 0) / scores.length),
    });
  }
  return tracks;
}
