import { describe, expect, it } from 'vitest';
import { blendOverlaps, iou, letterbox, letterboxFilter, resampleRgb, scaleLetterbox, shrinkRgb, toPicture } from '../../../src/detect/letterbox.js';

describe('letterbox geometry', () => {
  it.each([
    [1920, 1080, 512, { size: 512, contentWidth: 512, contentHeight: 288 }],
    [1080, 1920, 256, { size: 256, contentWidth: 144, contentHeight: 256 }],
    [640, 480, 256, { size: 256, contentWidth: 256, contentHeight: 192 }],
    [256, 256, 256, { size: 256, contentWidth: 256, contentHeight: 256 }],
    // odd results are rounded to even sides (yuv → rgb scalers like them), never to zero
    [1000, 3, 256, { size: 256, contentWidth: 256, contentHeight: 2 }],
  ])('%i×%i into %i', (w, h, size, box) => {
    expect(letterbox(w, h, size)).toEqual(box);
  });

  it('rejects a zero-sized picture', () => {
    expect(() => letterbox(0, 1080, 256)).toThrow(RangeError);
  });

  it('builds the ffmpeg filter and scales down to a smaller model', () => {
    const box = letterbox(1920, 1080, 512);
    expect(letterboxFilter(box)).toBe('scale=512:288:flags=area,pad=512:512:0:0:black');
    expect(scaleLetterbox(box, 256)).toEqual({ size: 256, contentWidth: 256, contentHeight: 144 });
  });

  it('maps a box from the square back to picture fractions, clipping the padding away', () => {
    const box = letterbox(1920, 1080, 256); // picture 256×144 at the top
    expect(toPicture({ x: 0.25, y: 0.125, width: 0.5, height: 0.25, score: 0.9 }, box)).toEqual({ x: 0.25, y: 0.2222222222222222, width: 0.5, height: 0.4444444444444444, score: 0.9 });
    // half in the padding below the picture: clipped to the picture's bottom edge
    const clipped = toPicture({ x: 0.1, y: 0.5, width: 0.1, height: 0.2 }, box)!;
    expect(clipped.y + clipped.height).toBe(1);
    expect(clipped.y).toBeCloseTo(0.8889, 4);
    // wholly in the padding: not a detection at all
    expect(toPicture({ x: 0.1, y: 0.7, width: 0.1, height: 0.1 }, box)).toBeUndefined();
  });
});

describe('shrinkRgb', () => {
  it('averages factor×factor blocks per channel', () => {
    const data = new Uint8Array([
      0, 10, 20, 2, 10, 20, 100, 0, 0, 100, 0, 0,
      4, 10, 20, 6, 10, 21, 100, 0, 0, 100, 0, 255,
    ]);
    const out = shrinkRgb({ data, width: 4, height: 2 }, 2);
    expect(out.width).toBe(2);
    expect(out.height).toBe(1);
    expect([...out.data]).toEqual([3, 10, 20, 100, 0, 64]);
  });

  it('factor 1 is the frame itself; a factor that does not divide is refused', () => {
    const f = { data: new Uint8Array(12), width: 2, height: 2 };
    expect(shrinkRgb(f, 1)).toBe(f);
    expect(() => shrinkRgb({ data: new Uint8Array(27), width: 3, height: 3 }, 2)).toThrow(RangeError);
  });
});

describe('overlaps', () => {
  it('iou of identical, disjoint and half-overlapping boxes', () => {
    const a = { x: 0, y: 0, width: 0.2, height: 0.2 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 0.5, y: 0.5, width: 0.1, height: 0.1 })).toBe(0);
    expect(iou(a, { x: 0.1, y: 0, width: 0.2, height: 0.2 })).toBeCloseTo(1 / 3, 6);
    expect(iou({ x: 0, y: 0, width: 0, height: 0 }, a)).toBe(0);
  });

  it('blends overlapping detections by score and keeps separate ones apart', () => {
    const out = blendOverlaps([
      { x: 0.1, y: 0.1, width: 0.2, height: 0.2, score: 0.6 },
      { x: 0.12, y: 0.1, width: 0.2, height: 0.2, score: 0.9 },
      { x: 0.7, y: 0.7, width: 0.1, height: 0.1, score: 0.5 },
    ], 0.3);
    expect(out).toHaveLength(2);
    expect(out[0]!.score).toBe(0.9);
    expect(out[0]!.x).toBeCloseTo((0.1 * 0.6 + 0.12 * 0.9) / 1.5, 6);
    expect(out[1]).toEqual({ x: 0.7, y: 0.7, width: 0.1, height: 0.1, score: 0.5 });
  });
});

describe('resampleRgb', () => {
  it('averages the covered area: 4×4 → 3×3 keeps a flat colour and the mean of a pattern', () => {
    const flat = { data: new Uint8Array(4 * 4 * 3).fill(200), width: 4, height: 4 };
    expect([...resampleRgb(flat, 3).data]).toEqual(new Array(27).fill(200));
    // Columns 0,255,0,255: the mean over the frame stays 127.5 (within rounding).
    const stripes = { data: new Uint8Array(4 * 4 * 3).map((_, i) => (Math.floor(i / 3) % 2 ? 255 : 0)), width: 4, height: 4 };
    const out = resampleRgb(stripes, 3).data;
    const mean = out.reduce((s, v) => s + v, 0) / out.length;
    expect(Math.abs(mean - 127.5)).toBeLessThan(1.5);
    expect(resampleRgb(flat, 4)).toBe(flat);
    expect(() => resampleRgb(flat, 5)).toThrow(RangeError);
  });
});
