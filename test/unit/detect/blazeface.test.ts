import { describe, expect, it } from 'vitest';
import { decodeBlazeFace } from '../../../src/detect/models/blazeface-onnx.js';

/** Empty head outputs (logit -10 everywhere) with chosen anchors switched on. */
function outputs(on: { head: 0 | 1; cellX: number; cellY: number; anchor: number; logit: number; box: [number, number, number, number] }[]): Record<string, { data: Float32Array }> {
  const s0 = new Float32Array(512).fill(-10);
  const s1 = new Float32Array(384).fill(-10);
  const b0 = new Float32Array(512 * 16);
  const b1 = new Float32Array(384 * 16);
  for (const a of on) {
    const [cells, per, s, b] = a.head === 0 ? [16, 2, s0, b0] : [8, 6, s1, b1];
    const i = (a.cellY * cells + a.cellX) * per + a.anchor;
    s[i] = a.logit;
    b.set(a.box, i * 16);
  }
  return { 'Identity:0': { data: s0 }, 'Identity_1:0': { data: s1 }, 'Identity_2:0': { data: b0 }, 'Identity_3:0': { data: b1 } };
}

describe('BlazeFace decoding', () => {
  it('places a box at its anchor (cell centre) plus the offset, size in input pixels, score = sigmoid(logit)', () => {
    // 16×16 head, cell (4, 8): anchor centre (4.5/16, 8.5/16); offset (+12.8 px, -25.6 px) on a 256 input
    const out = decodeBlazeFace(outputs([{ head: 0, cellX: 4, cellY: 8, anchor: 1, logit: 2, box: [12.8, -25.6, 51.2, 64] }]), 0.5);
    expect(out).toHaveLength(1);
    const [d] = out;
    expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(d!.x + d!.width / 2).toBeCloseTo(4.5 / 16 + 0.05, 6);
    expect(d!.y + d!.height / 2).toBeCloseTo(8.5 / 16 - 0.1, 6);
    expect(d!.width).toBeCloseTo(0.2, 6);
    expect(d!.height).toBeCloseTo(0.25, 6);
  });

  it('reads the 8×8 head with 6 anchors per cell and applies the score threshold', () => {
    const out = decodeBlazeFace(outputs([
      { head: 1, cellX: 7, cellY: 0, anchor: 5, logit: 0.5, box: [0, 0, 32, 32] },
      { head: 1, cellX: 0, cellY: 7, anchor: 0, logit: -1, box: [0, 0, 32, 32] },
    ]), 0.5);
    expect(out).toHaveLength(1);
    expect(out[0]!.x + out[0]!.width / 2).toBeCloseTo(7.5 / 8, 6);
    expect(out[0]!.y + out[0]!.height / 2).toBeCloseTo(0.5 / 8, 6);
  });

  it('ignores boxes without size and reports missing outputs', () => {
    expect(decodeBlazeFace(outputs([{ head: 0, cellX: 0, cellY: 0, anchor: 0, logit: 5, box: [0, 0, 0, 10] }]), 0.5)).toEqual([]);
    expect(() => decodeBlazeFace({}, 0.5)).toThrow(/missing/);
  });
});
