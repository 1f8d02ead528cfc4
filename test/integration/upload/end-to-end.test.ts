// The whole path through the real composition root: a pending clip, the owner approves it
// through the review service, the real exporter (ffmpeg) redacts it into `ready`, nothing leaves
// until the owner's Send, then the uploader sends the export. Then the owner revokes it through
// the same controls the API uses.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { freePort, makeTempDir, waitUntil, type TempDir } from '../../support/index.js';
import { makeMp4, sha256 } from './harness.js';

let tmp: TempDir | undefined;
let app: App | undefined;
let platform: DevPlatform | undefined;
afterEach(async () => {
  await app?.stop();
  await platform?.stop();
  await tmp?.cleanup();
});

describe('approve → export → upload → revoke through the App', () => {
  it('uploads the redacted export (never the original) and revokes it, ledger verifying throughout', async () => {
    tmp = await makeTempDir('cg-e2e-upload-');
    const token = 'e2e-token-0123456789';
    platform = await startDevPlatform({ token, dir: path.join(tmp.path, 'platform') });
    const dataDir = path.join(tmp.path, 'data');
    const config = configSchema.parse({
      dataDir,
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: await freePort() },
      platform: { url: platform.url, token, chunkSizeMb: 0.25 },
      // This test is about the upload path. With detection on, the face check of this 320×180
      // test-pattern export reports two false "faces" and Send would wait for the owner's
      // confirmation (test/integration/detect/app.test.ts covers that path).
      detect: { enabled: false },
      logging: { level: 'silent' },
    });
    const secrets = new SecretRegistry();
    app = new App({ config, demo: false, log: createLogger({ level: 'silent', secrets }), secrets });
    const clipFile = path.join(dataDir, 'clips', 'front-door', 'clip-1.mp4');
    mkdirSync(path.dirname(clipFile), { recursive: true });
    await makeMp4(clipFile, 3, { size: '320x180' });
    // Recent, so start-up retention (pendingDays) leaves it alone.
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    app.core.repos.clips.insert({
      id: 'clip-1', cameraId: 'front-door', status: 'pending', trigger: 'doorbell', startedAt, endedAt: new Date(Date.parse(startedAt) + 3000).toISOString(),
      durationMs: 3000, sizeBytes: 1, width: 320, height: 180, hasAudio: false, sha256: sha256(clipFile),
      filePath: path.relative(dataDir, clipFile), thumbPath: null, createdAt: startedAt, reviewedAt: null, fileDeletedAt: null,
    });
    await app.start();
    const { review, shares, ledger } = app.controls;
    if (!review || !shares || !ledger) throw new Error('controls not wired');

    const share = review.approve('clip-1', { blur: [{ x: 0, y: 0, width: 0.5, height: 0.5 }], caption: 'doorbell, evening' });
    await waitUntil('export ready', () => shares.get(share.id)?.status === 'ready', 120_000, 200);
    // The export waits for the owner: nothing was created on the platform, nothing recorded.
    expect(platform.requestLog().filter((l) => l.path.includes('/uploads'))).toEqual([]);
    expect(ledger.list()).toEqual([]);
    review.send(share.id);
    await waitUntil('uploaded', () => shares.get(share.id)?.status === 'uploaded' || shares.get(share.id)?.status === 'failed', 120_000, 200);
    const uploaded = shares.get(share.id)!;
    expect(uploaded.error).toBeUndefined();
    expect(uploaded.status).toBe('uploaded');
    const [rec, ...rest] = platform.received();
    expect(rest).toEqual([]);
    expect(sha256(rec!.file)).toBe(uploaded.sha256);
    expect(rec!.metadata.sha256).toBe(uploaded.sha256);
    expect(rec!.verified?.ok).toBe(true);
    expect(rec!.metadata.caption).toBe('doorbell, evening');
    expect(uploaded.sha256).not.toBe(sha256(clipFile)); // the redacted export, never the original
    expect(ledger.list().map((e) => e.action)).toEqual(['approved', 'uploaded']);

    const revoked = await shares.revoke(share.id);
    expect(revoked.status).toBe('revoked');
    expect(platform.received()).toEqual([]);
    expect(ledger.list().map((e) => e.action)).toEqual(['approved', 'uploaded', 'revoked']);
    expect(await ledger.verify()).toMatchObject({ ok: true, entries: 3 });
  }, 180_000);
});
