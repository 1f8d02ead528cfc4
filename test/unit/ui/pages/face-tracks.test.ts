// Where the approve dialog draws a face track's box at a given video time.
import { describe, expect, it } from 'vitest';
import { boxAt } from '../../../../src/ui/pages/face-tracks.js';

const k = (t: number, x: number) => ({ t, x, y: 0.2, width: 0.1, height: 0.1 });

describe('boxAt', () => {
  const keys = [k(1, 0.1), k(1.1, 0.2), k(1.2, 0.4), k(3, 0.5)];
  it.each([
    [0.5, null], // before the face appears
    [0.96, 0.1], // within half a frame of the first keyframe
    [1.05, 0.15],
    [1.15, 0.3],
    [1.2, 0.4],
    [2.0, null], // a long gap: the face was not there
    [2.97, 0.5],
    [3.04, 0.5],
    [3.5, null],
  ])('t=%s → x=%s', (t, x) => {
    const b = boxAt(keys, t, 10);
    if (x === null) expect(b).toBeNull();
    else expect(b?.x).toBeCloseTo(x, 6);
  });
  it('no keyframes, no box', () => {
    expect(boxAt([], 1)).toBeNull();
  });
});
