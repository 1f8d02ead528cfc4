import { describe, expect, it } from 'vitest';
import { COCO_CLASSES, cocoClassName, labelOfCocoClass, mergeLabelScores } from '../../../src/detect/labels.js';
import { decodeNanoDet, NANODET_BINS, type NanoDetHead } from '../../../src/detect/models/nanodet-tfjs.js';

describe('COCO class → clip label', () => {
  it.each([
    ['person', 'person'],
    ['car', 'vehicle'], ['bicycle', 'vehicle'], ['motorcycle', 'vehicle'], ['bus', 'vehicle'], ['truck', 'vehicle'], ['train', 'vehicle'], ['boat', 'vehicle'], ['airplane', 'vehicle'],
    ['cat', 'animal'], ['dog', 'animal'], ['bird', 'animal'], ['horse', 'animal'], ['bear', 'animal'],
    ['chair', 'other'], ['traffic light', 'other'], ['backpack', 'other'], ['no such class', 'other'],
  ])('%s → %s', (name, label) => {
    expect(labelOfCocoClass(name)).toBe(label);
  });

  it('has the 80 contiguous COCO ids, person first', () => {
    expect(COCO_CLASSES).toHaveLength(80);
    expect(cocoClassName(0)).toBe('person');
    expect(cocoClassName(2)).toBe('car');
    expect(cocoClassName(16)).toBe('dog');
    expect(cocoClassName(79)).toBe('toothbrush');
    expect(cocoClassName(80)).toBeUndefined();
    expect(cocoClassName(-1)).toBeUndefined();
    expect(cocoClassName(1.5)).toBeUndefined();
    expect(cocoClassName(NaN)).toBeUndefined();
  });

  it('keeps the best score per label, rounded to 3 decimals', () => {
    const box = { x: 0, y: 0, width: 1, height: 1 };
    const scores = mergeLabelScores({}, [{ label: 'person', className: 'person', score: 0.61234, box }, { label: 'vehicle', className: 'car', score: 0.4, box }]);
    mergeLabelScores(scores, [{ label: 'person', className: 'person', score: 0.5, box }, { label: 'vehicle', className: 'truck', score: 0.7, box }]);
    expect(scores).toEqual({ person: 0.612, vehicle: 0.7 });
  });
});

/** Heads of a 64×64 input (strides 8, 16, 32: 8², 4², 2² cells), all scores 0 and flat box distributions. */
function heads(): NanoDetHead[] {
  return [8, 16, 32].map((stride) => {
    const cells = (64 / stride) ** 2;
    return { stride, scores: new Float32Array(cells * 80), boxes: new Float32Array(cells * 4 * NANODET_BINS) };
  });
}

/** One side's distribution peaked at `bin` strides (a large logit there, the rest 0). */
function side(h: NanoDetHead, cell: number, q: number, bin: number): void {
  h.boxes.fill(0, (cell * 4 + q) * NANODET_BINS, (cell * 4 + q + 1) * NANODET_BINS);
  h.boxes[(cell * 4 + q) * NANODET_BINS + bin] = 40;
}

describe('NanoDet head outputs', () => {
  it('decodes scores and side distributions around the cell centre, drops low scores, NMS per class only', () => {
    const hs = heads();
    const h8 = hs[0]!;
    // Cell (2, 1) of stride 8: centre (20, 12). Person 0.8 with sides 1, 1, 2, 3 strides → box (12, 4)–(36, 36).
    const cell = 1 * 8 + 2;
    h8.scores[cell * 80 + 0] = 0.8;
    h8.scores[cell * 80 + 16] = 0.55; // a dog in the same place: another class, kept
    h8.scores[cell * 80 + 2] = 0.1; // below the threshold
    [1, 1, 2, 3].forEach((bin, q) => side(h8, cell, q, bin));
    // The neighbouring cell sees the same person, less sure: suppressed by NMS.
    const next = cell + 1;
    h8.scores[next * 80 + 0] = 0.6;
    [2, 1, 1, 3].forEach((bin, q) => side(h8, next, q, bin));
    const out = decodeNanoDet(hs, 0.3, 64);
    expect(out.map((d) => [d.className, d.label, Number(d.score.toFixed(2))])).toEqual([['person', 'person', 0.8], ['dog', 'animal', 0.55]]);
    const b = out[0]!.box;
    expect([b.x * 64, b.y * 64, (b.x + b.width) * 64, (b.y + b.height) * 64].map((v) => Math.round(v * 100) / 100)).toEqual([12, 4, 36, 36]);
  });

  it('a flat distribution means the middle distance; boxes are clipped to the input', () => {
    const hs = heads();
    const h32 = hs[2]!;
    h32.scores[0] = 0.9; // cell (0, 0) of stride 32: centre (16, 16), every side 5 strides (160 px) → clipped to the 64 px input
    const [d] = decodeNanoDet(hs, 0.5, 64);
    expect(d?.box).toEqual({ x: 0, y: 0, width: 1, height: 1 });
  });

  it('refuses heads of the wrong shape', () => {
    const hs = heads();
    hs[1] = { ...hs[1]!, scores: new Float32Array(3) };
    expect(() => decodeNanoDet(hs, 0.5, 64)).toThrow(/wrong shape/);
  });
});
