// The tracked-blur filter graph through real ffmpeg: valid, every frame kept, the box follows its
// track frame by frame (and follows it on the trimmed timeline), and a long jittery track still parses.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../../../src/detect/types.js';
import { X264 } from '../../../src/media/export-args.js';
import { filterGraphArgs, INLINE_GRAPH_LIMIT, trackedBlurGraph, type TrackKeyframe } from '../../../src/media/tracked-blur.js';
import { ssimInside } from '../../support/faces-ssim.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';

const W = 1280;
const H = 720;
let tmp: TempDir;
let clip: string;

function luma(file: string, t: number): Uint8Array {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', t.toFixed(3), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 16 << 20 });
}

function frameCount(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
}

/** A box 0.15×0.25 of the frame moving from x=0.05 to x=0.75 over 0..8 s (keyframes at 10 fps). */
const moving: TrackKeyframe[] = Array.from({ length: 81 }, (_, i) => ({ t: i / 10, x: 0.05 + (0.7 * i) / 80, y: 0.3, width: 0.15, height: 0.25 }));
const boxAt = (t: number): Box => ({ x: 0.05 + (0.7 * t) / 8, y: 0.3, width: 0.15, height: 0.25 });
/** The inner part of a box, so edge rounding never counts. */
const inner = (b: Box): Box => ({ x: b.x + 0.02, y: b.y + 0.03, width: b.width - 0.04, height: b.height - 0.06 });

beforeAll(async () => {
  tmp = await makeTempDir('cg-tracked-blur-');
  clip = path.join(tmp.path, 'in.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=15`, '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-g', '15', '-pix_fmt', 'yuv420p', clip]);
}, 60_000);

afterAll(async () => tmp?.cleanup());

describe('tracked blur through ffmpeg', () => {
  it('redacts a moving box frame by frame, plus a fixed area, keeping every frame', () => {
    const out = path.join(tmp.path, 'out.mp4');
    const graph = trackedBlurGraph({ width: W, height: H, tracks: [{ keyframes: moving }], regions: [{ x: 0, y: 0, width: 0.2, height: 0.1 }] });
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-filter_complex', graph, '-map', '[vout]', ...X264, out]);
    expect(frameCount(out)).toBe(frameCount(clip));
    for (const t of [1, 4, 7]) {
      const a = luma(clip, t);
      const b = luma(out, t);
      expect(ssimInside(a, b, W, H, inner(boxAt(t))), `inside the box at t=${t}`).toBeLessThan(0.4);
      // where the box was 3 s earlier the picture is back to normal
      if (t >= 4) expect(ssimInside(a, b, W, H, inner(boxAt(t - 3))), `behind the box at t=${t}`).toBeGreaterThan(0.9);
      // Fixed areas are plain mosaics, as in export-args.ts: the clock text in this corner is erased,
      // its flat black background stays black, so the score cannot fall as low as on a face.
      expect(ssimInside(a, b, W, H, { x: 0.01, y: 0.01, width: 0.18, height: 0.08 }), 'fixed area').toBeLessThan(0.9);
    }
    // after the track ends (8 s) its last position is clear again
    expect(ssimInside(luma(clip, 9), luma(out, 9), W, H, inner(boxAt(8)))).toBeGreaterThan(0.9);
  }, 120_000);

  it('follows the track on a trimmed timeline (input seek + timeOffset)', () => {
    const out = path.join(tmp.path, 'trimmed.mp4');
    const graph = trackedBlurGraph({ width: W, height: H, tracks: [{ keyframes: moving }], regions: [], timeOffset: 3 });
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '3', '-i', clip, '-t', '4', '-filter_complex', graph, '-map', '[vout]', ...X264, out]);
    // export t=2 is clip t=5
    const a = luma(clip, 5);
    const b = luma(out, 2);
    expect(ssimInside(a, b, W, H, inner(boxAt(5)))).toBeLessThan(0.4);
    expect(ssimInside(a, b, W, H, inner(boxAt(2)))).toBeGreaterThan(0.9);
  }, 120_000);

  it('follows the track when the container starts late (a stream-copied clip): t counts from the first frame', () => {
    const late = path.join(tmp.path, 'late.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c', 'copy', '-output_ts_offset', '3', late]);
    const out = path.join(tmp.path, 'late-out.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', late, '-filter_complex', trackedBlurGraph({ width: W, height: H, tracks: [{ keyframes: moving }], regions: [] }), '-map', '[vout]', ...X264, out]);
    const a = luma(clip, 4);
    const b = luma(out, 4);
    expect(ssimInside(a, b, W, H, inner(boxAt(4)))).toBeLessThan(0.4);
    expect(ssimInside(a, b, W, H, inner(boxAt(1)))).toBeGreaterThan(0.9);
  }, 120_000);

  it('three two-minute jittery tracks: too long for argv, so a graph script ffmpeg parses and runs', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const jitter = (x0: number): TrackKeyframe[] => {
      let x = x0;
      let y = 0.4;
      return Array.from({ length: 1200 }, (_, i) => {
        x = Math.min(0.8, Math.max(0.05, x + (rand() - 0.5) * 0.02));
        y = Math.min(0.7, Math.max(0.05, y + (rand() - 0.5) * 0.02));
        return { t: i / 10, x, y, width: 0.1, height: 0.18 };
      });
    };
    const tracks = [0.1, 0.4, 0.7].map((x0) => ({ keyframes: jitter(x0) }));
    const t0 = performance.now();
    const graph = trackedBlurGraph({ width: W, height: H, tracks, regions: [] });
    const buildMs = performance.now() - t0;
    const out = path.join(tmp.path, 'long.mp4');
    const { args, script } = filterGraphArgs(graph, path.join(tmp.path, 'long.graph'));
    expect(graph.length).toBeGreaterThan(INLINE_GRAPH_LIMIT);
    writeFileSync(path.join(tmp.path, 'long.graph'), script!);
    const t1 = performance.now();
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-t', '2', ...args, '-map', '[vout]', ...X264, out]);
    const runMs = performance.now() - t1;
    expect(frameCount(out)).toBe(30);
    console.log(`long tracks: 3 × 1200 jittery keyframes → graph ${graph.length} chars via -filter_complex_script (built in ${buildMs.toFixed(1)} ms); ffmpeg parse + 2 s of 720p in ${runMs.toFixed(0)} ms`);
  }, 120_000);
});
