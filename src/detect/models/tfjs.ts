/**
 * TensorFlow.js on its WebAssembly backend (CPU, no native build) for the graph models that ship
 * as TF.js files inside npm packages: the backend once per process, models read from local files
 * (TensorFlow.js's own loader would fetch URLs). The .wasm files come from the package, never a URL.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import type * as TfCore from '@tensorflow/tfjs-core';
import { packageDir } from './package-dir.js';

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  weightsManifest: { paths: string[]; weights: TfCore.io.WeightsManifestEntry[] }[];
}

let backendReady: Promise<typeof TfCore> | undefined;

export async function tfWasm(threads: number): Promise<typeof TfCore> {
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

/** A graph model from its model.json and the weight files next to it. */
export async function loadGraph(tf: typeof TfCore, jsonFile: string): Promise<TfConverter.GraphModel> {
  const tfc = await import('@tensorflow/tfjs-converter');
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
