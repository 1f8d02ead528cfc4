import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRecording } from '../src/cameras/index.js';
import { Analyzer } from '../src/detect/analyzer.js';
import { packageDir } from '../src/detect/models/package-dir.js';
import { packageRoot } from '../src/core/version.js';
import { recordArgs } from '../src/media/args.js';
import { makeCore } from '../test/support/core.js';
import { freePort } from '../test/support/net.js';
import { childPids, cpuSeconds, rssBytes } from '../test/support/procfs.js';
import { sleep } from '../test/support/wait.js';
import type { Bench, BenchResult } from './types.js';

/** Shortened from the 60 s of the target (docs/performance.md) to keep `npm run bench` within budget; the ratio is per second anyway. */
const CPU_SECONDS = 30;
const WARMUP_MS = 6_000;

const progress = (msg: string): void => void process.stderr.write(`  .. ${msg}\n`);
/** Resident memory in MB with one decimal, NaN once the process is gone. */
function rssMb(pid: number): number {
  const bytes = rssBytes(pid);
  return bytes > 0 ? Math.round(bytes / 1024 / 102.4) / 10 : NaN;
}

/** A stuck stage fails the bench instead of hanging it (a loaded 2-core box can stall a start). */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The GStreamer test camera from test/support (1080p H.264 ~4 Mbps + AAC, 2 s GOP). */
async function startCamera(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const script = path.join(packageRoot(), 'test', 'support', 'rtsp_camera.py');
  const proc = spawn('/usr/bin/python3', [script, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await withTimeout(new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
    proc.once('exit', () => reject(new Error('rtsp camera exited')));
  }), 30_000, 'rtsp camera start');
  return { url: `rtsp://127.0.0.1:${port}/main`, proc };
}

async function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await Promise.race([gone, sleep(3_000)]);
  p.kill('SIGKILL');
}

/** The recording feature in-process (store, registry, assembler), built by its own factory. */
function stack(dir: string, cameras: Record<string, unknown>[]) {
  const core = makeCore({ dir, config: { cameras } });
  const rec = createRecording(core);
  return {
    bus: core.bus,
    registry: rec.cameras,
    start: async () => {
      for (const { service } of rec.services) await service.start();
    },
    stop: async () => {
      for (const { service } of [...rec.services].reverse()) await service.stop();
      core.cleanup();
    },
  };
}

const cams = (n: number, url: string, record = {}): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => ({ id: `cam-${i}`, rtsp: { main: url }, record }));

/** Bare ffmpeg -c copy segmenting, the baseline: the same argv clipgate uses, nothing else. */
async function bareCpu(url: string, dir: string, n: number): Promise<number> {
  const procs = Array.from({ length: n }, (_, i) => {
    const out = path.join(dir, `bare-${i}`);
    mkdirSync(out, { recursive: true });
    return spawn('ffmpeg', recordArgs({ kind: 'rtsp', url }, { dir: out, runId: 'b', segmentSeconds: 2, audio: true }), { stdio: 'ignore' });
  });
  await sleep(WARMUP_MS);
  const before = procs.reduce((s, p) => s + cpuSeconds(p.pid ?? -1), 0);
  await sleep(CPU_SECONDS * 1000);
  const after = procs.reduce((s, p) => s + cpuSeconds(p.pid ?? -1), 0);
  await Promise.all(procs.map(stopChild));
  return after - before;
}

/**
 * The real daemon (`node dist/src/main.js start`) recording the same N streams, measured from
 * /proc like the baseline: its own CPU plus its ffmpeg children's, over the same window. A
 * separate process, so the bench runner's own garbage (earlier benches) is not counted.
 */
async function clipgateCpu(url: string, dir: string, n: number, tag = 'cpu', during?: (stop: AbortSignal) => Promise<number>): Promise<{ cpu: number; ring: RingContinuity; analysed: number }> {
  const config = path.join(dir, `${tag}.yml`);
  const cache = path.join(dir, `${tag}-cache`);
  const camLines = Array.from({ length: n }, (_, i) => `  - { id: cam-${i}, rtsp: { main: "${url}" } }`);
  // The daemon's own analysis is off: what is measured is recording while another process analyses.
  writeFileSync(config, [`dataDir: ${path.join(dir, `${tag}-data`)}`, `cacheDir: ${cache}`, 'web: { host: 127.0.0.1, port: 0 }', 'logging: { level: warn }', 'detect: { enabled: false }', 'cameras:', ...camLines].join('\n') + '\n');
  const child = spawn(process.execPath, [path.join(packageRoot(), 'dist', 'src', 'main.js'), 'start', '--config', config], { stdio: 'ignore' });
  const stop = new AbortController();
  try {
    await sleep(WARMUP_MS + 4_000);
    const pid = child.pid ?? -1;
    const pids = [pid, ...childPids(pid)];
    if (pids.length < n + 1) throw new Error(`expected ${n} ffmpeg recorders, found ${pids.length - 1}`);
    const analysing = during?.(stop.signal) ?? Promise.resolve(0);
    const seen = new Map<string, Set<number>>();
    const before = pids.reduce((a, p) => a + cpuSeconds(p), 0);
    const end = Date.now() + CPU_SECONDS * 1000;
    while (Date.now() < end) {
      noteSegments(cache, seen);
      await sleep(500);
    }
    const cpu = pids.reduce((a, p) => a + cpuSeconds(p), 0) - before;
    stop.abort();
    return { cpu, ring: continuity(seen), analysed: await analysing };
  } finally {
    stop.abort();
    await stopChild(child);
  }
}

interface RingContinuity {
  /** Segment numbers missing inside a recorder run (a hole in the ring). */
  missing: number;
  /** Recorder runs beyond one per camera (an ffmpeg that had to be restarted). */
  restarts: number;
  segments: number;
}

/** Every `<run>-<n>.ts` segment in the cache, per camera and run (sampled; the ring prunes old ones). */
function noteSegments(cache: string, seen: Map<string, Set<number>>): void {
  let cams: string[];
  try {
    cams = readdirSync(cache);
  } catch {
    return;
  }
  for (const cam of cams) {
    let names: string[];
    try {
      names = readdirSync(path.join(cache, cam));
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^(.+)-(\d{6})\.ts$/.exec(name);
      if (!m) continue;
      const key = `${cam}/${m[1]}`;
      const set = seen.get(key) ?? new Set<number>();
      set.add(Number(m[2]));
      seen.set(key, set);
    }
  }
}

function continuity(seen: Map<string, Set<number>>): RingContinuity {
  let missing = 0;
  let segments = 0;
  const cams = new Set<string>();
  for (const [key, set] of seen) {
    cams.add(key.split('/')[0] ?? key);
    const nums = [...set].sort((a, b) => a - b);
    segments += nums.length;
    missing += nums.at(-1)! - nums[0]! + 1 - nums.length;
  }
  return { missing, restarts: seen.size - cams.size, segments };
}

/** A 20 s 1080p clip of real faces (the analysis bench's kind), analysed back to back until stopped. */
function analysisLoop(dir: string): (stop: AbortSignal) => Promise<number> {
  const clip = path.join(dir, 'faces.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '15', '-i', path.join(packageDir('@vladmandic/face-api'), 'demo', 'sample6.jpg'),
    '-vf', "scale=2400:-2,crop=1920:1080:x='480*t/20':y=60,format=yuv420p", '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '30', clip]);
  return async (stop) => {
    const analyzer = new Analyzer({ threads: 1 });
    let done = 0;
    try {
      while (!stop.aborted) {
        await analyzer.analyse(clip, { faceFps: 10, labelFps: 1, signal: stop }).then(() => done++, (err: unknown) => {
          if (!stop.aborted) throw err;
        });
      }
    } finally {
      await analyzer.stop();
    }
    return done;
  };
}

/** RSS of the real daemon (`node dist/src/main.js start`) recording 8 cameras. */
async function daemonRss(url: string, dir: string): Promise<number> {
  const config = path.join(dir, 'rss.yml');
  const camLines = Array.from({ length: 8 }, (_, i) => `  - { id: cam-${i}, rtsp: { main: "${url}" } }`);
  writeFileSync(config, [`dataDir: ${path.join(dir, 'rss-data')}`, `cacheDir: ${path.join(dir, 'rss-cache')}`, 'web: { host: 127.0.0.1, port: 0 }', 'logging: { level: warn }', 'cameras:', ...camLines].join('\n') + '\n');
  const child = spawn(process.execPath, [path.join(packageRoot(), 'dist', 'src', 'main.js'), 'start', '--config', config], { stdio: 'ignore' });
  await sleep(25_000);
  const rss = rssMb(child.pid ?? -1);
  await stopChild(child);
  return rss;
}

/** End of post-roll → clip.created, for a few manual clips in a row. */
async function latencies(url: string, dir: string): Promise<number[]> {
  const post = 2;
  const s = stack(dir, cams(1, url, { preSeconds: 2, postSeconds: post }));
  await s.start();
  await sleep(WARMUP_MS);
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const created = new Promise<number>((r) => s.bus.on('bench', 'clip.created', () => r(Date.now())));
    const t = Date.now();
    s.registry.trigger('cam-0');
    out.push((await withTimeout(created, 60_000, 'clip')) - (t + post * 1000));
    s.bus.off('bench');
    await sleep(1_000);
  }
  await s.stop();
  return out;
}

export const recordingBench: Bench = {
  name: 'recording: 4 cameras 1080p, 8-camera RSS, clip latency',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-rec-'));
    const cam = await startCamera();
    try {
      const bare = await bareCpu(cam.url, dir, 4);
      progress(`bare ffmpeg: ${bare.toFixed(2)} cpu-s`);
      const plain = await clipgateCpu(cam.url, dir, 4);
      const ours = plain.cpu;
      progress(`clipgate: ${ours.toFixed(2)} cpu-s, ring ${JSON.stringify(plain.ring)}`);
      const busy = await clipgateCpu(cam.url, dir, 4, 'busy', analysisLoop(dir));
      progress(`clipgate while clips are analysed back to back: ${busy.cpu.toFixed(2)} cpu-s, ${busy.analysed} analyses, ring ${JSON.stringify(busy.ring)}`);
      const rss = await daemonRss(cam.url, dir);
      progress(`daemon rss: ${rss} MB`);
      const lat = await latencies(cam.url, dir);
      const note = `one shared 1080p camera, 4 clients; ${CPU_SECONDS} s window (shortened from 60 s)`;
      return [
        { name: 'cpu clipgate+ffmpeg, 4 cams', value: Number(ours.toFixed(2)), unit: 'cpu-s', baseline: { name: 'bare ffmpeg -c copy', value: Number(bare.toFixed(2)) }, ratio: ours / bare, target: { op: '<=', value: 1.15, of: 'ratio' }, notes: `${note}; ring: ${plain.ring.segments} segments seen, ${plain.ring.missing} missing, ${plain.ring.restarts} recorder restarts` },
        {
          name: 'cpu clipgate+ffmpeg, 4 cams, clips analysed back to back', value: Number(busy.cpu.toFixed(2)), unit: 'cpu-s',
          baseline: { name: 'bare ffmpeg -c copy', value: Number(bare.toFixed(2)) }, ratio: busy.cpu / bare, target: { op: '<=', value: 1.15, of: 'ratio' },
          notes: `${busy.analysed} analyses of a 20 s 1080p face clip (worker at nice 10, one thread) during the window; ratio without analysis ${(ours / bare).toFixed(3)}; ring: ${busy.ring.segments} segments seen, ${busy.ring.missing} missing, ${busy.ring.restarts} recorder restarts`,
        },
        { name: 'ring gaps while analysing (missing segments + recorder restarts)', value: busy.ring.missing + busy.ring.restarts, unit: 'count', target: { op: '<=', value: 0, of: 'value' } },
        { name: 'daemon RSS, 8 cams', value: rss, unit: 'MB', target: { op: '<=', value: 120, of: 'value' } },
        { name: 'end of post-roll → clip row (max of 3)', value: Math.max(...lat), unit: 'ms', target: { op: '<=', value: 3_000, of: 'value' }, notes: `samples ${lat.join(', ')} ms` },
      ];
    } finally {
      await stopChild(cam.proc);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
