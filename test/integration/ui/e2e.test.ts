// The whole owner journey through the real daemon: RTSP test camera → recorder → clip in the
// review queue → played in Chromium → approved with one blur area and audio stripped → real
// ffmpeg export → tus upload to the dev platform → the share shows `uploaded` in the browser.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { SETTING } from '../../../src/db/repos/settings.js';
import { hashPassword } from '../../../src/web/auth/password.js';
import { audioStreams, ffprobe, freePort, makeTempDir, startRtspCamera, type RtspCamera, type TempDir } from '../../support/index.js';
import { ARTIFACTS, CHROMIUM, LAPTOP, launchChromium, PHONE, type BrowserHandle } from './browser.js';

const ready = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js')) && existsSync(path.resolve('src/demo/dev-platform/server.ts'));
const PASSWORD = 'owner password e2e';

let tmp: TempDir;
let camera: RtspCamera;
let platform: DevPlatform;
let app: App;
let b: BrowserHandle;
let page: Page;

describe.skipIf(!ready)('owner journey in Chromium against the real daemon', () => {
  beforeAll(async () => {
    tmp = await makeTempDir('cg-e2e-ui-');
    camera = await startRtspCamera({ width: 640, height: 360, fps: 10 });
    const token = 'e2e-ui-platform-token-0123';
    platform = await startDevPlatform({ token, dir: path.join(tmp.path, 'platform') });
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: await freePort() },
      cameras: [{ id: 'porch', name: 'Porch', kind: 'doorbell', rtsp: { main: camera.mainUrl }, record: { preSeconds: 2, postSeconds: 2, maxSeconds: 30 } }],
      platform: { url: platform.url, token },
      logging: { level: 'warn' },
    });
    const secrets = new SecretRegistry();
    app = new App({ config, demo: false, log: createLogger({ level: 'warn', secrets }), secrets });
    app.core.repos.settings.set(SETTING.ownerPasswordHash, await hashPassword(PASSWORD));
    await app.start();
    b = await launchChromium();
    page = await b.context.newPage();
    await page.setViewportSize(LAPTOP);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await app?.stop();
    await platform?.stop();
    await camera?.stop();
    await tmp?.cleanup();
  });

  it('log in, record, play, approve with a blur area and no audio, see it uploaded', async () => {
    const base = `http://127.0.0.1:${app.web.port}`;
    await page.goto(base + '/#/cameras');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    const porch = page.locator('[data-camera-id=porch]');
    await expect.poll(() => porch.locator('.badge').textContent(), { timeout: 30_000 }).toBe('online');
    // Give the ring buffer a few segments of pre-roll, then press the manual trigger.
    await expect.poll(async () => {
      await porch.getByRole('button', { name: 'Record clip now' }).click();
      return porch.getByRole('status').textContent();
    }, { timeout: 30_000, interval: 3000 }).toContain('Recording a clip now');

    await page.goto(base + '/#/queue');
    const card = page.locator('article.clip').first();
    await card.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-queue-laptop.png') });
    await card.locator('button.thumb').click();
    await expect.poll(() => card.locator('video').evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);

    await card.getByRole('button', { name: 'Share…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('input[name=includeAudio]').isChecked()).toBe(false);
    const box = await dialog.getByTestId('blur-canvas').boundingBox();
    if (!box) throw new Error('no blur canvas');
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => dialog.locator('rect.blur-rect').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Approve and share' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.goto(base + '/#/shares');
    await page.setViewportSize(PHONE);
    const share = page.locator('[data-share-id]').first();
    await expect.poll(() => share.getAttribute('data-status'), { timeout: 150_000, interval: 1000 }).toBe('uploaded');
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-shares-phone.png'), fullPage: true });

    const received = platform.received();
    expect(received).toHaveLength(1);
    const probe = await ffprobe(received[0]!.file);
    expect(audioStreams(probe)).toEqual([]);
    const ledgerActions = app.controls.ledger?.list().map((e) => e.action);
    expect(ledgerActions).toEqual(['approved', 'uploaded']);
  }, 300_000);
});
