// Debian's Chromium driven by playwright-core: never a downloaded browser, loopback only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts');
export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1366, height: 860 };

export interface BrowserHandle {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * `extraArgs`: more Chromium switches (a test may map a host name to a loopback address with
 * --host-resolver-rules); `timezoneId`: the browser's local time zone (date filters convert local days).
 */
export async function launchChromium(extraArgs: string[] = [], opts: { timezoneId?: string } = {}): Promise<BrowserHandle> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cg-chromium-'));
  // playwright refuses --user-data-dir in args; a persistent context is the same fresh profile.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(opts.timezoneId !== undefined && { timezoneId: opts.timezoneId }),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required', ...extraArgs],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A laptop-sized page of a fresh browser, signed in to the UI at `base` with `password`, showing
 * `hash` (default the review queue). `onPage` runs before the first navigation (listeners that
 * must see every request).
 */
export async function openSignedIn(
  b: BrowserHandle, base: string, password: string, opts: { hash?: string; onPage?: (page: Page) => void } = {},
): Promise<Page> {
  const page = await b.context.newPage();
  await page.setViewportSize(LAPTOP);
  opts.onPage?.(page);
  await page.goto(base + '/' + (opts.hash ?? ''));
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.locator('input[name=password]').waitFor({ state: 'detached' });
  return page;
}

/** A real 4 s H.264+AAC clip and its JPEG thumbnail, made by Debian's ffmpeg. */
export function makeClipFiles(dir: string, name: string, hue: number): { video: string; thumb: string } {
  const video = path.join(dir, `${name}.mp4`);
  const thumb = path.join(dir, `${name}.jpg`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25,hue=h=${hue}`, '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', video]);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-ss', '1', '-i', video, '-frames:v', '1', thumb]);
  return { video, thumb };
}
