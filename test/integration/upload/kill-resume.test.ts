// kill -9 of the real built daemon halfway through a large throttled upload, then a restart:
// the upload completes from the platform's offset, one file, at most one chunk re-sent.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { openDatabase } from '../../../src/db/index.js';
import { freePort, makeTempDir, spawnProcess, stopAll, waitUntil, type ManagedProcess, type TempDir } from '../../support/index.js';
import { addClip, approveAndExport, makeMp4, openHarness, sha256 } from './harness.js';

const MAIN = path.resolve('dist/src/main.js');
const CHUNK = 256 * 1024;
const TOKEN = 'kill-test-token-0123456789';

/** Build when dist is missing or older than the upload sources, so the child runs this code. */
function ensureBuilt(): void {
  const built = path.resolve('dist/src/upload/uploader.js');
  const src = path.resolve('src/upload/uploader.ts');
  if (existsSync(built) && statSync(built).mtimeMs >= statSync(src).mtimeMs) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore', timeout: 300_000 });
  } catch {
    // tsc exits non-zero on type errors elsewhere in the tree but still emits; the check below decides.
  }
  if (!existsSync(built)) throw new Error('build did not produce dist/src/upload/uploader.js');
}

let tmp: TempDir;
let platform: DevPlatform | undefined;
beforeAll(async () => {
  ensureBuilt();
  tmp = await makeTempDir('cg-kill-');
}, 320_000);
afterAll(async () => {
  await stopAll();
  await platform?.stop();
  await tmp.cleanup();
});

function shareRow(db: string, id: string): { status: string; upload_url: string | null; bytes_sent: number } | undefined {
  const conn = openDatabase(db);
  try {
    return conn.prepare('SELECT status, upload_url, bytes_sent FROM shares WHERE id = ?').get(id) as { status: string; upload_url: string | null; bytes_sent: number } | undefined;
  } finally {
    conn.close();
  }
}

describe('kill -9 mid-upload', () => {
  it('resumes after restart with HEAD + PATCH: one file on the platform, at most one chunk re-sent', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const dataDir = path.join(tmp.path, 'data');
    const h = openHarness(dataDir);
    const src = path.join(tmp.path, 'big.mp4');
    await makeMp4(src, 20, { lossless: true, size: '640x360' });
    const size = statSync(src).size;
    const shareId = approveAndExport(h, addClip(h, { startedAt: '2026-05-01T08:00:00.000Z', durationMs: 20_000 }), src).id;
    h.close();

    const config = path.join(tmp.path, 'clipgate.yml');
    const webPort = await freePort();
    writeFileSync(config, [
      `dataDir: ${dataDir}`, `cacheDir: ${path.join(tmp.path, 'cache')}`, `web: { host: 127.0.0.1, port: ${webPort} }`,
      `platform: { url: "${platform.url}", token: "${TOKEN}", chunkSizeMb: 0.25, maxUploadKbps: 4000 }`, 'logging: { level: debug }', '',
    ].join('\n'));
    const startDaemon = (): Promise<ManagedProcess> => spawnProcess(process.execPath, [MAIN, 'start', '--config', config], { name: 'clipgate' });

    const first = await startDaemon();
    await waitUntil('half the bytes on the platform', () => (platform!.received()[0]?.offset ?? 0) >= size / 2, 90_000, 20);
    await first.stop('SIGKILL');
    // Let the platform notice the dead connection and settle what it stored.
    let settled = -1;
    await waitUntil('platform settled', () => {
      const now = platform!.received()[0]?.bytesReceived ?? 0;
      const same = now === settled;
      settled = now;
      return same;
    }, 10_000, 300);
    const atKill = platform.received()[0]!;
    expect(atKill.complete).toBe(false);
    const row = shareRow(path.join(dataDir, 'clipgate.db'), shareId);
    expect(row?.status).toBe('uploading');
    expect(row?.upload_url).toBe(`${platform.url}/uploads/${atKill.id}`);

    const second = await startDaemon();
    await waitUntil('uploaded after restart', () => shareRow(path.join(dataDir, 'clipgate.db'), shareId)?.status === 'uploaded', 90_000, 200);
    await second.waitForLine(/resuming upload/, 5_000);
    await second.stop('SIGTERM');

    const received = platform.received();
    expect(received).toHaveLength(1);
    const done = received[0]!;
    expect(done.id).toBe(atKill.id);
    expect(done.complete).toBe(true);
    expect(done.verified?.ok).toBe(true);
    expect(sha256(done.file)).toBe(sha256(src));
    const resent = done.bytesReceived - size;
    const afterRestart = done.bytesReceived - atKill.bytesReceived;
    console.info(`kill-resume: size=${size} offsetAtKill=${atKill.offset} receivedAtKill=${atKill.bytesReceived} afterRestart=${afterRestart} resent=${resent}`);
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThanOrEqual(CHUNK);
    // The restart PATCHes start at the offset the platform held when the daemon died.
    const firstPatchAfter = done.patches[atKill.patches.length];
    expect(firstPatchAfter?.offset).toBe(atKill.offset);
    expect(platform.files()).toEqual([done.id, `${done.id}.json`].sort());
  }, 240_000);
});
