// The engine on real footage with real models: moving 1080p clips built from the group photos in
// @vladmandic/face-api (known pan → known true face boxes), BlazeFace + tracker coverage, the tracked
// blur through real ffmpeg, verification on the redacted export, SSIM inside/outside the faces, and
// labels (group photos → person; colour bars → no person).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseClip, verifyFile } from '../../../src/detect/analyse.js';
import { iou, letterbox } from '../../../src/detect/letterbox.js';
import { loadFaceDetector, loadObjectLabeller } from '../../../src/detect/loader.js';
import type { Analysis, Box, FaceDetector, ObjectLabeller, ScoredBox } from '../../../src/detect/types.js';
import { X264 } from '../../../src/media/export-args.js';
import { trackedBlurGraph } from '../../../src/media/tracked-blur.js';
import { buildBarsClip, buildPanClip, FRAME_H, FRAME_W, fullyInside, lumaAt, photoSize, samplePhoto, trueBox, type PanClip } from '../../support/faces.js';
import { ssimInside, ssimOutside } from '../../support/faces-ssim.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';

const PHOTOS = [1, 2, 3, 4, 5, 6];
const FACE_FPS = 10;

let tmp: TempDir;
let face: FaceDetector;
let labeller: ObjectLabeller;

/** Faces on the still photo, by the detector itself, in fractions of the photo. */
async function photoFaces(photo: string): Promise<ScoredBox[]> {
  const { width, height } = photoSize(photo);
  const box = letterbox(width, height, face.inputSize);
  const data = execFileSync('ffmpeg', ['-v', 'error', '-i', photo, '-vf', `scale=${box.contentWidth}:${box.contentHeight}:flags=area,pad=${box.size}:${box.size}:0:0`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  return face.detect({ data, width: box.size, height: box.size }, box, 0.5);
}

const centreInside = (inner: Box, outer: Box): boolean => {
  const cx = inner.x + inner.width / 2;
  const cy = inner.y + inner.height / 2;
  return cx >= outer.x && cx <= outer.x + outer.width && cy >= outer.y && cy <= outer.y + outer.height;
};

function keyframeAt(a: Analysis, t: number): Box[] {
  return a.tracks.flatMap((tr) => tr.keyframes.filter((k) => Math.abs(k.t - t) < 0.5 / a.faceFps));
}

interface Case {
  n: number;
  clip: PanClip;
  faces: ScoredBox[];
  analysis: Analysis;
}
const cases: Case[] = [];

beforeAll(async () => {
  tmp = await makeTempDir('cg-detect-footage-');
  face = await loadFaceDetector({ threads: 1 });
  labeller = await loadObjectLabeller({ threads: 1 });
}, 120_000);

afterAll(async () => {
  await face?.close();
  await labeller?.close();
  await tmp?.cleanup();
});

describe('detection on moving clips of the face-api group photos', () => {
  it('tracks cover every face in ≥ 95% of the frames where it is fully in view', async () => {
    const report: string[] = [];
    let worst = 1;
    for (const n of PHOTOS) {
      const photo = samplePhoto(n);
      const faces = await photoFaces(photo);
      const faceSpan: [number, number] = [Math.min(...faces.map((f) => f.y)), Math.max(...faces.map((f) => f.y + f.height))];
      const clip = buildPanClip(photo, path.join(tmp.path, `pan${n}.mp4`), { scale: 1.25, durationSec: 6, panPx: 480, faceSpan });
      const analysis = await analyseClip(clip.file, { face, labeller }, { faceFps: FACE_FPS, labelFps: 1, threads: 1 });
      cases.push({ n, clip, faces, analysis });
      faces.forEach((f, i) => {
        let seen = 0;
        let covered = 0;
        for (let k = 0; k < clip.durationSec * FACE_FPS; k++) {
          const t = k / FACE_FPS;
          const truth = trueBox(clip, f, t);
          if (!fullyInside(truth)) continue;
          seen++;
          if (keyframeAt(analysis, t).some((kf) => centreInside(truth, kf))) covered++;
        }
        const ratio = seen > 0 ? covered / seen : 1;
        worst = Math.min(worst, ratio);
        report.push(`sample${n} face${i + 1}: ${covered}/${seen} frames`);
      });
      report.push(`sample${n}: ${faces.length} faces on the still, ${analysis.tracks.length} tracks, labels ${JSON.stringify(analysis.labels)}`);
    }
    console.log(`face coverage (centre of the true box inside a track box, 10 fps)\n  ${report.join('\n  ')}\n  worst ${(worst * 100).toFixed(1)}%`);
    const total = cases.reduce((s, c) => s + c.faces.length, 0);
    expect(total).toBeGreaterThanOrEqual(20);
    expect(worst).toBeGreaterThanOrEqual(0.95);
  }, 600_000);

  it('labels every group-photo clip person', () => {
    expect(cases.length).toBe(PHOTOS.length);
    for (const c of cases) expect(c.analysis.labels.person ?? 0, `sample${c.n}`).toBeGreaterThanOrEqual(0.4);
  });

  it('after the tracked blur no detection ≥ 0.5 lies on a face; SSIM ≤ 0.4 inside faces and ≥ 0.95 outside', async () => {
    const lines: string[] = [];
    let insideMax = 0;
    let outsideMin = 1;
    let onFaces = 0;
    for (const c of cases) {
      const out = path.join(tmp.path, `redacted${c.n}.mp4`);
      const graph = trackedBlurGraph({ width: FRAME_W, height: FRAME_H, tracks: c.analysis.tracks, regions: [] });
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', c.clip.file, '-filter_complex', graph, '-map', '[vout]', ...X264, '-an', out]);
      const findings = await verifyFile(out, face, { fps: 15, threshold: 0.5, threads: 1 });
      // A finding is on a face when it overlaps one of the faces' true boxes at that instant.
      const onFace = findings.filter((f) => c.faces.some((p) => {
        const truth = trueBox(c.clip, p, f.t);
        return iou(truth, f) > 0.1 || centreInside(f, truth);
      }));
      onFaces += onFace.length;
      // Whatever else the detector reports (its false positives) is shown, with whether the unredacted clip has it too.
      const before = findings.length > onFace.length ? await verifyFile(c.clip.file, face, { fps: 15, threshold: 0.5, threads: 1 }) : [];
      const elsewhere = findings.filter((f) => !onFace.includes(f)).map((f) => {
        const inOriginal = before.some((b) => Math.abs(b.t - f.t) < 0.01 && iou(b, f) > 0.3);
        return `t=${f.t} ${f.score.toFixed(2)} at (${f.x.toFixed(2)}, ${f.y.toFixed(2)}) ${inOriginal ? 'also in the original' : 'not in the original'}`;
      });
      lines.push(`sample${c.n}: ${findings.length} detections ≥ 0.5 after blur, ${onFace.length} on a face${elsewhere.length ? `; elsewhere: ${elsewhere.slice(0, 4).join('; ')}${elsewhere.length > 4 ? ` (+${elsewhere.length - 4})` : ''}` : ''}`);
      for (const t of [0.5, 2.0, 3.5, 5.0]) {
        const a = lumaAt(c.clip.file, t);
        const b = lumaAt(out, t);
        for (const f of c.faces) {
          const truth = trueBox(c.clip, f, t);
          if (fullyInside(truth)) insideMax = Math.max(insideMax, ssimInside(a, b, FRAME_W, FRAME_H, truth));
        }
        const drawn = keyframeAt(c.analysis, t).map((k) => ({ x: k.x - k.width * 0.3, y: k.y - k.height * 0.3, width: k.width * 1.6, height: k.height * 1.6 }));
        outsideMin = Math.min(outsideMin, ssimOutside(a, b, FRAME_W, FRAME_H, drawn));
      }
    }
    console.log(`tracked blur\n  ${lines.join('\n  ')}\n  SSIM inside true face boxes (4 instants per clip): max ${insideMax.toFixed(3)}; outside the blurred boxes: min ${outsideMin.toFixed(3)}`);
    expect(onFaces).toBe(0);
    expect(insideMax).toBeLessThanOrEqual(0.4);
    expect(outsideMin).toBeGreaterThanOrEqual(0.95);
  }, 600_000);

  it('a clip of moving colour bars has no person and no face track', async () => {
    const bars = buildBarsClip(path.join(tmp.path, 'bars.mp4'), 6);
    const a = await analyseClip(bars, { face, labeller }, { faceFps: FACE_FPS, labelFps: 1, threads: 1 });
    console.log(`colour bars: labels ${JSON.stringify(a.labels)}, ${a.tracks.length} tracks, frames ${JSON.stringify(a.frames)}`);
    expect(a.frames.label).toBeGreaterThanOrEqual(6);
    expect(a.labels.person).toBeUndefined();
    expect(a.tracks).toEqual([]);
  }, 120_000);
});
