import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { systemClock } from '../../../src/core/clock.js';
import { Uploader, AUTH_PROBLEM } from '../../../src/upload/uploader.js';
import { encodeMetadata } from '../../../src/upload/metadata.js';
import { TusClient, TusHttpError } from '../../../src/upload/tus-client.js';
import { Readable } from 'node:stream';
import { freePort, makeTempDir, sleep, waitUntil, type TempDir } from '../../support/index.js';
import { addClip, approveAndExport, makeMp4, openHarness, type Harness } from './harness.js';

let tmp: TempDir;
let h: Harness;
let platform: DevPlatform | undefined;
let uploader: Uploader | undefined;
const TOKEN = 'right-token-abcdef';

beforeEach(async () => {
  tmp = await makeTempDir('cg-upload-fail-');
  h = openHarness(path.join(tmp.path, 'data'));
});
afterEach(async () => {
  await uploader?.stop();
  await platform?.stop();
  uploader = undefined;
  platform = undefined;
  h.close();
  await tmp.cleanup();
});

function newUploader(url: string, token: string, baseMs = 300): Uploader {
  uploader = new Uploader({
    db: h.db, repos: h.repos, bus: h.bus, clock: systemClock, log: h.log, problems: h.problems, ledger: h.ledger,
    settings: { url, token, maxUploadKbps: 0, concurrency: 1, chunkSizeBytes: 128 * 1024 },
    dataDir: h.dataDir, backoff: { initialMs: baseMs, maxMs: 60_000, jitter: 0.2 }, pollIntervalMs: 60_000,
  });
  return uploader;
}

async function oneShare(): Promise<string> {
  const src = path.join(tmp.path, 'src.mp4');
  await makeMp4(src, 2);
  return approveAndExport(h, addClip(h, { startedAt: '2026-01-01T00:00:00.000Z' }), src).id;
}

describe('upload failures', () => {
  it('platform down: retries with growing delays, then succeeds when it comes back', async () => {
    const port = await freePort();
    const id = await oneShare();
    // Delays the uploader chose, from nextAttemptAt as each retry is scheduled.
    const delays: number[] = [];
    h.bus.on('test', 'share.updated', ({ share }) => {
      const rec = h.repos.shares.get(share.id);
      if (rec?.nextAttemptAt && share.error?.startsWith('platform unreachable')) delays.push(Date.parse(rec.nextAttemptAt) - Date.parse(rec.updatedAt));
    });
    await newUploader(`http://127.0.0.1:${port}/api`, TOKEN).start();
    await waitUntil('4 retries', () => delays.length >= 4, 30_000);
    expect(h.repos.shares.get(id)?.status).not.toBe('failed');
    // Nominal 300, 600, 1200, 2400 ms with ±10 % jitter: each clearly longer than the one before.
    for (let i = 1; i < 4; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]! * 1.5);
    expect(h.problems.has('platform.unreachable')).toBe(true);
    platform = await startDevPlatform({ port, token: TOKEN, dir: path.join(tmp.path, 'platform') });
    await waitUntil('uploaded after the platform returned', () => h.repos.shares.get(id)?.status === 'uploaded', 30_000);
    expect(platform.received()).toHaveLength(1);
    expect(platform.received()[0]?.verified?.ok).toBe(true);
    expect(h.problems.has('platform.unreachable')).toBe(false);
    expect(h.repos.shares.get(id)?.attempts).toBe(0);
  });

  it('wrong token: share failed with a clear reason, a problem, and no hammering', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const first = await oneShare();
    const src = path.join(tmp.path, 'src2.mp4');
    await makeMp4(src, 1, { seed: 2 });
    const second = approveAndExport(h, addClip(h, { startedAt: '2026-01-01T00:05:00.000Z' }), src).id;
    const up = newUploader(platform.url, 'wrong-token');
    await up.start();
    await waitUntil('failed', () => h.repos.shares.get(first)?.status === 'failed', 60_000);
    // Give a retry storm every chance to show itself.
    for (let i = 0; i < 5; i++) {
      up.kick();
      await sleep(200);
    }
    const share = h.repos.shares.get(first);
    expect(share?.error).toMatch(/rejected the token \(401\).*platform\.token/);
    expect(h.problems.has(AUTH_PROBLEM)).toBe(true);
    expect(h.repos.shares.get(second)?.status).toBe('queued');
    expect(platform.requestLog()).toEqual([expect.objectContaining({ method: 'POST', status: 401 })]);
    expect(platform.received()).toEqual([]);
  });

  it('platform refuses the size (413): failed with a reason, no retry', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform'), maxSizeBytes: 1000 });
    const id = await oneShare();
    await newUploader(platform.url, TOKEN).start();
    await waitUntil('failed', () => h.repos.shares.get(id)?.status === 'failed', 60_000);
    await sleep(500);
    expect(h.repos.shares.get(id)?.error).toMatch(/larger than the community platform accepts \(413\)/);
    expect(h.problems.has(`share.${id}`)).toBe(true);
    expect(platform.requestLog()).toHaveLength(1);
  });

  it('a stored upload URL the platform has forgotten (404) starts a new upload', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const id = await oneShare();
    h.repos.shares.update(id, { status: 'uploading', uploadUrl: `${platform.url}/uploads/0123456789abcdef` }, new Date().toISOString());
    await newUploader(platform.url, TOKEN).start();
    await waitUntil('uploaded', () => h.repos.shares.get(id)?.status === 'uploaded', 60_000);
    expect(platform.requestLog().slice(0, 2).map((l) => `${l.method} ${l.status}`)).toEqual(['HEAD 404', 'POST 201']);
    expect(h.repos.shares.get(id)?.remoteUrl).toBe(`${platform.url}/uploads/${platform.received()[0]?.id}`);
  });

  it('the dev platform rejects bytes that do not hash to the sha256 metadata (460) and marks them', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const client = new TusClient({ baseUrl: platform.url, token: TOKEN });
    const bytes = Buffer.from('not what the metadata claims');
    const witness = { ledgerSeq: 1, ledgerHash: '1'.repeat(64), ledgerSig: 'A'.repeat(86) + '==', deviceKey: 'A'.repeat(43) + '=' };
    const url = await client.create(bytes.length, encodeMetadata({ filename: 'x.mp4', filetype: 'video/mp4', sha256: '0'.repeat(64), recordedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, ...witness }));
    const err = await client.patch(url, 0, Readable.from([bytes]), bytes.length).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TusHttpError);
    expect((err as TusHttpError).status).toBe(460);
    expect(platform.received()[0]?.verified).toMatchObject({ ok: false });
    // A witness that does not verify is shown as such, never as valid.
    expect(platform.received()[0]?.witness).toMatchObject({ seq: 1, signatureValid: false });
  });
});
