/**
 * Aspect handling, explicit and in one place. A frame of any shape is scaled (aspect kept) to fit a
 * square model input and laid at its top-left corner; the rest is black. Boxes found in the square
 * are mapped back to fractions of the picture with toPicture(). Pure functions, table-tested.
 */
import type { Box, Letterbox, RgbFrame, ScoredBox } from './types.js';

/** Geometry of a w×h picture letterboxed into a size×size square (even content sides, at least 2 px). */
export function letterbox(width: number, height: number, size: number): Letterbox {
  if (!(width > 0 && height > 0 && size > 0)) throw new RangeError(`bad letterbox ${width}x${height} into ${size}`);
  const scale = Math.min(size / width, size / height);
  const even = (v: number): number => Math.max(2, Math.min(size, Math.round(v / 2) * 2));
  return { size, contentWidth: even(width * scale), contentHeight: even(height * scale) };
}

/** ffmpeg filter that letterboxes the picture into the square (area scaling: no aliasing on downscale). */
export function letterboxFilter(box: Letterbox): string {
  return `scale=${box.contentWidth}:${box.contentHeight}:flags=area,pad=${box.size}:${box.size}:0:0:black`;
}

/** The same letterbox for a smaller square (an integer fraction of the decoded one). */
export function scaleLetterbox(box: Letterbox, size: number): Letterbox {
  const f = size / box.size;
  return { size, contentWidth: box.contentWidth * f, contentHeight: box.contentHeight * f };
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/**
 * A box in fractions of the square model input → fractions of the picture, clipped to it.
 * Returns undefined when nothing of the box lies on the picture (a detection in the padding).
 */
export function toPicture<T extends Box>(b: T, box: Letterbox): T | undefined {
  const sx = box.size / box.contentWidth;
  const sy = box.size / box.contentHeight;
  const x0 = clamp01(b.x * sx);
  const y0 = clamp01(b.y * sy);
  const x1 = clamp01((b.x + b.width) * sx);
  const y1 = clamp01((b.y + b.height) * sy);
  if (x1 - x0 <= 0 || y1 - y0 <= 0) return undefined;
  return { ...b, x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Integer box-filter downscale of a square RGB frame (512 → 256 averages 2×2 blocks). */
export function shrinkRgb(frame: RgbFrame, factor: number): RgbFrame {
  if (factor === 1) return frame;
  if (!Number.isInteger(factor) || factor < 1 || frame.width % factor !== 0 || frame.height % factor !== 0) {
    throw new RangeError(`cannot shrink ${frame.width}x${frame.height} by ${factor}`);
  }
  const w = frame.width / factor;
  const h = frame.height / factor;
  const out = new Uint8Array(w * h * 3);
  const src = frame.data;
  const stride = frame.width * 3;
  const n = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let i = (y * factor + dy) * stride + x * factor * 3;
        for (let dx = 0; dx < factor; dx++, i += 3) {
          r += src[i]!;
          g += src[i + 1]!;
          b += src[i + 2]!;
        }
      }
      const o = (y * w + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * Area-average resampling of a square RGB frame to a smaller square of any size (512 → 416 for a
 * model whose input is not an integer fraction of the decoded frame): each output pixel is the mean
 * of the source area it covers, partial pixels weighted by their covered fraction. Separable.
 */
export function resampleRgb(frame: RgbFrame, size: number): RgbFrame {
  if (size === frame.width && size === frame.height) return frame;
  if (!(size > 0 && size <= frame.width && size <= frame.height) || !Number.isInteger(size)) {
    throw new RangeError(`cannot resample ${frame.width}x${frame.height} to ${size}`);
  }
  const weights = (from: number): { start: number; w: number[] }[] => {
    const k = from / size;
    return Array.from({ length: size }, (_, o) => {
      const a = o * k;
      const b = a + k;
      const start = Math.floor(a);
      const w: number[] = [];
      for (let s = start; s < Math.min(from, Math.ceil(b)); s++) w.push((Math.min(b, s + 1) - Math.max(a, s)) / k);
      return { start, w };
    });
  };
  const wx = weights(frame.width);
  const wy = weights(frame.height);
  // Horizontal pass: height × size, floats.
  const tmp = new Float32Array(frame.height * size * 3);
  const src = frame.data;
  for (let y = 0; y < frame.height; y++) {
    const row = y * frame.width * 3;
    for (let x = 0; x < size; x++) {
      const { start, w } = wx[x]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < w.length; j++) {
        const i = row + (start + j) * 3;
        r += src[i]! * w[j]!;
        g += src[i + 1]! * w[j]!;
        b += src[i + 2]! * w[j]!;
      }
      const o = (y * size + x) * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const { start, w } = wy[y]!;
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < w.length; j++) {
        const i = ((start + j) * size + x) * 3;
        r += tmp[i]! * w[j]!;
        g += tmp[i + 1]! * w[j]!;
        b += tmp[i + 2]! * w[j]!;
      }
      const o = (y * size + x) * 3;
      out[o] = Math.min(255, Math.round(r));
      out[o + 1] = Math.min(255, Math.round(g));
      out[o + 2] = Math.min(255, Math.round(b));
    }
  }
  return { data: out, width: size, height: size };
}

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Overlap removal that blends rather than drops: each group of boxes overlapping the best one by
 * IoU ≥ threshold becomes their score-weighted mean with the group's best score (BlazeFace's own
 * post-processing does the same; it steadies boxes from frame to frame). Input order is irrelevant.
 */
export function blendOverlaps(boxes: ScoredBox[], threshold: number): ScoredBox[] {
  const rest = [...boxes].sort((a, b) => b.score - a.score);
  const out: ScoredBox[] = [];
  while (rest.length > 0) {
    const best = rest[0]!;
    const group = rest.filter((b) => iou(best, b) >= threshold);
    const left = rest.filter((b) => iou(best, b) < threshold);
    const total = group.reduce((s, b) => s + b.score, 0);
    const mean = (k: keyof Box): number => group.reduce((s, b) => s + b[k] * b.score, 0) / total;
    out.push({ x: mean('x'), y: mean('y'), width: mean('width'), height: mean('height'), score: best.score });
    rest.splice(0, rest.length, ...left);
  }
  return out;
}
