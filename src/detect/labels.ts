/**
 * Clip labels from an object detector trained on COCO's 80 classes. The mapping below is the whole
 * rule (README "Detection models and licences" repeats it):
 *
 *   person  ← person
 *   vehicle ← bicycle, car, motorcycle, airplane, bus, train, truck, boat
 *   animal  ← bird, cat, dog, horse, sheep, cow, elephant, bear, zebra, giraffe
 *   other   ← every other COCO class (furniture, bags, bottles, traffic lights...)
 *
 * A clip's labels are the best score per label over all analysed frames.
 */
import type { LabelDetection, LabelScores, ObjectLabel } from './types.js';

/** COCO class names in the order of the 80 contiguous training ids (0 = person). */
export const COCO_CLASSES = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
] as const;

const VEHICLES = new Set<string>(['bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat']);
const ANIMALS = new Set<string>(['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe']);

/** clipgate's label for a COCO class name; unknown names are 'other'. */
export function labelOfCocoClass(name: string): ObjectLabel {
  if (name === 'person') return 'person';
  if (VEHICLES.has(name)) return 'vehicle';
  if (ANIMALS.has(name)) return 'animal';
  return 'other';
}

/** Name of a contiguous COCO id (0..79), or undefined for an id outside the table. */
export function cocoClassName(id: number): string | undefined {
  return Number.isInteger(id) ? COCO_CLASSES[id] : undefined;
}

/** Fold one frame's detections into the clip's best-score-per-label table (mutates and returns it). */
export function mergeLabelScores(scores: LabelScores, detections: LabelDetection[]): LabelScores {
  for (const d of detections) {
    const prev = scores[d.label];
    if (prev === undefined || d.score > prev) scores[d.label] = Math.round(d.score * 1000) / 1000;
  }
  return scores;
}
