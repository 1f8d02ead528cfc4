/**
 * Labels: CenterNet with a MobileNet-v3 backbone, trained on COCO (80 classes), 512×512 input, as
 * the TensorFlow.js graph model shipped inside the npm package @vladmandic/human (models/centernet.*),
 * run by TensorFlow.js on its WebAssembly backend (@tensorflow/tfjs-backend-wasm, CPU, no native
 * build). Only the model files are used from @vladmandic/human, never its code.
 *
 * The graph decodes its own heat map: output `tower_0/detections` is [1, 100, 6] with rows
 * (x1, y1, x2, y2 in input pixels, score, contiguous COCO id). Input is RGB 0..255, NHWC.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import { cocoClassName, labelOfCocoClass } from '../labels.js';
import { iou, toPicture } from '../letterbox.js';
import { packageDir, packageVersion } from './package-dir.js';
import type { LabelDetection, Letterbox, ObjectLabeller, RgbFrame } from '../types.js';

const PACKAGE = '@vladmandic/human';
const SIZE = 512;
const OUTPUT = 'tower_0/detections';
const NMS_IOU = 0.5;

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  weightsManifest: { paths: string[]; weights: TfCore.io.WeightsManifestEntry[] }[];
}

export function centerNetModelPath(): string {
  return path.join(packageDir(PACKAGE), 'models', 'centernet.json');
}

let backendReady: Promise<typeof TfCore> | undefined;

/** TensorFlow.js with the WASM backend, loaded once per process; .wasm files come from the package, never a URL. */
async function tfWasm(threads: number): Promise<typeof TfCore> {
  backendReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + path.sep);
    // Counts above 1 only take effect with the threaded WASM build (SharedArrayBuffer + workers).
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js WASM backend did not initialise');
    await tf.ready();
    return tf;
  })();
  return backendReady;
}

/** Read a graph model from local files (TensorFlow.js's own loader would fetch URLs). */
async function loadGraph(tfc: typeof TfConverter, tf: typeof TfCore, jsonFile: string): Promise<TfConverter.GraphModel> {
  const json = JSON.parse(await readFile(jsonFile, 'utf8')) as ModelJson;
  const dir = path.dirname(jsonFile);
  const weights = await Promise.all(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFile(path.join(dir, path.basename(p))))));
  const all = Buffer.concat(weights);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tfc.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology as object,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    signature: json.signature as object,
  }));
}

/** Rows of the detections tensor → labelled boxes in fractions of the square input, per-class NMS applied. */
export function decodeCenterNet(rows: Float32Array, minScore: number): LabelDetection[] {
  const found: LabelDetection[] = [];
  for (let o = 0; o + 6 <= rows.length; o += 6) {
    const score = rows[o + 4]!;
    if (!(score >= minScore)) continue;
    const className = cocoClassName(rows[o + 5]!);
    if (!className) continue;
    const x1 = rows[o]! / SIZE;
    const y1 = rows[o + 1]! / SIZE;
    const x2 = rows[o + 2]! / SIZE;
    const y2 = rows[o + 3]! / SIZE;
    if (!(x2 > x1 && y2 > y1)) continue;
    found.push({ label: labelOfCocoClass(className), className, score, box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 } });
  }
  found.sort((a, b) => b.score - a.score);
  const kept: LabelDetection[] = [];
  for (const d of found) {
    if (!kept.some((k) => k.className === d.className && iou(k.box, d.box) >= NMS_IOU)) kept.push(d);
  }
  return kept;
}

export class CenterNetTfjs implements ObjectLabeller {
  readonly inputSize = SIZE;
  private readonly input = new Float32Array(SIZE * SIZE * 3);

  private constructor(
    private readonly tf: typeof TfCore,
    private readonly model: TfConverter.GraphModel,
    readonly id: string,
  ) {}

  static async load(opts: { threads: number; labelModelFile?: string }): Promise<CenterNetTfjs> {
    const tf = await tfWasm(opts.threads);
    const tfc = await import('@tensorflow/tfjs-converter');
    const model = await loadGraph(tfc, tf, opts.labelModelFile ?? centerNetModelPath());
    return new CenterNetTfjs(tf, model, `centernet-mbv3-512@human-${packageVersion(PACKAGE)}`);
  }

  async label(frame: RgbFrame, box: Letterbox, minScore: number): Promise<LabelDetection[]> {
    if (frame.width !== SIZE || frame.height !== SIZE) throw new RangeError(`CenterNet wants ${SIZE}x${SIZE}, got ${frame.width}x${frame.height}`);
    for (let i = 0; i < this.input.length; i++) this.input[i] = frame.data[i]!;
    const input = this.tf.tensor4d(this.input, [1, SIZE, SIZE, 3]);
    let output: TfCore.Tensor | undefined;
    try {
      output = this.model.execute(input, OUTPUT) as TfCore.Tensor;
      const rows = (await output.data()) as Float32Array;
      return decodeCenterNet(rows, minScore).flatMap((d) => {
        const b = toPicture(d.box, box);
        return b ? [{ ...d, box: b }] : [];
      });
    } finally {
      this.tf.dispose([input, ...(output ? [output] : [])]);
    }
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}
