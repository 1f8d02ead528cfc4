import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Share } from '../../../src/core/types.js';
import { ExportWorker } from '../../../src/review/exporter.js';
import { sha256File } from '../../../src/core/durable.js';
import { childPids, isPidAlive, makeTempDir, spawnProcess, stopAll, waitUntil, type TempDir } from '../../support/index.js';
import { makeEnv, type ReviewEnv } from '../../unit/review/env.js';
import { makeClip } from './media.js';

let media: TempDir;
let source: string;
let child: string;

beforeAll(async () => {
  media = await makeTempDir('cg-crash-media-');
  source = path.join(media.path, 'long.mp4');
  // Long enough that the blurred encode is still running when we pull the plug.
  await makeClip(source, { seconds: 20, fps: 15 });
  // Bundled inside node_modules so the bundle's bare imports (better-sqlite3, pino, zod) resolve.
  const outDir = path.resolve('node_modules/.cache/clipgate-review-test');
  mkdirSync(outDir, { recursive: true });
  child = path.join(outDir, `child-${process.pid}.mjs`);
  await build({ entryPoints: ['test/integration/review/fixtures/child.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: child, logLevel: 'silent' });
}, 180_000);

afterAll(async () => {
  await stopAll();
  await media.cleanup();
});

let env: ReviewEnv | undefined;
afterEach(async () => {
  await stopAll();
  env?.cleanup();
  env = undefined;
});

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  await waitUntil('the processes to exit', () => !pids.some(isPidAlive), ms).catch(() => undefined);
  return pids.filter(isPidAlive);
}

describe('crash safety and concurrency (separate processes)', () => {
  it('kill -9 during an export leaves no export visible; the next start re-exports it', async () => {
    env = makeEnv();
    const clip = env.insertClip({ filePath: 'clips/long.mp4', thumbPath: null, durationMs: 20_000 });
    copyFileSync(source, path.join(env.dataDir, 'clips/long.mp4'));
    const share = env.review.approve(clip.id, { blur: [{ x: 0.2, y: 0.2, width: 0.3, height: 0.3 }] });
    const exportsDir = path.join(env.dataDir, 'exports');

    const daemon = await spawnProcess(process.execPath, [child, 'worker', env.dataDir], { name: 'export-child' });
    await daemon.waitForLine(new RegExp(`^progress ${share.id} ([1-9]|[1-8]\\d)$`), 60_000);
    const ffmpegs = childPids(daemon.pid);
    expect(ffmpegs.length).toBeGreaterThan(0);
    process.kill(daemon.pid, 'SIGKILL');
    await daemon.exited;
    // Its ffmpeg loses the progress pipe and dies of SIGPIPE; make sure, by PID, before going on.
    for (const pid of await waitGone(ffmpegs, 10_000)) process.kill(pid, 'SIGKILL');

    expect(existsSync(path.join(exportsDir, `${share.id}.mp4`))).toBe(false);
    expect(env.repos.shares.get(share.id)?.status).toBe('exporting');
    const leftovers = readdirSync(exportsDir);
    expect(leftovers.every((n) => n.startsWith('.'))).toBe(true);

    const worker = new ExportWorker({ db: env.db, repos: env.repos, ledger: env.ledger, clock: env.clock, bus: env.bus, log: pino({ level: 'silent' }), dataDir: env.dataDir, exportsDir, pollMs: 60_000 });
    const done = new Promise<Share>((resolve) => env!.bus.on('t', 'share.updated', ({ share: s }) => void (s.id === share.id && s.status !== 'exporting' && resolve(s))));
    await worker.start();
    try {
      const finished = await done;
      expect(finished.status).toBe('ready');
      expect(readdirSync(exportsDir)).toEqual([`${share.id}.mp4`]);
      const rec = env.repos.shares.get(share.id)!;
      expect((await sha256File(path.join(env.dataDir, rec.exportPath!))).sha256).toBe(rec.sha256);
    } finally {
      await worker.stop();
    }
  }, 180_000);

  it('concurrent `clips approve` from four processes create exactly one share; four concurrent `clips send` one consent entry', async () => {
    env = makeEnv();
    const clip = env.insertClip();
    const config = path.join(env.dir, 'clipgate.yml');
    writeFileSync(config, `dataDir: ${env.dataDir}\n`);
    const raceOf = async (action: 'approve' | 'send', refusal: RegExp): Promise<void> => {
      const goAt = Date.now() + 2_000;
      const procs = await Promise.all([0, 1, 2, 3].map((i) => spawnProcess(process.execPath, [child, action, config, clip.id, String(goAt)], { name: `${action}-${i}` })));
      const exits = await Promise.all(procs.map(async (p) => (await p.waitForLine(/^EXIT (\d)$/, 60_000))[1]));
      expect(exits.sort()).toEqual(['0', '1', '1', '1']);
      for (const p of procs.filter((x) => x.lines().includes('EXIT 1'))) expect(p.tail()).toMatch(refusal);
    };
    await raceOf('approve', /NOT_APPROVABLE/);
    expect(env.repos.shares.list()).toHaveLength(1);
    // Approving records no consent: that is Send's, once the export exists.
    expect(env.ledger.list()).toEqual([]);
    const share = env.exportDone(env.repos.shares.list()[0]!.id);
    await raceOf('send', /NOT_SENDABLE/);
    const approved = env.ledger.list().filter((e) => e.action === 'approved');
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({ shareId: share.id, exportSha256: share.sha256 });
    // Four processes wrote through the ledger: the mirror holds each entry once, in order.
    expect(await env.ledger.verify()).toEqual({ ok: true, entries: 1, notes: [] });
  }, 120_000);
});
