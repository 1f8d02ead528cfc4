// SSIM on luma planes, block-wise (8×8, non-overlapping), restricted to parts of the frame: the mean
// over blocks lying inside a box, or over blocks touching none of a set of boxes. Boxes in fractions.
import type { Box } from '../../src/detect/types.js';

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;
const B = 8;

function blockSsim(a: Uint8Array, b: Uint8Array, width: number, x0: number, y0: number): number {
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let y = y0; y < y0 + B; y++) {
    for (let x = x0; x < x0 + B; x++) {
      const va = a[y * width + x]!;
      const vb = b[y * width + x]!;
      sa += va;
      sb += vb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
    }
  }
  const n = B * B;
  const ma = sa / n;
  const mb = sb / n;
  const va = saa / n - ma * ma;
  const vb = sbb / n - mb * mb;
  const cov = sab / n - ma * mb;
  return ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
}

function pixels(b: Box, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: b.x * width, y0: b.y * height, x1: (b.x + b.width) * width, y1: (b.y + b.height) * height };
}

/** Mean SSIM over the 8×8 blocks fully inside `box` (NaN when none is). */
export function ssimInside(a: Uint8Array, b: Uint8Array, width: number, height: number, box: Box): number {
  const p = pixels(box, width, height);
  let sum = 0;
  let n = 0;
  for (let y = Math.ceil(p.y0 / B) * B; y + B <= Math.min(p.y1, height); y += B) {
    for (let x = Math.ceil(p.x0 / B) * B; x + B <= Math.min(p.x1, width); x += B) {
      sum += blockSsim(a, b, width, x, y);
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

/** Mean SSIM over the 8×8 blocks that touch none of `exclude`. */
export function ssimOutside(a: Uint8Array, b: Uint8Array, width: number, height: number, exclude: Box[]): number {
  const ps = exclude.map((e) => pixels(e, width, height));
  let sum = 0;
  let n = 0;
  for (let y = 0; y + B <= height; y += B) {
    for (let x = 0; x + B <= width; x += B) {
      if (ps.some((p) => x < p.x1 && x + B > p.x0 && y < p.y1 && y + B > p.y0)) continue;
      sum += blockSsim(a, b, width, x, y);
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}
