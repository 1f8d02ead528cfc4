/**
 * One clip's analysis, in-process: decode once at the higher of the two rates, run the face
 * detector on the frames of the face schedule and the labeller on the frames of the label
 * schedule, link faces into tracks. The worker (worker.ts) runs this off the daemon's event loop.
 */
import { probeFile } from '../media/probe.js';
import { mergeLabelScores } from './labels.js';
import { letterbox, resampleRgb, scaleLetterbox, shrinkRgb } from './letterbox.js';
import { readFrames } from './frames.js';
import { buildTracks, DEFAULT_TRACKER, type FrameFaces } from './tracker.js';
import type { Analysis, FaceDetector, LabelScores, ObjectLabeller, VerifyFinding } from './types.js';

export interface AnalyseOptions {
  faceFps: number;
  /** 0 = no labels. */
  labelFps: number;
  threads: number;
  /** Detections below this score are not tracked. */
  faceMinScore?: number;
  labelMinScore?: number;
  /** Longest clip analysed; frames past it are not decoded. */
  maxSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface Models {
  face: FaceDetector;
  labeller: ObjectLabeller | null;
}

export const DEFAULT_FACE_MIN_SCORE = 0.4;
export const DEFAULT_LABEL_MIN_SCORE = 0.3;
const DEFAULT_MAX_SECONDS = 3_600;

/** Whether frame k of a decode at `decodeFps` starts a new slot of a schedule at `fps`. */
export function onSchedule(k: number, decodeFps: number, fps: number): boolean {
  if (fps <= 0) return false;
  if (fps >= decodeFps || k === 0) return true;
  return Math.floor((k * fps) / decodeFps) !== Math.floor(((k - 1) * fps) / decodeFps);
}

export async function analyseClip(file: string, models: Models, opts: AnalyseOptions): Promise<Analysis> {
  const info = await probeFile(file, { signal: opts.signal });
  const labeller = opts.labelFps > 0 ? models.labeller : null;
  const decodeFps = Math.max(opts.faceFps, labeller ? opts.labelFps : 0);
  // Decode at the smallest multiple of the face model's size that holds the labeller's input: the
  // face detector (every analysed frame) gets an exact box-filter shrink, the labeller (about one
  // frame a second) an area-average resample when its size is not that multiple (NanoDet: 512 → 416).
  const faceSize = models.face.inputSize;
  const decodeSize = faceSize * Math.max(1, Math.ceil((labeller?.inputSize ?? 0) / faceSize));
  const box = letterbox(info.width, info.height, decodeSize);
  const faceBox = scaleLetterbox(box, faceSize);
  const faceShrink = decodeSize / faceSize;
  const labelBox = labeller ? scaleLetterbox(box, labeller.inputSize) : box;
  const durationSec = info.durationMs / 1000;
  const maxSeconds = Math.min(durationSec, opts.maxSeconds ?? DEFAULT_MAX_SECONDS);
  const faceFrames: FrameFaces[] = [];
  const labels: LabelScores = {};
  let labelFrames = 0;
  let lastReported = -1;
  for await (const { index, t, frame } of readFrames({
    file, fps: decodeFps, letterbox: box, threads: opts.threads, signal: opts.signal,
    maxFrames: Math.ceil(maxSeconds * decodeFps) + 1,
  })) {
    if (onSchedule(index, decodeFps, opts.faceFps)) {
      const small = shrinkRgb(frame, faceShrink);
      faceFrames.push({ t, faces: await models.face.detect(small, faceBox, opts.faceMinScore ?? DEFAULT_FACE_MIN_SCORE) });
    }
    if (labeller && onSchedule(index, decodeFps, opts.labelFps)) {
      mergeLabelScores(labels, await labeller.label(resampleRgb(frame, labeller.inputSize), labelBox, opts.labelMinScore ?? DEFAULT_LABEL_MIN_SCORE));
      labelFrames++;
    }
    const pct = Math.floor((t / Math.max(maxSeconds, 1e-3)) * 100);
    if (opts.onProgress && pct > lastReported) {
      lastReported = pct;
      opts.onProgress(Math.min(1, pct / 100));
    }
  }
  return {
    version: 1,
    models: { face: models.face.id, labels: labeller?.id ?? null },
    faceFps: opts.faceFps,
    labelFps: labeller ? opts.labelFps : 0,
    durationSec,
    width: info.width,
    height: info.height,
    tracks: buildTracks(faceFrames, { ...DEFAULT_TRACKER, fps: opts.faceFps }),
    labels,
    frames: { face: faceFrames.length, label: labelFrames },
    analysedAt: new Date().toISOString(),
  };
}

export interface VerifyOptions {
  fps: number;
  threshold: number;
  threads: number;
  maxSeconds?: number;
  signal?: AbortSignal;
}

/** Every face the detector still finds at ≥ threshold in a file (the redacted export), with its time. */
export async function verifyFile(file: string, face: FaceDetector, opts: VerifyOptions): Promise<VerifyFinding[]> {
  const info = await probeFile(file, { signal: opts.signal });
  const box = letterbox(info.width, info.height, face.inputSize);
  const maxSeconds = Math.min(info.durationMs / 1000, opts.maxSeconds ?? DEFAULT_MAX_SECONDS);
  const found: VerifyFinding[] = [];
  for await (const { t, frame } of readFrames({
    file, fps: opts.fps, letterbox: box, threads: opts.threads, signal: opts.signal,
    maxFrames: Math.ceil(maxSeconds * opts.fps) + 1,
  })) {
    for (const f of await face.detect(frame, box, opts.threshold)) found.push({ ...f, t: Math.round(t * 1000) / 1000 });
  }
  return found;
}
