/**
 * The one place that names the models. Anything that stops a model from loading (package not
 * installed, no native binary for this CPU, a corrupt file) becomes AppError DETECT_UNAVAILABLE with
 * the reason, so the daemon raises a problem and carries on without detection.
 */
import { AppError, errorMessage } from '../core/errors.js';
import { BlazeFaceOnnx } from './models/blazeface-onnx.js';
import { NanoDetTfjs } from './models/nanodet-tfjs.js';
import type { FaceDetector, ObjectLabeller } from './types.js';

export interface ModelOptions {
  /** Inference threads per model (onnxruntime intra-op threads, TensorFlow.js WASM threads). */
  threads: number;
  /** Model files other than the packaged ones (a retrained model of the same shape). */
  faceModelFile?: string;
  labelModelFile?: string;
}

export type FaceModelName = 'blazeface';
export type LabelModelName = 'nanodet';

async function guarded<T>(what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new AppError('DETECT_UNAVAILABLE', `${what} could not be loaded: ${errorMessage(err)}`, { arch: process.arch, platform: process.platform });
  }
}

export function loadFaceDetector(opts: ModelOptions, name: FaceModelName = 'blazeface'): Promise<FaceDetector> {
  switch (name) {
    case 'blazeface':
      return guarded('face detector (BlazeFace, onnxruntime-node)', () => BlazeFaceOnnx.load(opts));
  }
}

export function loadObjectLabeller(opts: ModelOptions, name: LabelModelName = 'nanodet'): Promise<ObjectLabeller> {
  switch (name) {
    case 'nanodet':
      return guarded('object labeller (NanoDet, TensorFlow.js WASM)', () => NanoDetTfjs.load(opts));
  }
}
