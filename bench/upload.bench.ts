import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Core } from '../src/core/core.js';
import { sha256File } from '../src/core/durable.js';
import { createLogger, SecretRegistry } from '../src/core/logger.js';
import { packageRoot } from '../src/core/version.js';
import { startDevPlatform, type DevPlatform } from '../src/demo/dev-platform/server.js';
import { Scheduler } from '../src/jobs/scheduler.js';
import { createReview, type ReviewService } from '../src/review/index.js';
import { createUpload } from '../src/upload/index.js';
import { makeCore } from '../test/support/core.js';
import { sleep, waitUntil } from '../test/support/wait.js';
import type { Bench, BenchResult } from './types.js';

const FILE_MB = 64;
const RUNS = 3;
const TOKEN = 'bench-token';
const MIB = 1024 * 1024;
const log = createLogger({ level: 'silent', secrets: new SecretRegistry() });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/**
 * Baseline: one plain HTTP PUT of the file to a loopback server that writes it to disk and then,
 * like the platform (and the dev platform), checks the SHA-256 of what it stored before answering.
 * The platform's own verification is not clipgate's overhead, so both sides pay it.
 */
async function plainPut(file: string, outDir: string): Promise<number> {
  const server = http.createServer((req, res) => {
    const stored = path.join(outDir, `put-${randomUUID()}`);
    pipeline(req, createWriteStream(stored)).then(() => sha256(stored)).then(
      () => res.writeHead(204).end(),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/file' }, (res) => res.resume().on('end', resolve));
    req.on('error', reject);
    pipeline(createReadStream(file), req).catch(reject);
  });
  const ms = performance.now() - t0;
  await new Promise((r) => server.close(r));
  return ms;
}

/** One approved, exported and sent (queued) share of `file` in the core's database, as review + exporter + Send leave it. */
function seedShare(core: Core, review: ReviewService, file: string, sha: string): string {
  const { db, repos } = core;
  const at = new Date().toISOString();
  const clipId = randomUUID();
  const shareId = randomUUID();
  repos.clips.insert({ id: clipId, cameraId: 'bench', status: 'approved', trigger: 'manual', startedAt: at, endedAt: at, durationMs: 1000, sizeBytes: 1,
    width: 1, height: 1, hasAudio: false, sha256: sha, filePath: 'clips/x.mp4', thumbPath: null, createdAt: at, reviewedAt: at, fileDeletedAt: null });
  db.transaction(() => {
    repos.shares.insert({ id: shareId, clipId, status: 'exporting', optionsJson: '{}', requestId: null, createdAt: at });
  }).immediate();
  const rel = path.join('exports', `${shareId}.mp4`);
  copyFileSync(file, path.join(core.paths.dataDir, rel));
  repos.shares.update(shareId, { status: 'ready', exportPath: rel, sha256: sha, durationMs: 1000, recordedAt: at }, at);
  review.send(shareId);
  return shareId;
}

/**
 * The real uploader, in process, unthrottled, default 4 MiB chunks. Returns ms from start to
 * `uploaded` (end to end, including the pre-upload SHA-256 re-check of the export) and ms of the
 * transfer alone (from the share turning `uploading`, after the re-check, to `uploaded`).
 */
async function uploaderRun(file: string, sha: string, dir: string, platform: DevPlatform): Promise<{ total: number; transfer: number }> {
  const core = makeCore({ dir: path.join(dir, `run-${randomUUID()}`), log, config: { platform: { url: platform.url, token: TOKEN, maxUploadKbps: 0, chunkSizeMb: 4 } } });
  const { ledger, review } = createReview(core);
  const shareId = seedShare(core, review, file, sha);
  const { bus } = core;
  const { uploader } = createUpload(core, { ledger, scheduler: new Scheduler({ log, clock: core.clock, jobRuns: core.repos.jobRuns }) });
  if (!uploader) throw new Error('no uploader although a platform is configured');
  let transferStart = NaN;
  bus.on('bench', 'share.updated', ({ share }) => {
    if (share.id === shareId && share.status === 'uploading') transferStart = performance.now();
  });
  const done = new Promise<void>((resolve) => bus.on('bench', 'share.uploaded', ({ share }) => {
    if (share.id === shareId) resolve();
  }));
  const t0 = performance.now();
  await uploader.start();
  await done;
  const end = performance.now();
  await uploader.stop();
  core.cleanup();
  return { total: end - t0, transfer: end - transferStart };
}

/** kill -9 the built daemon mid-way through a throttled upload, restart it, count re-sent bytes on the platform. */
async function killResume(dir: string, platform: DevPlatform): Promise<{ resent: number; chunk: number }> {
  const file = path.join(dir, 'kill.bin');
  writeFileSync(file, randomBytes(4 * MIB));
  const dataDir = path.join(dir, 'kill-data');
  const seeded = makeCore({ dir, dataDir, log });
  seedShare(seeded, createReview(seeded).review, file, await sha256(file));
  seeded.cleanup();
  const config = path.join(dir, 'kill.yml');
  writeFileSync(config, `dataDir: ${dataDir}\ncacheDir: ${path.join(dir, 'cache')}\nweb: { host: 127.0.0.1, port: 0 }\n` +
    `platform: { url: "${platform.url}", token: "${TOKEN}", chunkSizeMb: 0.25, maxUploadKbps: 8000 }\nlogging: { level: warn }\n`);
  const main = path.join(packageRoot(), 'dist', 'src', 'main.js');
  const run = (): ReturnType<typeof spawn> => spawn(process.execPath, [main, 'start', '--config', config], { stdio: 'ignore' });
  const before = new Set(platform.received().map((r) => r.id));
  const mine = (): ReturnType<DevPlatform['received']>[number] | undefined => platform.received().find((r) => !before.has(r.id));
  const child = run();
  await waitUntil('2 MiB on the platform', () => (mine()?.offset ?? 0) >= 2 * MIB, 120_000, 20);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  await sleep(500);
  const again = run();
  await waitUntil('the resumed upload to complete', () => mine()?.complete === true, 120_000);
  again.kill('SIGTERM');
  await new Promise((r) => again.once('exit', r));
  const rec = mine();
  return { resent: (rec?.bytesReceived ?? NaN) - (rec?.size ?? NaN), chunk: MIB / 4 };
}

async function sha256(file: string): Promise<string> {
  return (await sha256File(file)).sha256;
}

export const uploadBench: Bench = {
  name: 'upload: tus to the dev platform vs plain PUT (loopback)',
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-upload-'));
    const platform = await startDevPlatform({ token: TOKEN, dir: path.join(dir, 'platform') });
    try {
      const file = path.join(dir, 'payload.bin');
      writeFileSync(file, randomBytes(FILE_MB * MIB));
      const sha = await sha256(file);
      const put: number[] = [];
      const total: number[] = [];
      const transfer: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        put.push(await plainPut(file, dir));
        const r = await uploaderRun(file, sha, dir, platform);
        total.push(r.total);
        transfer.push(r.transfer);
      }
      const mbps = (ms: number): number => Number(((FILE_MB * 8) / (ms / 1000)).toFixed(1));
      const putRate = mbps(median(put));
      const transferRate = mbps(median(transfer));
      const totalRate = mbps(median(total));
      const kill = await killResume(dir, platform);
      return [
        {
          name: `tus transfer → dev platform, ${FILE_MB} MiB, 4 MiB chunks, median of ${RUNS}`, value: transferRate, unit: 'Mbit/s',
          baseline: { name: 'plain HTTP PUT', value: putRate }, ratio: Number((transferRate / putRate).toFixed(3)),
          target: { op: '>=', value: 0.8, of: 'ratio' }, notes: 'create + PATCHes + platform-side SHA-256 verification',
        },
        {
          name: 'end to end incl. the pre-upload SHA-256 re-check of the export', value: totalRate, unit: 'Mbit/s',
          baseline: { name: 'plain HTTP PUT', value: putRate }, ratio: Number((totalRate / putRate).toFixed(3)),
        },
        {
          name: 'bytes re-sent after kill -9 mid-upload (4 MiB, 256 KiB chunks)', value: kill.resent, unit: 'bytes',
          target: { op: '<=', value: kill.chunk, of: 'value' }, notes: 'counted on the platform side; target = one chunk',
        },
      ];
    } finally {
      await platform.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
