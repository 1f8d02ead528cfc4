// Review at scale in Chromium, against a real App whose review service, ledger, export worker and
// share service are the real ones (cameras and requests are fakes): a keyboard-only journey from a
// clip to Send, multi-select reject with per-clip refusals, date filters converted from the
// browser's local days (New York here) to UTC, the queue's shortcuts, the day strip, and reduced motion.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import { waitFor } from '../../support/wait.js';
import { addClip, PASSWORD, startHarness, type Harness } from '../../unit/web/harness.js';
import { CHROMIUM, launchChromium, makeClipFiles, openSignedIn, type BrowserHandle } from './browser.js';

const ready = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js'));
const ZONE = 'America/New_York';

/** A New York wall-clock time in November 2026 (UTC-5) as the UTC instant the database stores. */
const ny = (day: number, hh: number, mm: number): string => new Date(Date.UTC(2026, 10, day, hh + 5, mm)).toISOString();

let h: Harness;
let b: BrowserHandle;
let page: Page;
let base: string;
const clipRequests: string[] = [];
const pageErrors: string[] = [];

/** The ten clips rejected together (09:00–09:45 on the 29th), and the shared one among them (09:22). */
const bulkIds = Array.from({ length: 10 }, (_, i) => `bulk-${i}`);
const SHARED = 'shared-0922';

function seed(): void {
  const f = makeClipFiles(path.join(h.app.core.paths.dataDir, 'clips'), 'scale', 40);
  const video = readFileSync(f.video);
  const thumb = readFileSync(f.thumb);
  const sha256 = createHash('sha256').update(video).digest('hex');
  const add = (id: string, startedAt: string, over: Partial<ClipRecord> = {}): ClipRecord =>
    addClip(h, { id, startedAt, endedAt: startedAt, durationMs: 4000, width: 640, height: 360, sizeBytes: video.length, sha256, ...over }, video, thumb);
  bulkIds.forEach((id, i) => add(id, ny(29, 9, i * 5), { cameraId: i % 2 ? 'garden' : 'front-door' }));
  add(SHARED, ny(29, 9, 22));
  // The 28th in New York: 22:00 and 23:30 (the latter is already the 29th in UTC).
  add('late-28', ny(28, 22, 0));
  add('last-28', ny(28, 23, 30), { cameraId: 'garden' });
  add('bell-30', ny(30, 0, 30), { trigger: 'doorbell' });
  add('keys-27', ny(27, 12, 0));
}

const card = (id: string): Locator => page.locator(`article.clip[data-clip-id="${id}"]`);
const cardIds = async (): Promise<string[]> => page.locator('article.clip').evaluateAll((els) => els.map((e) => e.getAttribute('data-clip-id') ?? ''));
const active = (): Promise<string> => page.evaluate(() => {
  const el = document.activeElement;
  if (!el) return '';
  return `${el.tagName.toLowerCase()}${el.getAttribute('data-clip-id') ? `#${el.getAttribute('data-clip-id')}` : ''}|${el.textContent?.trim().slice(0, 40) ?? ''}|${el.getAttribute('aria-label') ?? ''}`;
});
const focusInDialog = (): Promise<boolean> => page.evaluate(() => {
  const d = document.querySelector('dialog[open]');
  return d !== null && d.contains(document.activeElement);
});
/**
 * Arms a probe that records where focus is at the first moment `selector` matches (a mutation observer
 * runs right after the render that makes it match, before any later effect): 'dialog' when inside the
 * open dialog, 'itself' when on the matched element, else the focused element's tag. Read it with the
 * returned function.
 */
async function focusWhenShown(selector: string): Promise<() => Promise<string | undefined>> {
  await page.evaluate((sel) => {
    const w = window as unknown as { focusProbe?: string };
    delete w.focusProbe;
    const seen = new MutationObserver(() => {
      const el = document.querySelector(sel);
      if (!el) return;
      seen.disconnect();
      const focused = document.activeElement;
      w.focusProbe = document.querySelector('dialog[open]')?.contains(focused) ? 'dialog' : focused === el ? 'itself' : (focused?.tagName ?? 'none');
    });
    // Preact may reuse an element: watch class and text changes as well as new nodes.
    seen.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'], characterData: true });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { focusProbe?: string }).focusProbe);
}
const rejectedEntries = (): number => h.app.core.repos.ledger.all().filter((e) => e.action === 'rejected').length;

/** Press Tab until the focused element's text or label matches, at most `max` times (a keyboard user's way there). */
async function tabTo(re: RegExp, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (re.test(await active())) return;
  }
  throw new Error(`Tab never reached ${String(re)}; focus is on ${await active()}`);
}

describe.skipIf(!ready)('review at scale, keyboard only, in Chromium (real review service and ledger)', () => {
  beforeAll(async () => {
    h = await startHarness({ real: ['review', 'ledger', 'shares'] });
    base = `http://127.0.0.1:${h.port}`;
    seed();
    b = await launchChromium([], { timezoneId: ZONE });
    page = await openSignedIn(b, base, PASSWORD, {
      onPage: (p) => {
        p.on('pageerror', (e) => pageErrors.push(e.message));
        p.on('request', (r) => {
          if (new URL(r.url()).pathname === '/api/clips') clipRequests.push(r.url());
        });
      },
    });
    await page.getByRole('heading', { name: 'Review', exact: true }).waitFor();
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await h?.close();
  });

  it('keyboard only: open a clip, Escape returns focus to Share…, add and move a blur area, prepare, Send', async () => {
    await expect.poll(cardIds).toContain('keys-27');
    await page.locator('main h1').focus();
    await tabTo(/^button\|Share…/);
    // The Share… button of the first card (the newest clip): remember which clip it opens.
    const clipId = await page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('data-clip-id') ?? '');
    expect(clipId).toBe('bell-30');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await focusInDialog()).toBe(true);
    // Tab and Shift+Tab never leave the open dialog.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press(i < 30 ? 'Tab' : 'Shift+Tab');
      expect(await focusInDialog(), `after ${i + 1} presses focus is on ${await active()}`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await active()).toMatch(/^button\|Share…/);
    expect(await page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('data-clip-id'))).toBe(clipId);

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await tabTo(/^button\|Add area/);
    await page.keyboard.press('Enter');
    const announce = dialog.getByTestId('blur-announce');
    await expect.poll(() => announce.textContent()).toBe('Area 1: left 30%, top 30%, 20% wide, 20% high added. Arrows move it, Shift+arrows resize it, Delete removes it.');
    // Focus is on the picture: arrows move the area, Shift+arrows resize it.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-roledescription'))).toBe('blur area editor');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => announce.textContent()).toBe('Area 1: left 33%, top 31%, 20% wide, 22% high');
    // A second area, then removed again with Delete.
    await page.keyboard.press('a');
    await expect.poll(() => dialog.locator('rect.blur-rect').count()).toBe(2);
    await page.keyboard.press('Delete');
    await expect.poll(() => announce.textContent()).toBe('Area 2 removed. 1 area left.');
    expect(await dialog.getByRole('list', { name: 'Blur areas' }).textContent()).toContain('Area 1: left 33%, top 31%, 20% wide, 22% high');
    const rect = dialog.locator('rect.blur-rect');
    expect(await rect.evaluate((r) => [r.getAttribute('x'), r.getAttribute('y'), r.getAttribute('width'), r.getAttribute('height')])).toEqual(['0.33', '0.31', '0.2', '0.22']);

    await tabTo(/^button\|Prepare and preview/);
    // Focus is inside the dialog from the moment the preview's heading exists, never on nothing while a later effect catches up.
    const focusAtPreview = await focusWhenShown('#preview-title');
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Check the file before it is sent' }).waitFor();
    expect(await focusAtPreview()).toBe('dialog');
    expect(await focusInDialog()).toBe(true);
    // The real export worker makes the redacted file; then Send, still by keyboard.
    await expect.poll(() => dialog.locator('.preview').getAttribute('data-status'), { timeout: 60_000, interval: 250 }).toBe('ready');
    await tabTo(/^button\|Send\|/);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    // The Share… button went with the clip's pending state: focus lands on a card or the page heading, never on nothing.
    expect(await page.evaluate(() => document.activeElement !== document.body && document.querySelector('main')?.contains(document.activeElement))).toBe(true);
    const share = h.app.core.repos.shares.getByClip(clipId);
    expect(share?.status).toBe('queued');
    expect(JSON.parse(share?.optionsJson ?? '{}')).toMatchObject({ blur: [{ x: 0.33, y: 0.31, width: 0.2, height: 0.22 }], stripAudio: true });
    expect(h.app.core.repos.ledger.forShare(share?.id ?? '').map((e) => e.action)).toEqual(['approved']);
  });

  it('multi-select (click, Shift+click range) rejects 10 clips with 10 ledger entries; the shared one is refused with its reason', async () => {
    // Make SHARED a shared clip through the real review service: approve, export, Send.
    const share = h.app.controls.review.approve(SHARED, { stripAudio: true });
    await waitFor('the export', () => h.app.core.repos.shares.get(share.id)?.status === 'ready', 60_000, 200);
    h.app.controls.review.send(share.id);
    await page.goto(base + '/#/queue?status=all&from=2026-11-29&to=2026-11-29');
    // A hash change alone keeps the page: load it afresh so nothing the test before left open (a dialog) stays.
    await page.reload();
    await expect.poll(cardIds).toEqual([...bulkIds.slice(5).reverse(), SHARED, ...bulkIds.slice(0, 5).reverse()]);
    const before = rejectedEntries();
    await card('bulk-9').getByRole('checkbox').click();
    await card('bulk-0').getByRole('checkbox').click({ modifiers: ['Shift'] });
    const bar = page.getByRole('region', { name: 'Selected clips' });
    await expect.poll(() => bar.locator('.count').textContent()).toBe('11 selected');
    expect(await bar.textContent()).toContain('Sharing never does: you approve each clip on its own');
    await bar.getByRole('button', { name: 'Reject selected' }).click();
    await bar.getByRole('button', { name: 'Confirm: reject 11 clips' }).click();
    const outcome = page.locator('.outcome');
    await expect.poll(() => outcome.locator('p').textContent()).toBe('10 clips rejected. 1 refused:');
    expect(await outcome.locator(`li[data-clip-id="${SHARED}"]`).textContent()).toMatch(/: clip shared-0922 is already approved; only a pending clip can be rejected$/);
    expect(rejectedEntries() - before).toBe(10);
    for (const id of bulkIds) expect(h.app.core.repos.clips.get(id)?.status).toBe('rejected');
    expect(h.app.core.repos.clips.get(SHARED)?.status).toBe('approved');
    // The refused clip stays selected, the others are no longer.
    await expect.poll(() => bar.locator('.count').textContent()).toBe('1 selected');
    await expect.poll(() => card('bulk-3').getAttribute('data-status')).toBe('rejected');
  });

  it('date filter: local New York days become the UTC range, survive a reload, and a trigger filter narrows further', async () => {
    await page.goto(base + '/#/queue');
    await expect.poll(cardIds).toContain('late-28');
    const status = page.getByLabel('Status', { exact: true });
    await status.selectOption('');
    await page.getByLabel('From', { exact: true }).fill('2026-11-28');
    await page.getByLabel('To', { exact: true }).fill('2026-11-28');
    // 23:30 on the 28th in New York is 04:30 on the 29th in UTC: it belongs to the 28th here.
    await expect.poll(cardIds).toEqual(['last-28', 'late-28']);
    expect(clipRequests.at(-1)).toContain(`from=${encodeURIComponent('2026-11-28T05:00:00.000Z')}&to=${encodeURIComponent('2026-11-29T05:00:00.000Z')}`);
    expect(new URL(page.url()).hash).toBe('#/queue?status=all&from=2026-11-28&to=2026-11-28');
    await page.reload();
    await expect.poll(cardIds).toEqual(['last-28', 'late-28']);
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe('2026-11-28');
    await page.getByLabel('From', { exact: true }).fill('2026-11-27');
    await page.getByLabel('To', { exact: true }).fill('2026-11-30');
    await page.getByLabel('Trigger', { exact: true }).selectOption('doorbell');
    await expect.poll(cardIds).toEqual(['bell-30']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/queue');
    // Four changes in one task, before any render (autofill, a fast keyboard): every one of them counts.
    await page.evaluate(() => {
      const change = (id: string, value: string): void => {
        const el = document.getElementById(id) as HTMLInputElement | HTMLSelectElement;
        el.value = value;
        el.dispatchEvent(new Event('change', { bubbles: true }));
      };
      change('filter-status', '');
      change('filter-from', '2026-11-27');
      change('filter-to', '2026-11-30');
      change('filter-trigger', 'doorbell');
    });
    await expect.poll(cardIds).toEqual(['bell-30']);
    expect(new URL(page.url()).hash).toBe('#/queue?status=all&trigger=doorbell&from=2026-11-27&to=2026-11-30');
  });

  it('a slow answer for filters already changed never replaces the newer list', async () => {
    await page.goto(base + '/#/queue?status=all&from=2026-11-27&to=2026-11-30');
    await page.reload();
    await expect.poll(cardIds).toContain('bell-30');
    // Hold the answer for the first change (From) until the second one's (Trigger) is on screen.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let heldUrl = '';
    await page.route('**/api/clips?*', async (route) => {
      const url = route.request().url();
      if (heldUrl === '' && url.includes(encodeURIComponent('2026-11-28T05:00:00.000Z')) && !url.includes('trigger=')) {
        heldUrl = url;
        await held;
      }
      await route.continue();
    });
    try {
      await page.getByLabel('From', { exact: true }).fill('2026-11-28');
      await expect.poll(() => heldUrl).not.toBe('');
      await page.getByLabel('Trigger', { exact: true }).selectOption('doorbell');
      await expect.poll(cardIds).toEqual(['bell-30']);
      const late = page.waitForEvent('requestfinished', (r) => r.url() === heldUrl);
      release();
      await late;
      // Let the page run what the late answer would trigger (its parse, then a render).
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100))));
      expect(await cardIds()).toEqual(['bell-30']);
    } finally {
      release();
      await page.unroute('**/api/clips?*');
    }
  });

  it('shortcuts: j/k move between cards, x selects, p plays, r asks then Enter rejects, ? lists them (Escape closes, focus returns)', async () => {
    await page.goto(base + '/#/queue?from=2026-11-27&to=2026-11-28');
    await expect.poll(cardIds).toEqual(['last-28', 'late-28', 'keys-27']);
    await page.locator('main h1').focus();
    await page.keyboard.press('j');
    expect(await active()).toMatch(/^article#last-28/);
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    expect(await active()).toMatch(/^article#keys-27/);
    await page.keyboard.press('k');
    expect(await active()).toMatch(/^article#late-28/);
    await page.keyboard.press('x');
    await expect.poll(() => card('late-28').getByRole('checkbox').isChecked()).toBe(true);
    await page.keyboard.press('x');
    await expect.poll(() => card('late-28').getByRole('checkbox').isChecked()).toBe(false);
    await page.keyboard.press('p');
    const video = card('late-28').locator('video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);
    await card('late-28').focus();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.locator('dt').allTextContents()).toEqual(['j or ↓ or →', 'k or ↑ or ←', 'Space or p', 's', 'r', 'x', 'Shift+x', '?']);
    // Shortcuts sleep while a dialog is open.
    await page.keyboard.press('j');
    expect(await focusInDialog()).toBe(true);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    expect(await active()).toMatch(/^article#late-28/);
    await page.keyboard.press('j');
    expect(await active()).toMatch(/^article#keys-27/);
    const before = rejectedEntries();
    // The Confirm reject button has focus from the moment it exists: an Enter pressed at once confirms.
    const focusAtConfirm = await focusWhenShown('.confirm-reject');
    await page.keyboard.press('r');
    await expect.poll(active).toMatch(/^button\|Confirm reject/);
    expect(await focusAtConfirm()).toBe('itself');
    await page.keyboard.press('Enter');
    await expect.poll(() => h.app.core.repos.clips.get('keys-27')?.status).toBe('rejected');
    expect(rejectedEntries() - before).toBe(1);
    // s opens the share dialog of the focused clip.
    await page.locator('main h1').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('s');
    await page.getByRole('dialog', { name: 'Share clip from Garden' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await active()).toMatch(/^article#last-28/);
    // Typing in a field is typing, not a shortcut.
    await page.getByLabel('From', { exact: true }).focus();
    await page.keyboard.press('j');
    expect(await active()).toMatch(/^input/);
  });

  it('day strip: one row per camera along 24 h, thumbnails lazy, a click opens that clip', async () => {
    await page.goto(base + '/#/queue?status=all');
    await page.locator('summary', { hasText: 'Day at a glance' }).click();
    await page.getByLabel('Day', { exact: true }).fill('2026-11-29');
    const rows = page.locator('.strip-row');
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-camera-id')))).toEqual(['front-door', 'garden']);
    const front = page.locator('.strip-row[data-camera-id=front-door]');
    await expect.poll(() => front.locator('.strip-thumb').count()).toBe(6);
    expect(await front.locator('.hour').count()).toBe(24);
    // Hour 09 holds the morning's clips; each thumbnail loads lazily.
    expect(await front.locator('.hour').nth(9).locator('.strip-thumb').count()).toBe(6);
    expect(await front.locator('img').evaluateAll((imgs) => imgs.every((i) => i.getAttribute('loading') === 'lazy'))).toBe(true);
    const target = front.locator(`.strip-thumb[data-clip-id="${SHARED}"]`);
    expect(await target.textContent()).toMatch(/^Front door at .*approved$/);
    await target.click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/clips/${SHARED}`);
    await page.getByRole('heading', { name: 'Clip', exact: true }).waitFor();
    await card(SHARED).waitFor();
    // Back to the queue as it was left.
    expect(await page.getByRole('link', { name: 'All clips' }).getAttribute('href')).toBe('#/queue?status=all');
  });

  it('reduced motion: a linked clip does not start by itself and nothing transitions; without it, it plays', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(base + '/#/clips/late-28');
    const video = card('late-28').locator('video');
    await video.waitFor();
    expect(await video.evaluate((v: HTMLVideoElement) => v.autoplay)).toBe(false);
    expect(await card('late-28').evaluate((el) => getComputedStyle(el).transitionDuration)).toBe('0s');
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await page.goto(base + '/#/clips/last-28');
    const playing = card('last-28').locator('video');
    await expect.poll(() => playing.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await card('last-28').evaluate((el) => getComputedStyle(el).transitionDuration)).not.toBe('0s');
    expect(pageErrors).toEqual([]);
  });
});
