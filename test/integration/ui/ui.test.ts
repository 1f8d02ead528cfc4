// The browser app against a real App (real auth, API, SSE, static files) with fake service
// controls, so the UI is proven independently of the recording/review/upload modules.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClip, PASSWORD, startHarness, type Harness } from '../../unit/web/harness.js';
import { ARTIFACTS, CHROMIUM, LAPTOP, launchChromium, makeClipFiles, PHONE, type BrowserHandle } from './browser.js';

const UI_DIR = path.resolve('dist/ui');
const ready = existsSync(CHROMIUM) && existsSync(path.join(UI_DIR, 'app.js'));

let h: Harness;
let b: BrowserHandle;
let page: Page;
let base: string;
const pageErrors: string[] = [];

/** Phone and laptop screenshots; a modal dialog is shot as the viewport, pages in full. */
async function shoot(name: string, fullPage = true): Promise<void> {
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-phone.png`), fullPage });
  await page.setViewportSize(LAPTOP);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-laptop.png`), fullPage });
}

describe.skipIf(!ready)('web UI in Chromium (fake services)', () => {
  beforeAll(async () => {
    // App serves dist/ui from the package root, which is UI_DIR.
    h = await startHarness({ password: false });
    base = `http://127.0.0.1:${h.port}`;
    b = await launchChromium();
    page = await b.context.newPage();
    await page.setViewportSize(LAPTOP);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
    });
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await h?.close();
  });

  it('first run: the setup page takes the code from the log and signs the owner in', async () => {
    await page.goto(base + '/');
    await page.getByText('Welcome to clipgate').waitFor();
    await shoot('setup');
    const code = /setup code ([A-Z0-9-]{14})/.exec(h.logs.join('\n'))?.[1] ?? '';
    await page.fill('input[name=code]', code);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=confirm]', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Review' }).waitFor();
  });

  it('review queue: clips newest first, inline playback, live arrival over SSE', async () => {
    const dataDir = h.app.core.paths.dataDir;
    const t0 = Date.now() - 3600_000;
    for (const [i, cam] of ['front-door', 'garden', 'front-door'].entries()) {
      const f = makeClipFiles(path.join(dataDir, 'clips'), `c${i}`, i * 120);
      addClip(h, { id: `clip-${i}`, cameraId: cam, startedAt: new Date(t0 + i * 60_000).toISOString(), durationMs: 4000, width: 640, height: 360 }, readFileSync(f.video), readFileSync(f.thumb));
    }
    await page.reload();
    await expect.poll(() => page.locator('article.clip').count()).toBe(3);
    expect(await page.locator('article.clip').first().getAttribute('data-clip-id')).toBe('clip-2');
    // A clip created while the page is open appears without a reload.
    const f = makeClipFiles(path.join(dataDir, 'clips'), 'c3', 200);
    const rec = addClip(h, { id: 'clip-3', cameraId: 'garden', startedAt: new Date().toISOString(), durationMs: 4000 }, readFileSync(f.video), readFileSync(f.thumb));
    h.app.core.bus.emit('clip.created', { clip: rec });
    await page.locator('[data-clip-id=clip-3]').waitFor();
    await shoot('queue');
    await page.locator('[data-clip-id=clip-2] button.thumb').click();
    const video = page.locator('[data-clip-id=clip-2] video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);
  });

  it('approve dialog: one blur rectangle, audio stripped, caption shown as text; approving prepares, the preview follows', async () => {
    await page.locator('[data-clip-id=clip-2] button', { hasText: 'Share…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.locator('input[name=includeAudio]').isChecked()).toBe(false);
    await dialog.getByTestId('blur-canvas').scrollIntoViewIfNeeded();
    const box = await dialog.getByTestId('blur-canvas').boundingBox();
    if (!box) throw new Error('no blur canvas');
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => dialog.locator('rect.blur-rect').count()).toBe(1);
    const hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
    await dialog.locator('textarea[name=caption]').fill(hostile);
    expect(await dialog.locator('.caption-preview q').textContent()).toBe(hostile);
    await shoot('approve', false);
    await dialog.getByRole('button', { name: 'Prepare and preview' }).click();
    // The same dialog now shows the export being made, with Cancel; nothing was sent.
    await dialog.getByRole('heading', { name: 'Check the file before it is sent' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Send' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const approval = h.fakes.approvals.at(-1);
    expect(approval?.clipId).toBe('clip-2');
    expect(approval?.input.stripAudio).toBe(true);
    expect(approval?.input.blur).toHaveLength(1);
    const r = approval?.input.blur?.[0];
    expect(r?.x).toBeCloseTo(0.2, 1);
    expect(r?.width).toBeCloseTo(0.3, 1);
    expect(approval?.input.caption).toBe(hostile);
  });

  it('shares: retry after a failure, live progress bar and the uploaded state without reload; revoke', async () => {
    await page.goto(base + '/#/shares');
    const row = page.locator('[data-share-id]').first();
    await row.waitFor();
    const id = (await row.getAttribute('data-share-id')) ?? '';
    // Still being redacted: the server offers Cancel only (the buttons come from `actions`).
    expect(await row.getAttribute('data-status')).toBe('exporting');
    expect(await row.getByRole('button').allTextContents()).toEqual(['Cancel']);
    // A refused upload shows its reason and a Retry button that puts it back in the queue.
    h.fakes.progress(id, 'failed', 0, 1024);
    await expect.poll(() => row.getAttribute('data-status')).toBe('failed');
    await row.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('queued');
    h.fakes.progress(id, 'uploading', 512, 1024);
    await expect.poll(() => row.locator('progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(50);
    await shoot('shares');
    h.fakes.progress(id, 'uploaded', 1024, 1024);
    await expect.poll(() => row.getAttribute('data-status')).toBe('uploaded');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Confirm revoke' }).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('revoked');
  });

  it('requests, cameras and ledger pages render, hostile platform text stays text', async () => {
    h.fakes.requests.push({ id: 'req-1', agency: 'Metro PD', caseNumber: '2026-1142', title: '<img src=x onerror="window.__pwned=3">Stolen bicycle',
      description: 'A red bicycle was taken from a porch between 11:00 and 12:30.', startsAt: new Date(Date.now() - 7200_000).toISOString(),
      endsAt: new Date().toISOString(), area: null, candidateClipIds: ['clip-1', 'clip-0'] });
    await page.goto(base + '/#/requests');
    await page.getByText('Stolen bicycle').waitFor();
    expect(await page.locator('article.request h2').textContent()).toContain('<img src=x');
    await shoot('requests');
    await page.goto(base + '/#/cameras');
    const garden = page.locator('[data-camera-id=garden]');
    await garden.waitFor();
    await garden.getByRole('switch').check();
    await expect.poll(() => garden.locator('.badge').textContent()).toBe('privacy');
    await shoot('cameras');
    h.fakes.ledger.push({ seq: 1, at: new Date().toISOString(), action: 'approved', clipId: 'clip-2', shareId: 'share-1', sha256: 'ab'.repeat(32), exportSha256: 'ef'.repeat(32), requestId: null, options: {}, prevHash: '0'.repeat(64), hash: 'cd'.repeat(32), signature: 'S'.repeat(86) + '==' });
    await page.goto(base + '/#/ledger');
    await expect.poll(() => page.getByTestId('verify-badge').textContent()).toContain('Chain intact · 1 entries');
    // The shared file's hash (the export), not the original clip's, and the device key's fingerprint.
    expect(await page.locator('[data-seq="1"] [data-testid=row-sha256]').getAttribute('data-full')).toBe('ef'.repeat(32));
    expect(await page.getByTestId('device-key').textContent()).toContain('ffff ffff');
    await shoot('ledger');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('logout, then a wrong and a right password', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name=password]').waitFor();
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor();
    await shoot('login');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    // Back where the owner was (the hash route survives signing out and in).
    await page.getByRole('heading', { name: 'Ledger' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
