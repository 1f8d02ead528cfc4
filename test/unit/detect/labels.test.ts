import { describe, expect, it } from 'vitest';
import { COCO_CLASSES, cocoClassName, labelOfCocoClass, mergeLabelScores } from '../../../src/detect/labels.js';
import { decodeCenterNet } from '../../../src/detect/models/centernet-tfjs.js';

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

describe('CenterNet output rows', () => {
  it('decodes (x1, y1, x2, y2, score, class) rows, drops low scores, bad ids and empty boxes, NMS per class', () => {
    const rows = new Float32Array([
      51.2, 102.4, 256, 409.6, 0.8, 0, // person
      56, 100, 250, 400, 0.6, 0, // same person, lower score → suppressed
      56, 100, 250, 400, 0.55, 16, // a dog in the same place: another class, kept
      0, 0, 10, 10, 0.1, 2, // below the threshold
      0, 0, 10, 10, 0.9, 95, // not a COCO id
      10, 10, 10, 20, 0.9, 2, // empty box
    ]);
    const out = decodeCenterNet(rows, 0.3);
    expect(out.map((d) => [d.className, d.label, Number(d.score.toFixed(2))])).toEqual([['person', 'person', 0.8], ['dog', 'animal', 0.55]]);
    expect(out[0]!.box.x).toBeCloseTo(0.1, 5);
    expect(out[0]!.box.y).toBeCloseTo(0.2, 5);
    expect(out[0]!.box.width).toBeCloseTo(0.4, 5);
    expect(out[0]!.box.height).toBeCloseTo(0.6, 5);
  });
});
