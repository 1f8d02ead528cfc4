#!/usr/bin/env node
// Soak: the built daemon with 4 simulated cameras, periodic motion, approvals, rejections and
// uploads to the dev platform, for N minutes. Prints one line per sample: RSS and open file
// descriptors of the daemon and of its ffmpeg children, clip and upload counts. Exits 1 when RSS
// or file descriptors trend upward beyond a tolerance, when the daemon dies, or when it stops
// uncleanly. Usage: npm run soak -- --minutes 30 [--cameras 4] [--sample-seconds 30] [--keep]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { packageRoot } from '../src/core/version.js';
import { startDevPlatform } from '../src/demo/dev-platform/server.js';
import { childPids, fdCount, rssBytes } from '../test/support/procfs.js';
import { sleep } from '../test/support/wait.js';

const MAIN = path.join(packageRoot(), 'dist', 'src', 'main.js');
const TOKEN = 'soak-platform-token';
/** Samples in the first minutes are start-up (caches, JIT, the ring filling) and not compared. */
const WARMUP_MS = 2 * 60_000;
/** Growth allowed between the first and the last third of the run. */
const RSS_TOLERANCE = { ratio: 1.2, slackMb: 8 };
const FD_TOLERANCE = 8;

export interface Sample {
  atMs: number;
  rssMb: number;
  fds: number;
  children: number;
  childRssMb: number;
  childFds: number;
  clips: number;
  uploaded: number;
}

const MIB = 1024 * 1024;
const rssMb = (pid: number): number => rssBytes(pid) / MIB;

function counts(dataDir: string): { clips: number; uploaded: number } {
  const db = new Database(path.join(dataDir, 'clipgate.db'), { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    const clips = (db.prepare('SELECT count(*) AS n FROM clips WHERE deleted_at IS NULL').get() as { n: number }).n;
    const uploaded = (db.prepare("SELECT count(*) AS n FROM shares WHERE status = 'uploaded'").get() as { n: number }).n;
    return { clips, uploaded };
  } finally {
    db.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Least-squares slope of `key` per hour over the post-warm-up samples (for the summary). */
export function slopePerHour(samples: Sample[], key: 'rssMb' | 'fds'): number {
  const xs = samples.filter((s) => s.atMs >= WARMUP_MS);
  if (xs.length < 2) return 0;
  const mx = xs.reduce((a, s) => a + s.atMs, 0) / xs.length;
  const my = xs.reduce((a, s) => a + s[key], 0) / xs.length;
  const num = xs.reduce((a, s) => a + (s.atMs - mx) * (s[key] - my), 0);
  const den = xs.reduce((a, s) => a + (s.atMs - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 3_600_000;
}

/** Compare the first and last third of the post-warm-up samples; returns the reasons it failed. */
export function trendProblems(samples: Sample[]): string[] {
  const steady = samples.filter((s) => s.atMs >= WARMUP_MS);
  if (steady.length < 6) return [];
  const third = Math.floor(steady.length / 3);
  const first = steady.slice(0, third);
  const last = steady.slice(-third);
  const out: string[] = [];
  const [r0, r1] = [median(first.map((s) => s.rssMb)), median(last.map((s) => s.rssMb))];
  if (r1 > r0 * RSS_TOLERANCE.ratio + RSS_TOLERANCE.slackMb) out.push(`daemon RSS grew from ${r0.toFixed(1)} MB to ${r1.toFixed(1)} MB`);
  for (const key of ['fds', 'childFds'] as const) {
    const [f0, f1] = [median(first.map((s) => s[key])), median(last.map((s) => s[key]))];
    if (f1 > f0 + FD_TOLERANCE) out.push(`${key} grew from ${f0} to ${f1}`);
  }
  return out;
}

function config(dir: string, platformUrl: string, cameras: number): object {
  return {
    dataDir: path.join(dir, 'data'),
    cacheDir: path.join(dir, 'cache'),
    web: { host: '127.0.0.1', port: 0 },
    logging: { level: 'info' },
    cameras: Array.from({ length: cameras }, (_, i) => ({
      id: `soak-${i + 1}`,
      // Staggered motion so assemblies do not all coincide.
      simulated: { motionEverySeconds: 40 + i * 7, width: 640, height: 360, fps: 10 },
      record: { preSeconds: 3, postSeconds: 5, maxSeconds: 30 },
    })),
    platform: { url: platformUrl, token: TOKEN },
    retention: { rejectedDays: 0 },
  };
}

interface Running {
  child: ChildProcess;
  port: number;
  errors: string[];
  warnings: number;
  exited: Promise<number | null>;
}

async function startDaemon(configFile: string): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, 'start', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const errors: string[] = [];
  const run: Running = { child, port: 0, errors, warnings: 0, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  let partial = '';
  const onChunk = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      let level = 50;
      let parsed: { level?: number; msg?: string; port?: number } = {};
      try {
        parsed = JSON.parse(line) as typeof parsed;
        level = parsed.level ?? 30;
      } catch {
        /* a line that is not JSON counts as an error */
      }
      if (parsed.msg === 'web server listening' && parsed.port) run.port = parsed.port;
      if (level >= 50) errors.push(line.slice(0, 400));
      else if (level >= 40) run.warnings++;
    }
  };
  child.stdout?.on('data', onChunk);
  child.stderr?.on('data', onChunk);
  const deadline = Date.now() + 60_000;
  while (run.port === 0) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`daemon did not start: ${errors.join('\n')}`);
    await sleep(200);
  }
  return run;
}

/** An owner's review pass: approve about a third of the pending clips (blurred), reject a third. */
async function review(port: number, apiToken: string, tick: number): Promise<void> {
  const headers = { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' };
  const base = `http://127.0.0.1:${port}/api`;
  const list = (await (await fetch(`${base}/clips?status=pending&limit=50`, { headers })).json()) as { items: { id: string }[] };
  for (const [i, clip] of list.items.entries()) {
    const which = (i + tick) % 3;
    if (which === 0) await fetch(`${base}/clips/${clip.id}/approve`, { method: 'POST', headers, body: JSON.stringify({ blur: [{ x: 0.5, y: 0, width: 0.5, height: 0.5 }] }) });
    else if (which === 1) await fetch(`${base}/clips/${clip.id}/reject`, { method: 'POST', headers: { authorization: headers.authorization } });
  }
}

function sampleLine(s: Sample): string {
  const t = `${Math.floor(s.atMs / 60_000)}:${String(Math.floor((s.atMs % 60_000) / 1000)).padStart(2, '0')}`;
  return `t=${t.padStart(6)}  rss=${s.rssMb.toFixed(1).padStart(6)} MB  fds=${String(s.fds).padStart(3)}  ffmpeg=${s.children} (rss ${s.childRssMb.toFixed(0)} MB, fds ${s.childFds})  clips=${s.clips}  uploaded=${s.uploaded}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { minutes: { type: 'string', default: '10' }, cameras: { type: 'string', default: '4' }, 'sample-seconds': { type: 'string', default: '30' }, keep: { type: 'boolean', default: false } },
  });
  const minutes = Number(values.minutes);
  const sampleMs = Number(values['sample-seconds']) * 1000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clipgate-soak-'));
  const platform = await startDevPlatform({ token: TOKEN, dir: path.join(dir, 'platform') });
  const configFile = path.join(dir, 'clipgate.yml');
  writeFileSync(configFile, JSON.stringify(config(dir, platform.url, Number(values.cameras)), null, 2));
  const tokenOut = await new Promise<string>((resolve) => {
    const c = spawn(process.execPath, [MAIN, 'token', 'create', 'soak', '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.once('exit', () => resolve(out.trim().split('\n').pop() ?? ''));
  });
  const daemon = await startDaemon(configFile);
  const pid = daemon.child.pid ?? 0;
  process.stdout.write(`soak: ${values.cameras} simulated cameras for ${minutes} min, daemon pid ${pid}, data in ${dir}\n`);
  const began = Date.now();
  const samples: Sample[] = [];
  let tick = 0;
  let died = false;
  void daemon.exited.then(() => (died = true));
  while (Date.now() - began < minutes * 60_000 && !died) {
    await sleep(sampleMs);
    if (died) break;
    await review(daemon.port, tokenOut, tick++).catch((err: unknown) => daemon.errors.push(`soak review failed: ${String(err)}`));
    const kids = childPids(pid);
    const s: Sample = {
      atMs: Date.now() - began, rssMb: rssMb(pid), fds: fdCount(pid), children: kids.length,
      childRssMb: kids.reduce((a, k) => a + rssMb(k), 0), childFds: kids.reduce((a, k) => a + fdCount(k), 0), ...counts(path.join(dir, 'data')),
    };
    samples.push(s);
    process.stdout.write(sampleLine(s) + '\n');
  }
  const diedEarly = died;
  daemon.child.kill('SIGTERM');
  const code = await daemon.exited;
  await platform.stop();
  const problems = trendProblems(samples);
  if (diedEarly) problems.push(`the daemon exited during the soak:\n${daemon.errors.slice(-5).join('\n')}`);
  if (code !== 0) problems.push(`the daemon stopped with exit code ${code}`);
  process.stdout.write(`\nsoak: ${samples.length} samples; ${daemon.warnings} warning lines; ${daemon.errors.length} error lines\n`);
  process.stdout.write(`soak: after warm-up, RSS slope ${slopePerHour(samples, 'rssMb').toFixed(1)} MB/h, fd slope ${slopePerHour(samples, 'fds').toFixed(1)}/h\n`);
  for (const e of daemon.errors.slice(0, 20)) process.stdout.write(`  error: ${e}\n`);
  for (const p of problems) process.stdout.write(`FAIL: ${p}\n`);
  if (problems.length === 0) process.stdout.write('soak: RSS and file descriptors flat within tolerance\n');
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  return problems.length === 0 ? 0 : 1;
}

// Runs only as a program; importing this file (tests of trendProblems) has no side effect.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
