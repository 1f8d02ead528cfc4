// axe-core on every page and dialog of the browser app, in Debian's Chromium, against a real App
// (real auth, API, SSE, static files, CSP) with fake service controls: zero violations of impact
// serious or critical. The per-page table is written to test-artifacts/axe.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClip, PASSWORD, startHarness, type Harness } from '../../unit/web/harness.js';
import { audit, blocking, table, type AxeReport } from './axe.js';
import { ARTIFACTS, CHROMIUM, LAPTOP, launchChromium, makeClipFiles, PHONE, type BrowserHandle } from './browser.js';

const ready = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js'));

describe.skipIf(!ready)('accessibility (axe-core) of every page and dialog', () => {
  let h: Harness;
  let b: BrowserHandle;
  let page: Page;
  let base: string;
  /** When the seeded clips start (an hour before the run). */
  let t0 = 0;
  const reports: AxeReport[] = [];

  async function check(name: string): Promise<void> {
    const r = await audit(page, name);
    reports.push(r);
    expect.soft(blocking(r), `${name}: ${JSON.stringify(blocking(r), null, 1)}`).toEqual([]);
  }

  beforeAll(async () => {
    h = await startHarness({ password: false });
    base = `http://127.0.0.1:${h.port}`;
    const clipsDir = path.join(h.app.core.paths.dataDir, 'clips');
    t0 = Date.now() - 3600_000;
    for (const [i, cam] of ['front-door', 'garden', 'front-door'].entries()) {
      const f = makeClipFiles(clipsDir, `a${i}`, i * 100);
      addClip(h, { id: `clip-${i}`, cameraId: cam, startedAt: new Date(t0 + i * 60_000).toISOString(), durationMs: 4000, width: 640, height: 360 }, readFileSync(f.video), readFileSync(f.thumb));
    }
    h.fakes.requests.push({ id: 'req-1', agency: 'Metro PD', caseNumber: '2026-1142', title: 'Stolen bicycle', description: 'A red bicycle was taken from a porch.',
      startsAt: new Date(t0 - 600_000).toISOString(), endsAt: new Date().toISOString(), area: null, candidateClipIds: ['clip-0', 'clip-1'] });
    b = await launchChromium();
    page = await b.context.newPage();
    await page.setViewportSize(LAPTOP);
  }, 120_000);
  afterAll(async () => {
    if (reports.length > 0) writeFileSync(path.join(ARTIFACTS, 'axe.md'), table(reports) + '\n');
    process.stdout.write(`\naxe-core ${reports.length} pages\n${table(reports)}\n`);
    await b?.close();
    await h?.close();
  });

  it('setup and login', async () => {
    await page.goto(base + '/');
    await page.getByText('Welcome to clipgate').waitFor();
    await check('setup');
    const code = /setup code ([A-Z0-9-]{14})/.exec(h.logs.join('\n'))?.[1] ?? '';
    await page.fill('input[name=code]', code);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=confirm]', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Review', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name=password]').waitFor();
    await check('login');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Review', exact: true }).waitFor();
  });

  it('review queue: selection and bulk outcome, shortcuts list, day strip, a linked clip', async () => {
    await expect.poll(() => page.locator('article.clip').count()).toBe(3);
    await check('queue');
    await page.locator('[data-clip-id=clip-1] input[type=checkbox]').click();
    await page.getByRole('button', { name: 'Reject selected' }).click();
    await page.getByRole('button', { name: 'Confirm: reject 1 clip' }).click();
    await expect.poll(() => page.locator('.outcome').textContent()).toContain('1 clip rejected.');
    await check('queue after a bulk reject');
    await page.getByRole('button', { name: 'Keyboard shortcuts (?)' }).click();
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await check('shortcuts dialog');
    await page.keyboard.press('Escape');
    await page.locator('summary', { hasText: 'Day at a glance' }).click();
    // The strip opens on today; the clips were made an hour ago, which is yesterday just after midnight.
    const clipsDay = await page.evaluate((t) => {
      const d = new Date(t);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    }, t0);
    await page.locator('#strip-day').fill(clipsDay);
    await page.locator('.strip-thumb').first().waitFor();
    await check('day strip');
    await page.setViewportSize(PHONE);
    await check('queue (phone)');
    await page.setViewportSize(LAPTOP);
    await page.goto(base + '/#/clips/clip-0');
    await page.locator('[data-clip-id=clip-0] video').waitFor();
    await check('clip page');
  });

  it('approve dialog and the share preview', async () => {
    await page.goto(base + '/#/queue');
    await expect.poll(() => page.locator('article.clip').count()).toBe(2);
    await page.locator('[data-clip-id=clip-2] button', { hasText: 'Share…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await check('approve dialog');
    await dialog.getByRole('button', { name: 'Prepare and preview' }).click();
    await dialog.getByRole('heading', { name: 'Check the file before it is sent' }).waitFor();
    const shareId = (await dialog.locator('.preview').getAttribute('data-share-id')) ?? '';
    const share = h.fakes.shares.get(shareId);
    if (!share) throw new Error('no share prepared');
    share.sha256 = 'ab'.repeat(32);
    h.fakes.progress(shareId, 'ready', 0, 123_456);
    await dialog.getByRole('button', { name: 'Send' }).waitFor();
    await check('share preview');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('shares, requests, cameras, ledger', async () => {
    await page.goto(base + '/#/shares');
    await page.locator('[data-share-id]').first().waitFor();
    await check('shares');
    await page.goto(base + '/#/requests');
    await page.getByText('Stolen bicycle').waitFor();
    await check('requests');
    await page.goto(base + '/#/cameras');
    await page.locator('[data-camera-id=garden] .snapshot img').waitFor();
    await page.locator('[data-camera-id=front-door] .snapshot img').waitFor();
    await check('cameras');
    h.fakes.ledger.push({ seq: 1, at: new Date().toISOString(), action: 'approved', clipId: 'clip-2', shareId: 'share-1', sha256: 'ab'.repeat(32), exportSha256: 'ef'.repeat(32),
      requestId: null, options: {}, prevHash: '0'.repeat(64), hash: 'cd'.repeat(32), signature: 'S'.repeat(86) + '==' });
    await page.goto(base + '/#/ledger');
    await page.getByTestId('verify-badge').waitFor();
    await check('ledger');
  });

  it('dark colour scheme: queue and approve dialog', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(base + '/#/queue?status=all');
    await page.locator('article.clip').first().waitFor();
    await check('queue (dark)');
    await page.locator('[data-clip-id=clip-0] button', { hasText: 'Share…' }).click();
    await page.getByRole('dialog').waitFor();
    await check('approve dialog (dark)');
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('empty states: no clips, no cameras, no requests, nothing shared', async () => {
    for (const c of h.app.core.repos.clips.list({ limit: 200 }).items) h.app.core.repos.clips.markDeleted(c.id, new Date().toISOString());
    await page.goto(base + '/#/queue');
    await page.getByRole('heading', { name: 'No new clips' }).waitFor();
    await check('queue, no clips');
    h.fakes.shares.clear();
    await page.goto(base + '/#/shares');
    await page.getByRole('heading', { name: 'Nothing shared yet' }).waitFor();
    await check('shares, none');
    h.fakes.requests.length = 0;
    await page.goto(base + '/#/requests');
    await page.getByRole('heading', { name: 'No open requests near you' }).waitFor();
    await check('requests, none');
    await page.goto(base + '/#/cameras');
    await expect.poll(() => page.locator('.snapshot', { hasText: 'No clip yet' }).count()).toBe(2);
    await check('cameras, no clips');
    h.fakes.cams.clear();
    await page.reload();
    await page.getByRole('heading', { name: 'No cameras configured' }).waitFor();
    await check('cameras, none');
    await page.goto(base + '/#/queue');
    await page.getByRole('heading', { name: 'No cameras yet' }).waitFor();
    await check('queue, no cameras');
  });
});
