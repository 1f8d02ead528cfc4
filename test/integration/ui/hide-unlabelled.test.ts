// review.hideUnlabelled in Chromium: the queue's default view leaves out clips the on-device
// analysis labelled neither person nor vehicle, says so, and shows them on request; the Content
// filter still finds them. Clips not analysed yet are never hidden.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClip, PASSWORD, startHarness, type Harness } from '../../unit/web/harness.js';
import { CHROMIUM, launchChromium, makeClipFiles, openSignedIn, type BrowserHandle } from './browser.js';

const ready = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js'));

let h: Harness;
let b: BrowserHandle;
let page: Page;

const cardIds = async (): Promise<string[]> => page.locator('article.clip').evaluateAll((els) => els.map((e) => e.getAttribute('data-clip-id') ?? ''));

describe.skipIf(!ready)('review.hideUnlabelled in the queue (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness({ config: { review: { hideUnlabelled: true } } });
    const f = makeClipFiles(path.join(h.app.core.paths.dataDir, 'clips'), 'labels', 200);
    const video = readFileSync(f.video);
    const sha256 = createHash('sha256').update(video).digest('hex');
    const at = (m: number): string => new Date(Date.UTC(2026, 10, 30, 12, m)).toISOString();
    const add = (id: string, m: number): void => {
      addClip(h, { id, startedAt: at(m), endedAt: at(m), durationMs: 4000, width: 640, height: 360, sizeBytes: video.length, sha256 }, video, readFileSync(f.thumb));
    };
    add('person', 1);
    add('cat', 2);
    add('tree', 3);
    add('waiting', 4);
    h.app.core.repos.clips.setAnalysis('person', 'done', { person: 0.91 });
    h.app.core.repos.clips.setAnalysis('cat', 'done', { animal: 0.8 });
    h.app.core.repos.clips.setAnalysis('tree', 'done', {});
    b = await launchChromium();
    page = await openSignedIn(b, `http://127.0.0.1:${h.port}`, PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await h?.close();
  });

  it('hides analysed clips without a person or vehicle, says so, shows them on request; the Content filter finds them', async () => {
    const note = page.getByTestId('hidden-unlabelled');
    await note.waitFor();
    await expect.poll(cardIds).toEqual(['waiting', 'person']);
    expect(await page.locator('article.clip[data-clip-id="person"] [data-label=person]').count()).toBe(1);
    expect(await page.locator('article.clip[data-clip-id="waiting"]').getByText('analysing…').count()).toBe(1);

    await note.getByRole('button', { name: 'Show them' }).click();
    await expect.poll(cardIds).toEqual(['waiting', 'tree', 'cat', 'person']);
    expect(await page.locator('article.clip[data-clip-id="tree"]').getByText('nothing recognised').count()).toBe(1);
    await note.getByRole('button', { name: 'Hide them' }).click();
    await expect.poll(cardIds).toEqual(['waiting', 'person']);

    // A Content choice is the owner's own filter: no hiding, no note.
    await page.getByLabel('Content').selectOption('animal');
    await expect.poll(cardIds).toEqual(['cat']);
    expect(await note.count()).toBe(0);
    expect(page.url()).toContain('label=animal');
  });
});
