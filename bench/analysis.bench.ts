import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Analyzer } from '../src/detect/analyzer.js';
import { packageDir } from '../src/detect/models/package-dir.js';
import type { Analysis, Box } from '../src/detect/types.js';
import { X264 } from '../src/media/export-args.js';
import { trackedBlurGraph } from '../src/media/tracked-blur.js';
import type { Bench, BenchResult } from './types.js';

const CLIP_SECONDS = 20;
const IDLE_MS = 2_000;
const ROUNDS = 2;

const progress = (msg: string): void => void process.stderr.write(`  .. ${msg}\n`);

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const mb = (kb: number): number => Math.round(kb / 102.4) / 10;

/**
 * A 20 s 1080p clip like a doorbell's (H.264, 15 fps, CRF 23) of four real faces: a group photo
 * from @vladmandic/face-api (a devDependency) panned slowly across the frame.
 */
function buildClip(dir: string): string {
  const photo = path.join(packageDir('@vladmandic/face-api'), 'demo', 'sample6.jpg');
  const out = path.join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '15', '-i', photo,
    '-vf', `scale=2400:-2,crop=1920:1080:x='480*t/${CLIP_SECONDS}':y=60,format=yuv420p`,
    '-t', String(CLIP_SECONDS), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '30', out]);
  return out;
}

async function analyse(analyzer: Analyzer, clip: string): Promise<{ seconds: number; peakKb: number; pid: number; analysis: Analysis }> {
  let pid = 0;
  let peakKb = 0;
  const t0 = performance.now();
  const analysis = await analyzer.analyse(clip, {
    faceFps: 10, labelFps: 1,
    onProgress: () => {
      pid ||= analyzer.workerPid ?? 0;
      if (pid) peakKb = Math.max(peakKb, statusKb(pid, 'VmHWM'));
    },
  });
  return { seconds: (performance.now() - t0) / 1000, peakKb, pid, analysis };
}

/** Wall time of one export run (same encoder settings as the real export) with a given graph. */
function exportSeconds(input: string, graph: string, out: string): number {
  const t = performance.now();
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', '-i', input, '-filter_complex', graph, '-map', '[vout]', '-an', ...X264, '-f', 'mp4', out]);
  return (performance.now() - t) / 1000;
}

/**
 * Analysis of a 20 s 1080p clip (faces at 10 fps + labels at 1 fps, one thread, in the forked
 * worker at nice 10) against the clip's own duration; the worker's peak RSS and what is left once
 * it has gone idle; and an export blurring 3 tracked faces against the same export with 3 fixed areas.
 */
export const analysisBench: Bench = {
  name: 'analysis: 20 s 1080p clip, faces 10 fps + labels 1 fps, one thread',
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-analysis-'));
    const analyzer = new Analyzer({ threads: 1, idleMs: IDLE_MS });
    try {
      progress('building the clip');
      const clip = buildClip(dir);
      progress('analysing (cold worker, then warm)');
      const cold = await analyse(analyzer, clip);
      const warm = await analyse(analyzer, clip);
      const hostBefore = statusKb(process.pid, 'VmRSS');
      const deadline = Date.now() + IDLE_MS + 15_000;
      while (existsSync(`/proc/${warm.pid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const gone = !existsSync(`/proc/${warm.pid}`);
      const hostAfter = statusKb(process.pid, 'VmRSS');

      const tracks = [...warm.analysis.tracks].sort((a, b) => b.keyframes.length - a.keyframes.length).slice(0, 3);
      if (tracks.length < 3) throw new Error(`expected 3 face tracks, got ${tracks.length}`);
      const fixed: Box[] = tracks.map((t) => {
        const k = t.keyframes[0]!;
        return { x: k.x, y: k.y, width: k.width, height: k.height };
      });
      const trackedGraph = trackedBlurGraph({ width: 1920, height: 1080, tracks, regions: [] });
      const fixedGraph = trackedBlurGraph({ width: 1920, height: 1080, tracks: [], regions: fixed });
      progress('exporting: 3 tracked faces vs 3 fixed areas');
      const tracked: number[] = [];
      const still: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        still.push(exportSeconds(clip, fixedGraph, path.join(dir, `fixed-${i}.mp4`)));
        tracked.push(exportSeconds(clip, trackedGraph, path.join(dir, `tracked-${i}.mp4`)));
      }
      const best = (xs: number[]): number => Math.min(...xs);
      const rows: BenchResult[] = [
        {
          name: 'analysis wall time (cold worker: start + model load + analysis)', value: Number(cold.seconds.toFixed(2)), unit: 's',
          baseline: { name: 'clip duration', value: CLIP_SECONDS }, ratio: cold.seconds / CLIP_SECONDS, target: { op: '<=', value: 0.5, of: 'ratio' },
          notes: `warm worker ${warm.seconds.toFixed(2)} s (ratio ${(warm.seconds / CLIP_SECONDS).toFixed(3)}); ${warm.analysis.frames.face} face + ${warm.analysis.frames.label} label frames, ${warm.analysis.tracks.length} tracks, labels ${JSON.stringify(warm.analysis.labels)}`,
        },
        {
          name: 'analysis worker peak RSS', value: mb(Math.max(cold.peakKb, warm.peakKb)), unit: 'MB', target: { op: '<=', value: 400, of: 'value' },
          notes: 'VmHWM of the worker process while analysing',
        },
        {
          name: 'analysis worker after idle', value: gone ? 0 : mb(statusKb(warm.pid, 'VmRSS')), unit: 'MB', target: { op: '<=', value: 0, of: 'value' },
          notes: `${gone ? 'worker exited' : 'worker still running'} ${IDLE_MS} ms after its last job; daemon-side RSS ${mb(hostBefore)} → ${mb(hostAfter)} MB`,
        },
        {
          name: 'export with 3 tracked faces (best of 2)', value: Number(best(tracked).toFixed(2)), unit: 's',
          baseline: { name: 'same export, 3 fixed areas', value: Number(best(still).toFixed(2)) }, ratio: best(tracked) / best(still),
          target: { op: '<=', value: 1.15, of: 'ratio' },
          notes: `rounds tracked ${tracked.map((x) => x.toFixed(2)).join('/')} s, fixed ${still.map((x) => x.toFixed(2)).join('/')} s; graph ${trackedGraph.length} chars`,
        },
      ];
      return rows;
    } finally {
      await analyzer.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
