import { statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analysisPath, deleteAnalysis, readAnalysis, removeStaleTemps, writeAnalysis } from '../../../src/detect/store.js';
import type { Analysis } from '../../../src/detect/types.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';

const analysis: Analysis = {
  version: 1,
  models: { face: 'blazeface-back-256@1.2.0', labels: 'nanodet-m-416@human-models-3.0.4' },
  faceFps: 10,
  labelFps: 1,
  durationSec: 4.2,
  width: 1920,
  height: 1080,
  tracks: [{ id: 1, kind: 'face', keyframes: [{ t: 0, x: 0.1, y: 0.2, width: 0.1, height: 0.15 }, { t: 0.1, x: 0.11, y: 0.2, width: 0.1, height: 0.15 }], scoreMax: 0.93, scoreMean: 0.9 }],
  labels: { person: 0.77, other: 0.3 },
  frames: { face: 42, label: 5 },
  analysedAt: '2026-11-30T12:00:00.000Z',
};

let tmp: TempDir;
let clip: string;
beforeEach(async () => {
  tmp = await makeTempDir('cg-analysis-store-');
  clip = path.join(tmp.path, 'abc.mp4');
});
afterEach(async () => tmp.cleanup());

describe('analysis store', () => {
  it('lives next to the clip as <id>.analysis.json', () => {
    expect(analysisPath('/d/clips/cam/2026-11-30/abc.mp4')).toBe('/d/clips/cam/2026-11-30/abc.analysis.json');
    expect(analysisPath('/d/x')).toBe('/d/x.analysis.json');
  });

  it('round-trips, private to the daemon user, with no temp file left', async () => {
    const file = await writeAnalysis(clip, analysis);
    expect(file).toBe(analysisPath(clip));
    expect(await readAnalysis(clip)).toEqual(analysis);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readdir(tmp.path)).toEqual(['abc.analysis.json']);
    await deleteAnalysis(clip);
    expect(await readAnalysis(clip)).toBeNull();
    await deleteAnalysis(clip); // already gone: fine
  });

  it.each([
    ['missing', null],
    ['not JSON', '{"version":1,'],
    ['truncated', JSON.stringify(analysis).slice(0, 120)],
    ['another version', JSON.stringify({ ...analysis, version: 2 })],
    ['an unknown key', JSON.stringify({ ...analysis, extra: true })],
    ['a box outside the frame', JSON.stringify({ ...analysis, tracks: [{ ...analysis.tracks[0], keyframes: [{ t: 0, x: 1.5, y: 0, width: 0.1, height: 0.1 }] }] })],
    ['an unknown label', JSON.stringify({ ...analysis, labels: { ghost: 0.9 } })],
  ])('%s file means "not analysed"', async (_what, content) => {
    if (content !== null) writeFileSync(analysisPath(clip), content);
    expect(await readAnalysis(clip)).toBeNull();
  });

  it('removes temp files a killed writer left, and nothing else', async () => {
    writeFileSync(path.join(tmp.path, '.abc.analysis.json.1234.tmp'), '{"partial');
    writeFileSync(path.join(tmp.path, '.other.analysis.json.1234.tmp'), '{}');
    writeFileSync(path.join(tmp.path, 'abc.mp4'), '');
    await removeStaleTemps(clip);
    expect((await readdir(tmp.path)).sort()).toEqual(['.other.analysis.json.1234.tmp', 'abc.mp4']);
    await removeStaleTemps(path.join(tmp.path, 'missing-dir', 'x.mp4'));
  });
});
