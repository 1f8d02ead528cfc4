// The whole owner journey through the real daemon, in Chromium: RTSP test camera → recorder → clip
// in the review queue → approved with one blur area and audio stripped → real ffmpeg export → the
// preview plays THAT file (its SHA-256 shown) → Send → tus upload (through a proxy that can hold
// PATCH requests, in front of the dev platform) → `uploaded`. And the two ways back: Cancel in
// the preview (nothing recorded, nothing sent), and Cancel after Send while the platform has not
// taken a byte (ledger `approved` then `withdrawn`, 0 bytes on the platform).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { SETTING } from '../../../src/db/repos/settings.js';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { hashPassword } from '../../../src/web/auth/password.js';
import { startFaultyProxy, type FaultyProxy } from '../../support/faulty-proxy.js';
import { audioStreams, ffprobe, freePort, makeTempDir, startRtspCamera, waitFor, waitUntil, type RtspCamera, type TempDir } from '../../support/index.js';
import { ARTIFACTS, CHROMIUM, LAPTOP, launchChromium, openSignedIn, PHONE, type BrowserHandle } from './browser.js';

const ready = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js')) && existsSync(path.resolve('src/demo/dev-platform/server.ts'));
const PASSWORD = 'owner password e2e';

let tmp: TempDir;
let camera: RtspCamera;
let platform: DevPlatform;
let proxy: FaultyProxy;
let app: App;
let b: BrowserHandle;
let page: Page;
let base: string;

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Press "Record clip now" until the recorder takes it, and return the id of the new pending clip. */
async function recordClip(): Promise<string> {
  const before = new Set(app.core.repos.clips.list({ limit: 200 }).items.map((c) => c.id));
  await page.goto(base + '/#/cameras');
  const porch = page.locator('[data-camera-id=porch]');
  await expect.poll(() => porch.locator('.badge').textContent(), { timeout: 30_000 }).toBe('online');
  // Give the ring buffer a few segments of pre-roll, then press the manual trigger.
  await expect.poll(async () => {
    await porch.getByRole('button', { name: 'Record clip now' }).click();
    return porch.getByRole('status').textContent();
  }, { timeout: 30_000, interval: 3000 }).toContain('Recording a clip now');
  return waitFor('a new clip', () => app.core.repos.clips.list({ limit: 200 }).items.find((c) => !before.has(c.id) && c.status === 'pending')?.id, 60_000, 250);
}

/** Open the clip's Share… dialog from the review queue; with `blur`, draw one rectangle. */
async function openApprove(clipId: string, blur: boolean): Promise<ReturnType<Page['getByRole']>> {
  await page.goto(base + '/#/queue');
  const card = page.locator(`article.clip[data-clip-id="${clipId}"]`);
  await card.waitFor({ timeout: 30_000 });
  await card.getByRole('button', { name: 'Share…' }).click();
  const dialog = page.getByRole('dialog');
  expect(await dialog.locator('input[name=includeAudio]').isChecked()).toBe(false);
  if (blur) {
    await dialog.getByTestId('blur-canvas').scrollIntoViewIfNeeded();
    const box = await dialog.getByTestId('blur-canvas').boundingBox();
    if (!box) throw new Error('no blur canvas');
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => dialog.locator('rect.blur-rect').count()).toBe(1);
  }
  await dialog.getByRole('button', { name: 'Prepare and preview' }).click();
  return dialog;
}

/** The preview of the export: wait for it to be ready, play it, return what it shows. */
async function previewShown(dialog: ReturnType<Page['getByRole']>): Promise<{ shareId: string; sha: string; removed: string }> {
  const preview = dialog.locator('.preview');
  await expect.poll(() => preview.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('ready');
  const video = dialog.getByTestId('export-video');
  await video.evaluate((v: HTMLVideoElement) => v.play());
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);
  const sha = ((await dialog.getByTestId('export-sha256').textContent()) ?? '').trim();
  const removed = (await dialog.getByTestId('export-removed').textContent()) ?? '';
  return { shareId: (await preview.getAttribute('data-share-id')) ?? '', sha, removed };
}

const ledgerOf = (shareId: string): string[] => app.core.repos.ledger.forShare(shareId).map((e) => e.action);

describe.skipIf(!ready)('owner journey in Chromium against the real daemon', () => {
  beforeAll(async () => {
    tmp = await makeTempDir('cg-e2e-ui-');
    camera = await startRtspCamera({ width: 640, height: 360, fps: 10 });
    const token = 'e2e-ui-platform-token-0123';
    platform = await startDevPlatform({ token, dir: path.join(tmp.path, 'platform') });
    proxy = await startFaultyProxy({ target: platform.url.replace(/\/api$/, ''), failureRate: 0, random: Math.random });
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: await freePort() },
      cameras: [{ id: 'porch', name: 'Porch', kind: 'doorbell', rtsp: { main: camera.mainUrl }, record: { preSeconds: 2, postSeconds: 2, maxSeconds: 30 } }],
      // Throttled: the upload takes a while, and the proxy can hold its first PATCH (a slow-starting platform).
      platform: { url: `${proxy.url}/api`, token, maxUploadKbps: 2000, chunkSizeMb: 0.25 },
      logging: { level: 'warn' },
    });
    const secrets = new SecretRegistry();
    app = new App({ config, demo: false, log: createLogger({ level: 'warn', secrets }), secrets });
    app.core.repos.settings.set(SETTING.ownerPasswordHash, await hashPassword(PASSWORD));
    await app.start();
    base = `http://127.0.0.1:${app.web.port}`;
    b = await launchChromium();
    page = await openSignedIn(b, base, PASSWORD, { hash: '#/cameras' });
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await app?.stop();
    await proxy?.stop();
    await platform?.stop();
    await camera?.stop();
    await tmp?.cleanup();
  });

  let clipId = '';

  it('Cancel in the preview: export gone, clip pending again, no ledger entry, 0 bytes on the platform', async () => {
    clipId = await recordClip();
    const dialog = await openApprove(clipId, false);
    const shown = await previewShown(dialog);
    const exportFile = path.join(app.core.paths.exports, `${shown.shareId}.mp4`);
    expect(existsSync(exportFile)).toBe(true);
    expect(sha256(exportFile)).toBe(shown.sha);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-preview-laptop.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitUntil('share cancelled', () => app.core.repos.shares.get(shown.shareId)?.status === 'cancelled', 10_000);
    expect(existsSync(exportFile)).toBe(false);
    expect(readdirSync(app.core.paths.exports)).toEqual([]);
    expect(app.core.repos.clips.get(clipId)?.status).toBe('pending');
    expect(app.core.repos.ledger.all()).toEqual([]);
    expect(platform.bytesReceived()).toBe(0);
    expect(platform.received()).toEqual([]);
    console.log(`cancel in ready: share ${shown.shareId} cancelled; platform byte counter ${platform.bytesReceived()}; ledger entries ${app.core.repos.ledger.count()}; clip ${app.core.repos.clips.get(clipId)?.status}`);
  }, 300_000);

  it('approve with one blur area: the preview plays a file whose SHA-256 is not the clip\'s and is the later upload\'s; Send → uploaded', async () => {
    const clip = app.core.repos.clips.get(clipId)!;
    const dialog = await openApprove(clipId, true);
    const shown = await previewShown(dialog);
    expect(shown.sha).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.sha).not.toBe(clip.sha256);
    expect(shown.sha).not.toBe(sha256(path.join(app.core.paths.dataDir, clip.filePath)));
    expect(shown.removed).toContain('Audio');
    expect(shown.removed).toContain('1 blurred area');
    expect(shown.removed).toContain('Metadata');
    // Nothing has been recorded or sent while the owner watches.
    expect(app.core.repos.ledger.all()).toEqual([]);
    expect(platform.bytesReceived()).toBe(0);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.goto(base + '/#/shares');
    await page.setViewportSize(PHONE);
    const share = page.locator(`[data-share-id="${shown.shareId}"]`);
    await expect.poll(() => share.getAttribute('data-status'), { timeout: 150_000, interval: 1000 }).toBe('uploaded');
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-shares-phone.png'), fullPage: true });
    await page.setViewportSize(LAPTOP);

    const [upload, ...more] = platform.received();
    expect(more).toEqual([]);
    expect(sha256(upload!.file)).toBe(shown.sha);
    expect(upload!.metadata.sha256).toBe(shown.sha);
    expect(audioStreams(await ffprobe(upload!.file))).toEqual([]);
    expect(ledgerOf(shown.shareId)).toEqual(['approved', 'uploaded']);
    const consent = app.core.repos.ledger.forShare(shown.shareId)[0]!;
    expect(consent.exportSha256).toBe(shown.sha);
    // The platform's witness: the chain head at the upload's creation, signed by the device key.
    expect(upload!.witness).toMatchObject({ seq: consent.seq, hash: consent.hash, signatureValid: true, fingerprint: app.controls.ledger.keyView().fingerprint });
    console.log(`preview sha256 ${shown.sha} = upload sha256 ${sha256(upload!.file)} (clip ${clip.sha256}); witness ${JSON.stringify({ ledgerSeq: upload!.metadata.ledgerSeq, ledgerHash: upload!.metadata.ledgerHash, ledgerSig: upload!.metadata.ledgerSig, deviceKey: upload!.metadata.deviceKey })}`);

    // The ledger page shows the shared file's hash on the approved and uploaded rows.
    await page.goto(base + '/#/ledger');
    await expect.poll(() => page.getByTestId('verify-badge').textContent()).toContain('Chain intact · 2 entries');
    for (const seq of [1, 2]) expect(await page.locator(`[data-seq="${seq}"] [data-testid=row-sha256]`).getAttribute('data-full')).toBe(shown.sha);
    expect(await page.getByTestId('device-key').textContent()).toContain(app.controls.ledger.keyView().fingerprint.slice(0, 4));
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-ledger-laptop.png'), fullPage: true });
  }, 300_000);

  it('Send with a slow-starting, throttled upload, then Cancel before the platform acknowledged a byte: withdrawn, 0 bytes', async () => {
    const id = await recordClip();
    const bytesBefore = platform.bytesReceived();
    const uploadsBefore = platform.received().length;
    proxy.setHoldPatches(true);
    try {
      const dialog = await openApprove(id, false);
      const shown = await previewShown(dialog);
      await dialog.getByRole('button', { name: 'Send' }).click();
      await dialog.waitFor({ state: 'detached' });
      // The upload is created and its first PATCH is on its way, but the platform has taken none of it.
      await waitUntil('the first PATCH in flight', () => proxy.heldPatches > 0, 60_000, 100);
      expect(app.core.repos.shares.get(shown.shareId)).toMatchObject({ status: 'uploading', bytesSent: 0 });
      await page.goto(base + '/#/shares');
      const row = page.locator(`[data-share-id="${shown.shareId}"]`);
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('uploading');
      await row.getByRole('button', { name: 'Cancel' }).click();
      await row.getByRole('button', { name: 'Confirm cancel' }).click();
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('cancelled');
      expect(ledgerOf(shown.shareId)).toEqual(['approved', 'withdrawn']);
      const withdrawn = app.core.repos.ledger.forShare(shown.shareId)[1]!;
      expect(withdrawn.options).toMatchObject({ bytesSent: 0, wasStatus: 'uploading', via: 'cancel' });
      expect(platform.bytesReceived() - bytesBefore).toBe(0);
      // The empty upload (its metadata) was deleted from the platform too.
      expect(platform.received()).toHaveLength(uploadsBefore);
      expect(proxy.droppedPatches).toBeGreaterThan(0);
      expect(app.core.repos.clips.get(id)?.status).toBe('pending');
      expect(existsSync(path.join(app.core.paths.exports, `${shown.shareId}.mp4`))).toBe(false);
      console.log(`withdrawn: ledger ${ledgerOf(shown.shareId).join(' → ')}; platform bytes for it ${platform.bytesReceived() - bytesBefore}; PATCH requests dropped unforwarded ${proxy.droppedPatches}`);
      await page.goto(base + '/#/ledger');
      await expect.poll(() => page.getByTestId('verify-badge').textContent()).toContain('Chain intact · 4 entries');
    } finally {
      proxy.setHoldPatches(false);
    }
  }, 300_000);
});
