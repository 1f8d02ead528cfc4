/**
 * A clip's analysis lives next to it as `<id>.analysis.json`, written to a hidden temp name,
 * fsynced, renamed, and the directory fsynced (invariant 4). Reading is strict: a missing, partial,
 * unparsable or foreign-version file is "not analysed" and the clip gets analysed again; a file is
 * never half-visible because only a complete one is ever renamed into place.
 */
import { readFileSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isDurableTemp, removeIfExists, writeFileDurable } from '../core/durable.js';
import { OBJECT_LABELS, type Analysis } from './types.js';

/** Largest analysis file read back (a 1-hour clip with a dozen faces is well under 10 MB). */
const MAX_BYTES = 32 * 1024 * 1024;

const fraction = z.number().min(0).max(1);
const keyframe = z.strictObject({ t: z.number().min(0), x: fraction, y: fraction, width: fraction, height: fraction });
const track = z.strictObject({
  id: z.number().int().positive(),
  kind: z.literal('face'),
  keyframes: z.array(keyframe).min(1),
  scoreMax: fraction,
  scoreMean: fraction,
});

export const analysisSchema = z.strictObject({
  version: z.literal(1),
  models: z.strictObject({ face: z.string().min(1), labels: z.string().min(1).nullable() }),
  faceFps: z.number().positive(),
  labelFps: z.number().min(0),
  durationSec: z.number().min(0),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  tracks: z.array(track),
  labels: z.partialRecord(z.enum(OBJECT_LABELS as [string, ...string[]]), fraction),
  frames: z.strictObject({ face: z.number().int().min(0), label: z.number().int().min(0) }),
  analysedAt: z.iso.datetime(),
});

/** `…/<id>.mp4` → `…/<id>.analysis.json`. */
export function analysisPath(clipFile: string): string {
  const ext = path.extname(clipFile);
  return path.join(path.dirname(clipFile), `${path.basename(clipFile, ext)}.analysis.json`);
}

export async function writeAnalysis(clipFile: string, analysis: Analysis): Promise<string> {
  const target = analysisPath(clipFile);
  await writeFileDurable(target, JSON.stringify(analysis));
  return target;
}

/** The stored analysis, or null when there is none usable (then: analyse again). */
export async function readAnalysis(clipFile: string): Promise<Analysis | null> {
  const file = analysisPath(clipFile);
  try {
    if ((await stat(file)).size > MAX_BYTES) return null;
    const parsed = analysisSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    // Missing (ENOENT), unreadable or not JSON: all mean "not analysed".
    return null;
  }
}

/** readAnalysis for a synchronous caller (the review service's approval transaction); same rules. */
export function readAnalysisSync(clipFile: string): Analysis | null {
  const file = analysisPath(clipFile);
  try {
    if (statSync(file).size > MAX_BYTES) return null;
    const parsed = analysisSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function deleteAnalysis(clipFile: string): Promise<void> {
  await removeIfExists(analysisPath(clipFile));
}

/** Temp files a killed writer left behind for this clip (never visible as an analysis; just litter). */
export async function removeStaleTemps(clipFile: string): Promise<void> {
  const target = analysisPath(clipFile);
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith(prefix) && isDurableTemp(n)).map((n) => removeIfExists(path.join(dir, n))));
}
