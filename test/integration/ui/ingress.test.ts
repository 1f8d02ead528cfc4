// The UI in Chromium behind a prefixing reverse proxy that behaves like Home Assistant's ingress
// (test/support/ingress-proxy.ts): the app loads under /api/hassio_ingress/<token>/, lists clips,
// plays one, approves one and follows live events — with no clipgate login, because the daemon
// has web.ingress on and the proxy's address as web.ingressProxy. The same UI reached directly
// from 127.0.0.1 asks for the password.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngressProxy, type IngressProxy } from '../../support/ingress-proxy.js';
import { addClip, PASSWORD, startHarness, type Harness } from '../../unit/web/harness.js';
import { CHROMIUM, launchChromium, makeClipFiles, type BrowserHandle } from './browser.js';

const ready = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js'));
const TOKEN = 'Jq0cK7n1tHs-aW4ZcVbX_2pLmE9rY5uD';
/** Home Assistant's own name: the browser sends it as Host, and the ingress proxy passes it on. */
const HA_NAME = 'homeassistant.test';

describe.skipIf(!ready)('web UI through a Home Assistant–style ingress proxy', () => {
  let h: Harness;
  let proxy: IngressProxy;
  let b: BrowserHandle;
  let page: Page;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ web: { ingress: true, ingressProxy: ['127.0.0.2'] } });
    proxy = await startIngressProxy({ targetPort: h.port, token: TOKEN });
    const clipsDir = path.join(h.app.core.paths.dataDir, 'clips');
    const t0 = Date.now() - 3600_000;
    for (const [i, cam] of ['front-door', 'garden'].entries()) {
      const f = makeClipFiles(clipsDir, `ingress-${i}`, i * 90);
      addClip(h, { id: `clip-${i}`, cameraId: cam, startedAt: new Date(t0 + i * 60_000).toISOString(), durationMs: 4000, width: 640, height: 360 }, readFileSync(f.video), readFileSync(f.thumb));
    }
    b = await launchChromium([`--host-resolver-rules=MAP ${HA_NAME} 127.0.0.2`]);
    page = await b.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requested.push(r.url()));
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await proxy?.close();
    await h?.close();
  });

  it('loads under the prefix without a clipgate login and lists the clips; every request stays under the prefix', async () => {
    const base = `http://${HA_NAME}:${proxy.port}${proxy.prefix}/`;
    await page.goto(base);
    await page.getByRole('heading', { name: 'Review' }).waitFor();
    await expect.poll(() => page.locator('article.clip').count()).toBe(2);
    expect(await page.locator('input[name=password]').count()).toBe(0);
    // Home Assistant holds the sign-in: no Sign out here.
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await expect.poll(() => page.locator('[data-clip-id=clip-1] img').first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    const outside = requested.filter((u) => !new URL(u).pathname.startsWith(`${proxy.prefix}/`));
    expect(outside).toEqual([]);
    expect(proxy.refused).toEqual([]);
    expect(proxy.forwarded.map((f) => f.path)).toEqual(expect.arrayContaining(['/', '/app.js', '/app.css', '/api/session', '/api/events']));
  });

  it('plays a clip through the proxy (HTTP Range)', async () => {
    await page.locator('[data-clip-id=clip-1] button.thumb').click();
    const video = page.locator('[data-clip-id=clip-1] video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(proxy.forwarded.some((f) => f.path === '/api/clips/clip-1/video' && (f.status === 206 || f.status === 200))).toBe(true);
  });

  it('approves a clip (the CSRF token comes from GET /api/session as usual)', async () => {
    await page.locator('[data-clip-id=clip-0] button', { hasText: 'Share…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.locator('textarea[name=caption]').fill('Parcel taken \u202Egpj.exe');
    // Approving prepares the export (the consent is Send, later, in the preview).
    await dialog.getByRole('button', { name: 'Prepare and preview' }).click();
    await dialog.getByRole('heading', { name: 'Check the file before it is sent' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(h.fakes.approvals.at(-1)?.clipId).toBe('clip-0');
    expect(proxy.forwarded.some((f) => f.method === 'POST' && f.path === '/api/clips/clip-0/approve' && f.status === 202)).toBe(true);
  });

  it('live events arrive through the proxy (SSE streams, it is not buffered)', async () => {
    const f = makeClipFiles(path.join(h.app.core.paths.dataDir, 'clips'), 'ingress-live', 200);
    const rec = addClip(h, { id: 'clip-live', cameraId: 'garden', startedAt: new Date().toISOString(), durationMs: 4000 }, readFileSync(f.video), readFileSync(f.thumb));
    h.app.core.bus.emit('clip.created', { clip: rec });
    await page.locator('[data-clip-id=clip-live]').waitFor({ timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  });

  it('the same UI reached directly from 127.0.0.1 asks for the password, and the password works', async () => {
    const direct = await b.context.newPage();
    try {
      await direct.goto(`http://127.0.0.1:${h.port}/`);
      await direct.locator('input[name=password]').waitFor();
      expect(await direct.getByRole('heading', { name: 'Review' }).count()).toBe(0);
      const api = await direct.evaluate(async () => (await fetch('api/clips')).status);
      expect(api).toBe(401);
      await direct.fill('input[name=password]', PASSWORD);
      await direct.getByRole('button', { name: 'Sign in' }).click();
      await direct.getByRole('heading', { name: 'Review' }).waitFor();
    } finally {
      await direct.close();
    }
  });
});
