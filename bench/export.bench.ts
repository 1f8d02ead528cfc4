import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { redactionGraph, X264 } from '../src/media/export-args.js';
import { runExport } from '../src/media/export.js';
import type { Bench } from './types.js';

const REGION = { x: 0.3, y: 0.2, width: 0.25, height: 0.35 };
const ROUNDS = 2;

/**
 * A 30 s 1080p clip with one blur region: clipgate's export (probe, encode, metadata-stripping
 * finish pass, progress parsing) against the bare single ffmpeg command with the same filter
 * graph and encoder settings. Runs alternate so load drift hits both; the best round counts.
 */
export const exportBench: Bench = {
  name: 'export: 30 s 1080p clip, one blur region',
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-export-'));
    try {
      const input = path.join(dir, 'in.mp4');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=15,drawgrid=w=12:h=12:t=2:c=black@0.8', '-f', 'lavfi', '-i', 'sine=frequency=440',
        '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', input]);
      const bare = ['-v', 'error', '-y', '-nostdin', '-i', input, '-filter_complex', redactionGraph([REGION], 1920, 1080), '-map', '[vout]', '-an', ...X264, '-f', 'mp4', path.join(dir, 'bare.mp4')];
      const ours: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        let t = performance.now();
        execFileSync('ffmpeg', bare);
        base.push(performance.now() - t);
        t = performance.now();
        await runExport({ input, stripAudio: true, regions: [REGION] }, path.join(dir, `ours-${i}.mp4`));
        ours.push(performance.now() - t);
      }
      const best = (xs: number[]): number => Math.min(...xs) / 1000;
      const value = best(ours);
      const baseline = best(base);
      return [{
        name: 'clipgate export wall time (best of 2)', value: Number(value.toFixed(2)), unit: 's',
        baseline: { name: 'bare ffmpeg, same filter graph', value: Number(baseline.toFixed(2)) },
        ratio: value / baseline, target: { op: '<=', value: 1.05, of: 'ratio' },
        notes: `rounds ours ${ours.map((x) => (x / 1000).toFixed(2)).join('/')} s, bare ${base.map((x) => (x / 1000).toFixed(2)).join('/')} s`,
      }];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
