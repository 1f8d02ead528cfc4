import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { systemClock } from '../../../src/core/clock.js';
import { Uploader } from '../../../src/upload/uploader.js';
import { ShareService } from '../../../src/upload/share-control.js';
import { readDevicePublicKey, verifyEntrySignature } from '../../../src/ledger/index.js';
import { makeTempDir, sleep, waitUntil, type TempDir } from '../../support/index.js';
import { addClip, approveAndExport, makeMp4, openHarness, sha256, type Harness } from './harness.js';

let tmp: TempDir;
let h: Harness;
let platform: DevPlatform | undefined;
let uploader: Uploader | undefined;
const TOKEN = 'test-token-1234567890';

beforeEach(async () => {
  tmp = await makeTempDir('cg-upload-');
  h = openHarness(path.join(tmp.path, 'data'));
});
afterEach(async () => {
  await uploader?.stop();
  uploader = undefined;
  await platform?.stop();
  platform = undefined;
  h.close();
  await tmp.cleanup();
});

function newUploader(url: string, token = TOKEN, extra: { kbps?: number; chunk?: number; baseMs?: number } = {}): Uploader {
  uploader = new Uploader({
    db: h.db, repos: h.repos, bus: h.bus, clock: systemClock, log: h.log, problems: h.problems, ledger: h.ledger,
    settings: { url, token, maxUploadKbps: extra.kbps ?? 0, concurrency: 1, chunkSizeBytes: extra.chunk ?? 256 * 1024 },
    dataDir: h.dataDir,
    backoff: { initialMs: extra.baseMs ?? 200, maxMs: 5_000, jitter: 0.2 },
    pollIntervalMs: 500,
  });
  return uploader;
}

describe('uploads to the dev platform', () => {
  it('an approved clip arrives byte-identical; sha256 matches metadata and share row; ledger has a verifying `uploaded` entry', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const src = path.join(tmp.path, 'src.mp4');
    await makeMp4(src, 3);
    const clip = addClip(h, { startedAt: '2026-11-29T12:30:45.123Z', durationMs: 3000 });
    const share = approveAndExport(h, clip, src, { caption: 'Someone at the gate', requestId: 'req-7' });
    const progress: number[] = [];
    h.bus.on('test', 'share.progress', (p) => void progress.push(p.bytesSent ?? -1));
    const uploaded = new Promise((resolve) => h.bus.on('test', 'share.uploaded', resolve));
    await newUploader(platform.url).start();
    await uploaded;

    const row = h.repos.shares.get(share.id);
    expect(row?.status).toBe('uploaded');
    const [rec, ...others] = platform.received();
    expect(others).toEqual([]);
    expect(rec?.complete).toBe(true);
    expect(rec?.verified?.ok).toBe(true);
    expect(readFileSync(rec!.file).equals(readFileSync(path.join(h.dataDir, row!.exportPath!)))).toBe(true);
    expect(sha256(rec!.file)).toBe(row?.sha256);
    const consent = h.ledger.list()[0]!;
    expect(rec?.metadata).toEqual({
      filename: `${share.id}.mp4`, filetype: 'video/mp4', sha256: row?.sha256, recordedAt: '2026-11-29T12:30:45.123Z',
      durationMs: '3000', caption: 'Someone at the gate', requestId: 'req-7',
      // The witness: the chain's head when the upload was created (this share's consent) and the device key.
      ledgerSeq: '1', ledgerHash: consent.hash, ledgerSig: consent.signature, deviceKey: h.ledger.keyView().publicKey,
    });
    expect(rec?.witness).toMatchObject({ seq: 1, signatureValid: true, fingerprint: h.ledger.keyView().fingerprint });
    expect(row?.remoteUrl).toBe(`${platform.url}/uploads/${rec?.id}`);
    expect(row?.bytesSent).toBe(row?.bytesTotal);
    expect(progress.at(-1)).toBe(row?.bytesTotal);
    const entries = h.ledger.list();
    expect(entries.map((e) => e.action)).toEqual(['approved', 'uploaded']);
    expect(entries[0]).toMatchObject({ shareId: share.id, exportSha256: row?.sha256 });
    expect(entries[1]).toMatchObject({ shareId: share.id, exportSha256: row?.sha256 });
    expect(await h.ledger.verify()).toEqual({ ok: true, entries: 2, notes: [] });
  });

  it('with 20 clips, 3 approved and 17 pending or rejected, the platform holds exactly the 3 exports', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const approved: string[] = [];
    for (let i = 0; i < 20; i++) {
      const file = path.join(h.dataDir, 'clips', `c${i}.mp4`);
      await makeMp4(file, 1, { seed: i });
      const clip = addClip(h, { startedAt: new Date(Date.UTC(2026, 0, 1, 10, i)).toISOString(), file: path.relative(h.dataDir, file) });
      if (i % 7 === 3) {
        const exp = path.join(tmp.path, `export-${i}.mp4`);
        await makeMp4(exp, 1, { seed: 100 + i });
        approved.push(approveAndExport(h, clip, exp).id);
      } else if (i % 2 === 0) {
        h.repos.clips.transition(clip.id, 'pending', 'rejected', new Date().toISOString());
      }
    }
    expect(approved).toHaveLength(3);
    await newUploader(platform.url).start();
    await waitUntil('3 uploads', () => approved.every((id) => h.repos.shares.get(id)?.status === 'uploaded'), 60_000);
    await uploader?.stop();

    const received = platform.received();
    const exportHashes = approved.map((id) => h.repos.shares.get(id)!.sha256).sort();
    expect(received.map((r) => r.metadata.sha256).sort()).toEqual(exportHashes);
    expect(received.map((r) => sha256(r.file)).sort()).toEqual(exportHashes);
    // Every file in the platform's store: one data file + one tus info file per upload, nothing else.
    expect(platform.files()).toEqual(received.flatMap((r) => [r.id, `${r.id}.json`]).sort());
    const clipHashes = new Set(h.repos.clips.allWithFiles().map((c) => sha256(path.join(h.dataDir, c.filePath))));
    for (const r of received) expect(clipHashes.has(sha256(r.file))).toBe(false);
    // No request ever carried anything but the 3 uploads.
    const patched = new Set(platform.requestLog().filter((l) => l.method === 'PATCH').map((l) => l.path.split('/').pop()));
    expect([...patched].sort()).toEqual(received.map((r) => r.id).sort());
    // Every upload holds a witness of the chain: its seq, hash and signature verify with the device's public key
    // (read from the key file, as the owner's `clipgate ledger key` shows it) and match the ledger itself.
    const device = readDevicePublicKey(h.dataDir)!;
    for (const r of received) {
      const seq = Number(r.metadata.ledgerSeq);
      const entry = h.repos.ledger.get(seq)!;
      expect(r.metadata.deviceKey).toBe(device.publicKeyBase64);
      expect(r.metadata.ledgerHash).toBe(entry.hash);
      expect(verifyEntrySignature(device.publicKey, r.metadata.ledgerHash ?? '', r.metadata.ledgerSig ?? '')).toBe(true);
      // The head at the upload's creation already held this share's consent.
      const consentSeq = h.repos.shares.list().find((s) => `${s.id}.mp4` === r.metadata.filename)?.consentSeq ?? Infinity;
      expect(seq).toBeGreaterThanOrEqual(consentSeq);
    }
    console.log(`witnesses: ${received.map((r) => `seq ${r.metadata.ledgerSeq} hash ${r.metadata.ledgerHash?.slice(0, 12)}… valid=${r.witness?.signatureValid}`).join('; ')}`);
  });

  it('a share without its approved ledger entry, or whose export changed after Send, is never uploaded', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const src = path.join(tmp.path, 'src.mp4');
    await makeMp4(src, 1);
    // A share row inserted behind the review's back: queued, export present, clip approved, no ledger entry.
    const sneaky = addClip(h, { status: 'approved', startedAt: '2026-01-01T00:00:00.000Z' });
    h.repos.shares.insert({ id: 'sneaky', clipId: sneaky.id, status: 'queued', optionsJson: '{}', requestId: null, createdAt: new Date().toISOString() });
    h.repos.shares.update('sneaky', { exportPath: 'exports/sneaky.mp4', sha256: sha256(src) }, new Date().toISOString());
    writeFileSync(path.join(h.dataDir, 'exports/sneaky.mp4'), readFileSync(src));
    // A share sent with consent to one export, whose file changed on disk between the preview and the upload.
    const tampered = approveAndExport(h, addClip(h, { startedAt: '2026-01-01T00:01:00.000Z' }), src);
    writeFileSync(path.join(h.dataDir, tampered.exportPath!), Buffer.concat([readFileSync(src), Buffer.from('x')]));
    await newUploader(platform.url).start();
    await waitUntil('tampered share failed', () => h.repos.shares.get(tampered.id)?.status === 'failed', 60_000);
    expect(h.repos.shares.get(tampered.id)?.error).toMatch(/the export changed after it was approved: the owner consented to SHA-256 [0-9a-f]{64}, the file now hashes to [0-9a-f]{64}; not uploaded/);
    expect(h.problems.has(`share.${tampered.id}`)).toBe(true);
    expect(h.repos.shares.get('sneaky')?.status).toBe('queued');
    expect(platform.received()).toEqual([]);
    expect(platform.requestLog().filter((l) => l.path.includes('/uploads'))).toEqual([]);
  });

  it('revoking removes the upload from the platform and appends a ledger entry that verifies', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const src = path.join(tmp.path, 'src.mp4');
    await makeMp4(src, 1);
    const share = approveAndExport(h, addClip(h, { startedAt: '2026-01-01T00:00:00.000Z' }), src);
    const up = newUploader(platform.url);
    await up.start();
    await waitUntil('uploaded', () => h.repos.shares.get(share.id)?.status === 'uploaded', 60_000);
    expect(platform.received()).toHaveLength(1);
    const shares = new ShareService({ db: h.db, repos: h.repos, bus: h.bus, clock: systemClock, log: h.log, ledger: h.ledger, uploader: up, dataDir: h.dataDir });
    const revokedEvent = new Promise((resolve) => h.bus.on('test', 'share.revoked', resolve));
    const result = await shares.revoke(share.id);
    await revokedEvent;
    expect(result.status).toBe('revoked');
    expect(platform.received()).toEqual([]);
    expect(platform.files()).toEqual([]);
    expect(JSON.parse(h.repos.shares.get(share.id)!.revokeResponse!)).toMatchObject({ status: 204 });
    expect(h.ledger.list().map((e) => e.action)).toEqual(['approved', 'uploaded', 'revoked']);
    expect(await h.ledger.verify()).toEqual({ ok: true, entries: 3, notes: [] });
    await expect(shares.revoke(share.id)).rejects.toMatchObject({ code: 'NOT_REVOCABLE' });
    await expect(shares.revoke('nope')).rejects.toMatchObject({ code: 'SHARE_NOT_FOUND' });
  });

  it('revoking (or cancelling) a share still uploading stops it first: bytes had left, so it is a revocation; nothing remains, no upload resumes', async () => {
    platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
    const src = path.join(tmp.path, 'big.mp4');
    await makeMp4(src, 4, { lossless: true, size: '320x180' });
    const share = approveAndExport(h, addClip(h, { startedAt: '2026-01-01T00:00:00.000Z' }), src);
    const up = newUploader(platform.url, TOKEN, { kbps: 4000, chunk: 64 * 1024 });
    await up.start();
    await waitUntil('upload under way', () => (h.repos.shares.get(share.id)?.bytesSent ?? 0) > 0, 60_000);
    const shares = new ShareService({ db: h.db, repos: h.repos, bus: h.bus, clock: systemClock, log: h.log, ledger: h.ledger, uploader: up, dataDir: h.dataDir });
    await shares.cancel(share.id);
    const sentAtRevoke = platform.received().length;
    expect(sentAtRevoke).toBe(0);
    up.kick();
    await sleep(1000);
    expect(h.repos.shares.get(share.id)?.status).toBe('revoked');
    expect(platform.files()).toEqual([]);
    expect(h.ledger.list().map((e) => e.action)).toEqual(['approved', 'revoked']);
    expect(h.ledger.list().at(-1)?.options).toMatchObject({ wasStatus: 'uploading' });
    expect((await h.ledger.verify()).ok).toBe(true);
  });
});
