/**
 * The detection engine's vocabulary. Every model sits behind FaceDetector or ObjectLabeller, so a
 * model can be swapped by writing one file in detect/models/ and naming it in loader.ts.
 *
 * Boxes are fractions of the analysed frame (0..1, top-left origin), never model pixels: each model
 * maps its own input geometry back (see letterbox.ts) before a box leaves it.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ScoredBox extends Box {
  score: number;
}

/** One decoded frame, RGB24, row-major, `width * height * 3` bytes. */
export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Where the picture lies inside a model-sized square frame (letterboxed, top-left aligned). */
export interface Letterbox {
  /** Side of the square input in pixels. */
  size: number;
  /** Width and height of the picture inside it; the rest is black padding. */
  contentWidth: number;
  contentHeight: number;
}

export interface FaceDetector {
  /** Stable id of the model, stored in each analysis ("blazeface-back-256@1.2.0"). */
  readonly id: string;
  /** Square input side the detector wants; the frame source decodes to a multiple of it. */
  readonly inputSize: number;
  /** Faces in a letterboxed RGB frame, boxes in fractions of the picture (not of the padded square). */
  detect(frame: RgbFrame, box: Letterbox, minScore: number): Promise<ScoredBox[]>;
  close(): Promise<void>;
}

export type ObjectLabel = 'person' | 'vehicle' | 'animal' | 'other';
export const OBJECT_LABELS: readonly ObjectLabel[] = ['person', 'vehicle', 'animal', 'other'];

export interface LabelDetection {
  label: ObjectLabel;
  /** The model's own class name ("car", "dog"), for logs and tests. */
  className: string;
  score: number;
  box: Box;
}

export interface ObjectLabeller {
  readonly id: string;
  readonly inputSize: number;
  label(frame: RgbFrame, box: Letterbox, minScore: number): Promise<LabelDetection[]>;
  close(): Promise<void>;
}

/** A face track's position at one analysed instant; t is seconds from the clip's first frame. */
export interface Keyframe extends Box {
  t: number;
}

export interface Track {
  id: number;
  kind: 'face';
  keyframes: Keyframe[];
  scoreMax: number;
  scoreMean: number;
}

/** Best score per label over the clip; a label never seen is absent. */
export type LabelScores = Partial<Record<ObjectLabel, number>>;

export interface Analysis {
  version: 1;
  models: { face: string; labels: string | null };
  faceFps: number;
  labelFps: number;
  durationSec: number;
  width: number;
  height: number;
  /** Face tracks: smoothed and padded boxes, one keyframe per analysed frame. */
  tracks: Track[];
  labels: LabelScores;
  /** Frames the face detector ran on and frames the labeller ran on. */
  frames: { face: number; label: number };
  analysedAt: string;
}

/** A face the verification pass found in a (redacted) file. */
export interface VerifyFinding extends ScoredBox {
  t: number;
}
