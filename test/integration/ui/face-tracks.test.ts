// The approve dialog with on-device face tracks, in Chromium against the real daemon (issue 19): a clip
// made from a face-api group photo arrives through a camera inbox and is analysed; the queue shows its
// label; the dialog draws each suggested track over the PLAYING video (the boxes move with the pan);
// switching one off redraws it dashed, and the export made from the dialog leaves exactly that face:
// the preview's face check lists it and Send waits for the owner's confirmation.
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { SETTING } from '../../../src/db/repos/settings.js';
import { iou } from '../../../src/detect/letterbox.js';
import { parseStoredOptions } from '../../../src/review/options.js';
import { hashPassword } from '../../../src/web/auth/password.js';
import { buildPanClip, samplePhoto } from '../../support/faces.js';
import { freePort, makeTempDir, waitFor, waitUntil, type TempDir } from '../../support/index.js';
import { ARTIFACTS, CHROMIUM, launchChromium, openSignedIn, type BrowserHandle } from './browser.js';

const ready = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js'));
const PASSWORD = 'owner password face tracks';

let tmp: TempDir;
let app: App;
let b: BrowserHandle;
let page: Page;
let base: string;
let clipId = '';

describe.skipIf(!ready)('approve dialog with face tracks (Chromium, real daemon)', () => {
  beforeAll(async () => {
    tmp = await makeTempDir('cg-ui-tracks-');
    const inbox = path.join(tmp.path, 'inbox');
    mkdirSync(inbox, { recursive: true });
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: await freePort() },
      cameras: [{ id: 'door', name: 'Front door', inbox: { path: inbox, settleSeconds: 1 } }],
      detect: { enabled: true },
      logging: { level: 'warn' },
    });
    const secrets = new SecretRegistry();
    app = new App({ config, demo: false, log: createLogger({ level: 'warn', secrets }), secrets });
    app.core.repos.settings.set(SETTING.ownerPasswordHash, await hashPassword(PASSWORD));
    await app.start();
    // Faces sit in the middle band of sample1 (the footage test's geometry): a 6 s pan of 480 px.
    const clip = buildPanClip(samplePhoto(1), path.join(tmp.path, 'pan1.mp4'), { scale: 1.25, durationSec: 6, panPx: 480, faceSpan: [0.3, 0.55] });
    copyFileSync(clip.file, path.join(tmp.path, '.staged.mp4'));
    renameSync(path.join(tmp.path, '.staged.mp4'), path.join(inbox, 'group.mp4'));
    clipId = await waitFor('the clip', () => app.core.repos.clips.list({ limit: 10 }).items[0]?.id, 60_000, 200);
    await waitUntil('analysed', () => app.core.repos.clips.get(clipId)?.analysis === 'done', 240_000, 250);
    base = `http://127.0.0.1:${app.web.port}`;
    b = await launchChromium();
    page = await openSignedIn(b, base, PASSWORD, { hash: '#/queue' });
  }, 360_000);
  afterAll(async () => {
    await b?.close();
    await app?.stop();
    await tmp?.cleanup();
  });

  it('the queue shows the person label; the dialog draws the tracks over the playing video; one switched off is left in the export', async () => {
    const card = page.locator(`article.clip[data-clip-id="${clipId}"]`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.locator('[data-label=person]').count()).toBe(1);
    await card.getByRole('button', { name: 'Share…' }).click();
    const dialog = page.getByRole('dialog');
    const rows = dialog.locator('[data-testid=face-tracks] li[data-track-id]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const ids = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-track-id'))));

    // Play: the boxes follow the faces as the window pans (x of one box at two instants differs).
    const video = dialog.locator('.player-box video');
    const xAt = async (t: number): Promise<number | null> => {
      await video.evaluate((v: HTMLVideoElement, at: number) => { v.pause(); v.currentTime = at; }, t);
      await expect.poll(() => video.evaluate((v: HTMLVideoElement, at: number) => Math.abs(v.currentTime - at) < 0.05 && !v.seeking, t)).toBe(true);
      const rect = dialog.locator(`rect.track-box[data-track-id="${ids[0]}"]`);
      await expect.poll(() => rect.count(), { timeout: 5_000 }).toBe(1);
      return Number(await rect.getAttribute('x'));
    };
    await video.evaluate((v: HTMLVideoElement) => v.play());
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0.5);
    await expect.poll(() => dialog.locator('rect.track-box.on').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const x1 = await xAt(1.0);
    expect(x1).not.toBeNull();
    await xAt(4.0);
    // The box is redrawn on the next animation frame after the seek.
    const rect = dialog.locator(`rect.track-box[data-track-id="${ids[0]}"]`);
    await expect.poll(async () => Number(await rect.getAttribute('x')), { timeout: 5_000 }).toBeLessThan(x1!);
    const x2 = Number(await rect.getAttribute('x'));
    console.log(`track ${ids[0]} box x at 1.0 s: ${x1}, at 4.0 s: ${x2} (the pan moves faces left)`);

    // Switch the first track off: dashed box, "NOT blurred" in its row.
    const off = ids[0]!;
    await dialog.locator(`input[name=track-${off}]`).uncheck();
    await xAt(2.0);
    expect(await dialog.locator(`rect.track-box.off[data-track-id="${off}"]`).count()).toBe(1);
    expect(await dialog.locator(`li[data-track-id="${off}"]`).textContent()).toContain('NOT blurred');
    await dialog.locator('.player-box').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'approve-face-tracks-laptop.png') });
    await dialog.getByTestId('face-tracks').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'approve-face-list-laptop.png') });

    await dialog.getByRole('button', { name: 'Prepare and preview' }).click();
    await dialog.getByRole('heading', { name: 'Check the file before it is sent' }).waitFor();
    const check = dialog.getByTestId('face-check');
    await check.waitFor({ timeout: 240_000 });
    const share = app.controls.shares.list().find((s) => s.clipId === clipId)!;
    const stored = parseStoredOptions(app.core.repos.shares.get(share.id)!.optionsJson);
    expect(stored.faces?.tracks).toEqual(ids.filter((id) => id !== off).sort((a, c) => a - c));
    const v = app.controls.shares.get(share.id)!.verification!;
    const analysis = await app.controls.analysis!.get(clipId);
    const offTrack = analysis.tracks.find((t) => t.id === off)!;
    const onOff = v.findings.filter((f) => offTrack.keyframes.some((k) => Math.abs(k.t - f.t) < 0.2 && iou(k, f) > 0.1));
    console.log(`export with track ${off} off: check ${v.status}, ${v.found} found, ${onOff.length} of ${v.findings.length} listed on that face`);
    expect(v.status).toBe('faces');
    expect(onOff.length).toBeGreaterThan(0);
    expect(await check.locator('li').count()).toBe(v.findings.length);
    // A finding's time button shows that frame with the face outlined.
    await check.locator('li button').first().click();
    await dialog.getByTestId('finding-marker').waitFor();
    const exportVideo = dialog.getByTestId('export-video');
    await expect.poll(() => exportVideo.evaluate((el: HTMLVideoElement, t: number) => Math.abs(el.currentTime - t) < 0.05, v.findings[0]!.t)).toBe(true);
    // Send stays away until the owner confirms.
    expect(await dialog.getByRole('button', { name: 'Send' }).count()).toBe(0);
    await check.locator('input[name=confirmFaces]').check();
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'preview-face-check-laptop.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await waitUntil('cancelled', () => app.controls.shares.get(share.id)?.status === 'cancelled', 20_000, 100);
  }, 360_000);
});
