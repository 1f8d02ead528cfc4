import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { startDevPlatform, type DevPlatform } from '../scripts/dev-platform/server.js';
import { systemClock } from '../src/core/clock.js';
import { EventBus } from '../src/core/events.js';
import { createLogger, SecretRegistry } from '../src/core/logger.js';
import { Problems } from '../src/core/problems.js';
import { packageRoot } from '../src/core/version.js';
import { createRepos, openDatabase } from '../src/db/index.js';
import { Ledger } from '../src/review/ledger.js';
import { Uploader } from '../src/upload/uploader.js';
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

/** A database holding one approved, exported, queued share of `file`, as review + exporter leave it. */
function seedShare(dataDir: string, file: string, sha: string): string {
  mkdirSync(path.join(dataDir, 'exports'), { recursive: true });
  const db = openDatabase(path.join(dataDir, 'clipgate.db'));
  const repos = createRepos(db);
  const ledger = new Ledger({ db, repos });
  const at = new Date().toISOString();
  const clipId = randomUUID();
  const shareId = randomUUID();
  repos.clips.insert({ id: clipId, cameraId: 'bench', status: 'approved', trigger: 'manual', startedAt: at, endedAt: at, durationMs: 1000, sizeBytes: 1,
    width: 1, height: 1, hasAudio: false, sha256: sha, filePath: 'clips/x.mp4', thumbPath: null, createdAt: at, reviewedAt: at, fileDeletedAt: null });
  db.transaction(() => {
    repos.shares.insert({ id: shareId, clipId, status: 'exporting', optionsJson: '{}', requestId: null, createdAt: at });
    ledger.append({ action: 'approved', clipId, shareId, sha256: sha }, at);
  }).immediate();
  const rel = path.join('exports', `${shareId}.mp4`);
  copyFileSync(file, path.join(dataDir, rel));
  repos.shares.update(shareId, { status: 'queued', exportPath: rel, sha256: sha, durationMs: 1000, recordedAt: at }, at);
  db.close();
  return shareId;
}

/**
 * The real uploader, in process, unthrottled, default 4 MiB chunks. Returns ms from start to
 * `uploaded` (end to end, including the pre-upload SHA-256 re-check of the export) and ms of the
 * transfer alone (from the share turning `uploading`, after the re-check, to `uploaded`).
 */
async function uploaderRun(file: string, sha: string, dir: string, platform: DevPlatform): Promise<{ total: number; transfer: number }> {
  const dataDir = path.join(dir, `data-${randomUUID()}`);
  const shareId = seedShare(dataDir, file, sha);
  const db = openDatabase(path.join(dataDir, 'clipgate.db'));
  const repos = createRepos(db);
  const bus = new EventBus(log);
  const uploader = new Uploader({
    db, repos, bus, clock: systemClock, log, problems: new Problems({ bus, clock: systemClock }), ledger: new Ledger({ db, repos }),
    settings: { url: platform.url, token: TOKEN, maxUploadKbps: 0, concurrency: 1, chunkSizeBytes: 4 * MIB }, dataDir,
  });
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
  db.close();
  return { total: end - t0, transfer: end - transferStart };
}

/** kill -9 the built daemon mid-way through a throttled upload, restart it, count re-sent bytes on the platform. */
async function killResume(dir: string, platform: DevPlatform): Promise<{ resent: number; chunk: number }> {
  const file = path.join(dir, 'kill.bin');
  writeFileSync(file, randomBytes(4 * MIB));
  const dataDir = path.join(dir, 'kill-data');
  seedShare(dataDir, file, await sha256(file));
  const config = path.join(dir, 'kill.yml');
  writeFileSync(config, `dataDir: ${dataDir}\ncacheDir: ${path.join(dir, 'cache')}\nweb: { host: 127.0.0.1, port: 0 }\n` +
    `platform: { url: "${platform.url}", token: "${TOKEN}", chunkSizeMb: 0.25, maxUploadKbps: 8000 }\nlogging: { level: warn }\n`);
  const main = path.join(packageRoot(), 'dist', 'src', 'main.js');
  const run = (): ReturnType<typeof spawn> => spawn(process.execPath, [main, 'start', '--config', config], { stdio: 'ignore' });
  const before = new Set(platform.received().map((r) => r.id));
  const mine = (): ReturnType<DevPlatform['received']>[number] | undefined => platform.received().find((r) => !before.has(r.id));
  const child = run();
  while ((mine()?.offset ?? 0) < 2 * MIB) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 500));
  const again = run();
  while (!mine()?.complete) await new Promise((r) => setTimeout(r, 100));
  again.kill('SIGTERM');
  await new Promise((r) => again.once('exit', r));
  const rec = mine();
  return { resent: (rec?.bytesReceived ?? NaN) - (rec?.size ?? NaN), chunk: MIB / 4 };
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
