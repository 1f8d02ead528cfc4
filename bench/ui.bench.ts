import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { App } from '../src/app.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger, SecretRegistry } from '../src/core/logger.js';
import { packageRoot } from '../src/core/version.js';
import { SETTING } from '../src/db/repos/settings.js';
import { hashPassword } from '../src/web/auth/password.js';
import { percentile, type Bench, type BenchResult } from './types.js';

const CLIPS = 500;
/** The queue's first page (src/ui/api.ts clipsUrl's default limit). */
const FIRST_SCREEN = 24;
const RUNS = 7;
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'bench owner password';
/** A phone, the owner's usual screen: one card per row, so lazy loading has something to leave out. */
const PHONE = { width: 390, height: 844 };

/** The browser bundle as the owner's browser downloads it: dist/ui/app.js, gzip (level 6, what servers and `gzip` use). */
function bundleSize(): BenchResult {
  const file = path.join(packageRoot(), 'dist', 'ui', 'app.js');
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 6 }).length;
  return {
    name: 'UI JS gzipped (dist/ui/app.js)',
    value: Number((gz / 1024).toFixed(1)),
    unit: 'KB',
    target: { op: '<=', value: 40, of: 'value' },
    notes: `${(raw.length / 1024).toFixed(1)} KB minified`,
  };
}

/**
 * 500 pending clips over 4 cameras, each with its own real 160×90 JPEG thumbnail (ffmpeg, one run)
 * and a copy of one real 1 s MP4 (start-up checks that every clip's file exists).
 */
function seed(app: App): void {
  const clipsDir = path.join(app.core.paths.dataDir, 'clips');
  mkdirSync(clipsDir, { recursive: true });
  const ffmpeg = (args: string[]): void => {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', ...args]);
  };
  ffmpeg(['-frames:v', String(CLIPS), '-q:v', '5', path.join(clipsDir, 't%03d.jpg')]);
  const video = path.join(clipsDir, 'source.mp4');
  ffmpeg(['-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video]);
  for (let i = 0; i < CLIPS; i++) copyFileSync(video, path.join(clipsDir, `${i}.mp4`));
  const t0 = Date.now() - CLIPS * 60_000;
  app.core.db.transaction(() => {
    for (let i = 0; i < CLIPS; i++) {
      const at = new Date(t0 + i * 60_000).toISOString();
      app.core.repos.clips.insert({
        id: `clip-${String(i).padStart(3, '0')}`, cameraId: `cam-${i % 4}`, status: 'pending', trigger: i % 7 === 0 ? 'doorbell' : 'motion', startedAt: at, endedAt: at,
        durationMs: 12_000, sizeBytes: 3_000_000, width: 1920, height: 1080, hasAudio: true, sha256: i.toString(16).padStart(64, '0'),
        filePath: `clips/${i}.mp4`, thumbPath: `clips/t${String(i + 1).padStart(3, '0')}.jpg`, createdAt: at, reviewedAt: null, fileDeletedAt: null,
      });
    }
  })();
  const thumbs = readdirSync(clipsDir).filter((f) => f.endsWith('.jpg')).length;
  if (thumbs !== CLIPS) throw new Error(`ffmpeg made ${thumbs} thumbnails, not ${CLIPS}`);
}

interface Run {
  ms: number;
  thumbsBeforeScroll: number;
  thumbsAfterScroll: number;
}

/**
 * The review queue with 500 clips in Debian's Chromium: from navigation start to the first page of
 * cards (24) in the document, measured in the page (performance.now() at the first animation frame
 * that sees them); then how many thumbnails the browser asked for before any scrolling (lazy
 * loading), and after scrolling to the end of the page.
 */
async function queueRender(): Promise<BenchResult[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-ui-'));
  const config = configSchema.parse({ dataDir: path.join(dir, 'data'), cacheDir: path.join(dir, 'cache'), web: { host: '127.0.0.1', port: 0 }, logging: { level: 'silent' },
    // The render is measured alone; the analysis of a backlog has its own bench (analysis.bench.ts).
    detect: { enabled: false } });
  const app = new App({ config, demo: false, log: createLogger({ level: 'silent', secrets: new SecretRegistry() }), secrets: new SecretRegistry() });
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-chromium-'));
  try {
    seed(app);
    app.core.repos.settings.set(SETTING.ownerPasswordHash, await hashPassword(PASSWORD));
    await app.start();
    const base = `http://127.0.0.1:${app.web.port}`;
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: PHONE,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const login = await context.newPage();
      await login.goto(base + '/');
      await login.fill('input[name=password]', PASSWORD);
      await login.click('button[type=submit]');
      await login.locator('article.clip').first().waitFor();
      await login.close();
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await context.newPage();
        let thumbs = 0;
        page.on('request', (r) => {
          if (r.url().endsWith('/thumbnail')) thumbs++;
        });
        await page.goto(base + '/#/queue', { waitUntil: 'commit' });
        const shown = await page.waitForFunction((n) => document.querySelectorAll('article.clip').length >= n && performance.now(), FIRST_SCREEN, { polling: 'raf', timeout: 30_000 });
        const ms = (await shown.jsonValue()) as number;
        // Let every request the first screen makes go out, then count: no scrolling has happened.
        await page.waitForLoadState('networkidle');
        const before = thumbs;
        // Scroll down card by card, as the owner would, one animation frame each.
        await page.evaluate(async () => {
          for (const card of document.querySelectorAll('article.clip')) {
            card.scrollIntoView();
            await new Promise((resolve) => requestAnimationFrame(resolve));
          }
        });
        await page.waitForFunction((n) => [...document.querySelectorAll<HTMLImageElement>('article.clip img')].filter((img) => img.complete && img.naturalWidth > 0).length >= n,
          FIRST_SCREEN, { timeout: 30_000 });
        runs.push({ ms, thumbsBeforeScroll: before, thumbsAfterScroll: thumbs });
        await page.close();
      }
      const times = runs.map((r) => r.ms);
      const before = Math.max(...runs.map((r) => r.thumbsBeforeScroll));
      const after = Math.min(...runs.map((r) => r.thumbsAfterScroll));
      return [
        {
          name: `queue first screen (${FIRST_SCREEN} cards of ${CLIPS} clips) p50`,
          value: Math.round(percentile(times, 50)),
          unit: 'ms',
          target: { op: '<=', value: 1000, of: 'value' },
          notes: `navigation start to ${FIRST_SCREEN} cards, ${RUNS} loads in Chromium at ${PHONE.width}×${PHONE.height}; max ${Math.round(Math.max(...times))} ms`,
        },
        {
          name: 'thumbnails requested before scrolling',
          value: before,
          unit: 'requests',
          target: { op: '<=', value: FIRST_SCREEN - 1, of: 'value' },
          notes: `of ${FIRST_SCREEN} cards (lazy); after scrolling to the end ${after}`,
        },
      ];
    } finally {
      await context.close();
    }
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

/** UI budgets (issue 20): the bundle ≤ 40 KB gzipped; the queue's first screen with 500 clips ≤ 1 s, thumbnails lazy. */
export const uiBench: Bench = {
  name: 'ui: bundle size and 500-clip queue render',
  async run() {
    return [bundleSize(), ...(await queueRender())];
  },
};
