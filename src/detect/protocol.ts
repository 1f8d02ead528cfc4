/**
 * Messages between the Analyzer (daemon side) and the analysis worker (child process), over the
 * fork IPC channel as JSON. One job at a time; every job ends in exactly one result or error.
 */
import type { ErrorCode } from '../core/errors.js';
import type { Analysis, VerifyFinding } from './types.js';

/** Fixed for the worker's life; passed as its single argv argument (JSON). */
export interface WorkerConfig {
  threads: number;
  /** false: faces only, the object labeller is never loaded. */
  labels: boolean;
  faceModelFile?: string;
  labelModelFile?: string;
}

export type ToWorker =
  | { type: 'analyse'; id: number; clipFile: string; faceFps: number; labelFps: number; maxSeconds?: number }
  | { type: 'verify'; id: number; file: string; fps: number; threshold: number; maxSeconds?: number }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'analysed'; id: number; analysis: Analysis; file: string }
  | { type: 'verified'; id: number; findings: VerifyFinding[] }
  | { type: 'error'; id: number; code: ErrorCode; message: string };

export function parseWorkerConfig(arg: string | undefined): WorkerConfig {
  const raw = JSON.parse(arg ?? '{}') as Partial<WorkerConfig>;
  const threads = Number(raw.threads);
  return {
    threads: Number.isInteger(threads) && threads >= 1 && threads <= 64 ? threads : 1,
    labels: raw.labels !== false,
    ...(typeof raw.faceModelFile === 'string' ? { faceModelFile: raw.faceModelFile } : {}),
    ...(typeof raw.labelModelFile === 'string' ? { labelModelFile: raw.labelModelFile } : {}),
  };
}
