/**
 * Redaction that follows moving faces (pure; table-tested in test/unit/media/tracked-blur.test.ts and
 * run through real ffmpeg in test/integration/detect/tracked-blur.test.ts).
 *
 * Each track (keyframes at the analysis rate, fractions of the frame) becomes one or more "spans":
 * a fixed-size box (crop and overlay sizes cannot change per frame) whose position is a piecewise
 * linear function of `t`, evaluated by ffmpeg per frame. A span ends where the face has grown or
 * shrunk by more than maxSizeRatio, so a face walking towards the camera gets a few boxes of
 * fitting size rather than one huge one. Inside a span:
 *
 *   x(t) = x0 + Σ sᵢ·clip(t − tᵢ, 0, dᵢ)        (one term per linear piece: size linear in pieces)
 *
 * wrapped in 2*floor(…/2) so crop and overlay agree on an even (4:2:0-safe) position. Keyframes are
 * simplified per coordinate (Douglas–Peucker, tolerancePx) so a still or steadily moving face costs a
 * handful of terms. The box is pixelated like the fixed areas of export-args.ts (area-averaged blocks
 * scaled back up), but coarser (TRACK_BLOCKS_ACROSS) and with grain (FACE_NOISE), then laid over the
 * frame with `enable='between(t,start,end)'`.
 */
import type { Region } from '../core/types.js';
import { blockSize, MAX_BLOCKS_ACROSS, pixelRect, type PixelRect } from './export-args.js';

export interface TrackKeyframe {
  /** Seconds on the source clip's timeline (the analysis's keyframe times). */
  t: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TrackedBlurSpec {
  width: number;
  height: number;
  tracks: { keyframes: TrackKeyframe[] }[];
  /** Fixed areas (the owner's rectangles and the camera's privacy masks). */
  regions: Region[];
  /** Seconds cut from the start of the clip (trim start): track times shift back by this much. */
  timeOffset?: number;
  /** Largest position error simplification may introduce, in pixels (default 2). */
  tolerancePx?: number;
  /** Largest growth of a face within one fixed-size box (default 1.5). */
  maxSizeRatio?: number;
  /** Blocks across a track box's shorter side (default 3: a face becomes a few flat patches). */
  trackBlocksAcross?: number;
  /** Grain over tracked faces (default FACE_NOISE; 0 = none). */
  faceNoise?: number;
  input?: string;
  output?: string;
}

/** One fixed-size moving box: pixel size and top-left position keyframes (pixels, export timeline). */
export interface Span {
  w: number;
  h: number;
  points: { t: number; x: number; y: number }[];
}

export const TRACK_BLOCKS_ACROSS = 3;
/**
 * Luma grain laid over a pixelated face (0..100, ffmpeg `noise` strength). A mosaic alone keeps each
 * block's smooth gradients, and face recognisers are known to get useful signal from mosaics; the
 * grain replaces what is left of the face's texture with noise. The pattern is fixed and travels with
 * the box. Grain that changed every frame cost the encode 2.4× the time and 59× the bytes of no grain
 * (a 20 s 1080p clip with 3 tracked faces, x264 veryfast CRF 23); a fixed pattern about 1.1× and 2.1×.
 */
export const FACE_NOISE = 48;
const FACE_NOISE_SEED = 19;

const num = (v: number): string => String(Math.round(v * 1000) / 1000);
const even = (v: number): number => Math.max(2, Math.floor(v / 2) * 2);

/** Split a track's keyframes (pixels) into spans whose box size varies by at most `ratio`. */
export function splitSpans(keys: TrackKeyframe[], width: number, height: number, ratio: number): TrackKeyframe[][] {
  const spans: TrackKeyframe[][] = [];
  let cur: TrackKeyframe[] = [];
  let minW = Infinity;
  let maxW = 0;
  let minH = Infinity;
  let maxH = 0;
  for (const k of keys) {
    const w = Math.max(k.width * width, 1);
    const h = Math.max(k.height * height, 1);
    const nMinW = Math.min(minW, w);
    const nMaxW = Math.max(maxW, w);
    const nMinH = Math.min(minH, h);
    const nMaxH = Math.max(maxH, h);
    // (a hair of slack so 0.1 → 0.15 is "1.5×", not 1.5000000000000002×)
    if (cur.length > 0 && (nMaxW / nMinW > ratio + 1e-9 || nMaxH / nMinH > ratio + 1e-9)) {
      const last = cur[cur.length - 1]!;
      spans.push(cur);
      // Consecutive spans share their boundary keyframe, so no frame between them is left uncovered.
      cur = [last];
      minW = Math.max(last.width * width, 1);
      maxW = minW;
      minH = Math.max(last.height * height, 1);
      maxH = minH;
    }
    cur.push(k);
    minW = Math.min(minW, w);
    maxW = Math.max(maxW, w);
    minH = Math.min(minH, h);
    maxH = Math.max(maxH, h);
  }
  if (cur.length > 0) spans.push(cur);
  return spans;
}

/** Douglas–Peucker on one coordinate (t → v): keeps the points a straight line would miss by > tol px. */
export function simplify(points: { t: number; v: number }[], tol: number): { t: number; v: number }[] {
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const pa = points[a]!;
    const pb = points[b]!;
    let worst = -1;
    let worstErr = tol;
    for (let i = a + 1; i < b; i++) {
      const p = points[i]!;
      const f = pb.t > pa.t ? (p.t - pa.t) / (pb.t - pa.t) : 0;
      const err = Math.abs(pa.v + (pb.v - pa.v) * f - p.v);
      if (err > worstErr) {
        worstErr = err;
        worst = i;
      }
    }
    if (worst > 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

/** A span of fractional keyframes → pixel box size and clamped top-left positions. */
export function toSpan(keys: TrackKeyframe[], width: number, height: number, timeOffset: number): Span {
  const w = Math.min(even(width), even(Math.ceil(Math.max(...keys.map((k) => k.width * width))) + 1));
  const h = Math.min(even(height), even(Math.ceil(Math.max(...keys.map((k) => k.height * height))) + 1));
  const points = keys.map((k) => {
    const cx = (k.x + k.width / 2) * width;
    const cy = (k.y + k.height / 2) * height;
    return {
      t: k.t - timeOffset,
      x: Math.min(Math.max(0, cx - w / 2), width - w),
      y: Math.min(Math.max(0, cy - h / 2), height - h),
    };
  });
  return { w, h, points };
}

/**
 * ffmpeg's expression parser rejects a flat sum of about a hundred terms (measured with ffmpeg 5.1:
 * 98 fail, 90 pass), so longer sums are parenthesised into groups of at most this many, recursively.
 */
export const TERMS_PER_GROUP = 40;

/** `a+b-c…` as nested groups of ≤ TERMS_PER_GROUP signed terms (each term carries its own sign). */
export function groupedSum(terms: string[]): string {
  if (terms.length <= TERMS_PER_GROUP) return terms.join('').replace(/^\+/, '');
  const size = Math.ceil(terms.length / TERMS_PER_GROUP);
  const groups: string[] = [];
  for (let i = 0; i < terms.length; i += size) groups.push(`+(${groupedSum(terms.slice(i, i + size))})`);
  return groupedSum(groups);
}

/** ffmpeg expression of `t` for one coordinate of a span: piecewise linear, even-aligned. */
export function positionExpr(all: { t: number; v: number }[], tol: number): string {
  const points = simplify(all, tol);
  const first = points[0];
  if (!first) throw new RangeError('a span needs at least one keyframe');
  const terms = [num(first.v)];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const d = b.t - a.t;
    if (!(d > 0) || b.v === a.v) continue;
    const slope = (b.v - a.v) / d;
    const shift = a.t >= 0 ? `t-${num(a.t)}` : `t+${num(-a.t)}`;
    terms.push(`${slope < 0 ? '-' : '+'}${num(Math.abs(slope))}*clip(${shift},0,${num(d)})`);
  }
  return `2*floor((${groupedSum(terms)})/2)`;
}

function pixelate(label: string, r: { w: number; h: number }, block: number, across: number, crop: string, out: string, noise = 0): string {
  const b = Math.max(block, Math.ceil(Math.min(r.w, r.h) / across));
  const sw = Math.max(1, Math.round(r.w / b));
  const sh = Math.max(1, Math.round(r.h / b));
  const grain = noise > 0 ? `,noise=c0_strength=${noise}:c0_flags=u:c0_seed=${FACE_NOISE_SEED}` : '';
  return `${label}crop=${crop},scale=${sw}:${sh}:flags=area,scale=${r.w}:${r.h}:flags=bilinear${grain}${out}`;
}

/**
 * The whole redaction graph: every track span and every fixed area pixelated over the input.
 * Output label `[vout]` by default; `[0:v]null[vout]` when there is nothing to redact.
 */
export function trackedBlurGraph(spec: TrackedBlurSpec): string {
  const input = spec.input ?? '[0:v]';
  const output = spec.output ?? '[vout]';
  const tol = spec.tolerancePx ?? 2;
  const ratio = spec.maxSizeRatio ?? 1.5;
  const offset = spec.timeOffset ?? 0;
  const spans = spec.tracks
    .filter((tr) => tr.keyframes.length > 0)
    .flatMap((tr) => splitSpans([...tr.keyframes].sort((a, b) => a.t - b.t), spec.width, spec.height, ratio))
    .map((keys) => toSpan(keys, spec.width, spec.height, offset))
    .filter((s) => s.points[s.points.length - 1]!.t >= 0);
  const fixed: PixelRect[] = spec.regions.map((r) => pixelRect(r, spec.width, spec.height));
  const n = spans.length + fixed.length;
  if (n === 0) return `${input}null${output}`;
  const block = blockSize(spec.height);
  const parts = [`${input}split=${n + 1}[base]${Array.from({ length: n }, (_, i) => `[c${i}]`).join('')}`];
  const overlays: string[] = [];
  spans.forEach((s, i) => {
    const xe = positionExpr(s.points.map((p) => ({ t: p.t, v: p.x })), tol);
    const ye = positionExpr(s.points.map((p) => ({ t: p.t, v: p.y })), tol);
    parts.push(pixelate(`[c${i}]`, s, block, spec.trackBlocksAcross ?? TRACK_BLOCKS_ACROSS, `w=${s.w}:h=${s.h}:x='${xe}':y='${ye}'`, `[r${i}]`, spec.faceNoise ?? FACE_NOISE));
    const start = Math.max(0, s.points[0]!.t);
    const end = s.points[s.points.length - 1]!.t;
    overlays.push(`overlay=x='${xe}':y='${ye}':enable='between(t,${num(start)},${num(end)})'`);
  });
  fixed.forEach((p, j) => {
    const i = spans.length + j;
    parts.push(pixelate(`[c${i}]`, p, block, MAX_BLOCKS_ACROSS, `${p.w}:${p.h}:${p.x}:${p.y}`, `[r${i}]`));
    overlays.push(`overlay=${p.x}:${p.y}`);
  });
  let prev = '[base]';
  overlays.forEach((o, i) => {
    const out = i === n - 1 ? output : `[o${i}]`;
    parts.push(`${prev}[r${i}]${o}${out}`);
    prev = out;
  });
  return parts.join(';');
}

/**
 * Longest graph passed inline on the command line. Linux caps one argv string at 128 KiB
 * (MAX_ARG_STRLEN); a long clip with jittery tracks can exceed that, so such a graph goes to a file.
 */
export const INLINE_GRAPH_LIMIT = 64 * 1024;

/**
 * ffmpeg arguments carrying a filter graph: inline when short, else `-filter_complex_script FILE`
 * with `script` the text the caller writes to FILE first (ffmpeg 5.1+; newer ffmpeg also accepts it).
 */
export function filterGraphArgs(graph: string, scriptFile: string): { args: string[]; script?: string } {
  if (graph.length <= INLINE_GRAPH_LIMIT) return { args: ['-filter_complex', graph] };
  return { args: ['-filter_complex_script', scriptFile], script: graph };
}
