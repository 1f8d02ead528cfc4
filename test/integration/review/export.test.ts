import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Share } from '../../../src/core/types.js';
import { pixelRect } from '../../../src/media/export-args.js';
import { runExport } from '../../../src/media/export.js';
import { ExportWorker } from '../../../src/review/exporter.js';
import { sha256File } from '../../../src/core/durable.js';
import { audioStreams, durationSeconds, ffprobe, makeTempDir, runChecked, startRtspCamera, stopAll, type TempDir } from '../../support/index.js';
import { makeEnv, type ReviewEnv } from '../../unit/review/env.js';
import { ALLOWED_FORMAT_TAGS, ALLOWED_STREAM_TAGS, cropSsim, frameCount, makeClip } from './media.js';

const FPS = 15;
let media: TempDir;
let source: string;

beforeAll(async () => {
  media = await makeTempDir('cg-export-media-');
  source = path.join(media.path, 'source.mp4');
  await makeClip(source, { seconds: 6, fps: FPS, gopSeconds: 2 });
}, 180_000);
afterAll(async () => {
  await stopAll();
  await media.cleanup();
});

let env: ReviewEnv | undefined;
let worker: ExportWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  env?.cleanup();
  env = undefined;
});

function startWorker(e: ReviewEnv): ExportWorker {
  const w = new ExportWorker({ db: e.db, repos: e.repos, clock: e.clock, bus: e.bus, log: pino({ level: 'silent' }), dataDir: e.dataDir, exportsDir: path.join(e.dataDir, 'exports'), pollMs: 200 });
  worker = w;
  e.onQueued = (id) => w.kick(id);
  return w;
}

/** Resolves with the share once it leaves `exporting`. */
function settled(e: ReviewEnv, shareId: string): Promise<Share> {
  return new Promise((resolve) => {
    e.bus.on('test-wait', 'share.updated', ({ share }) => {
      if (share.id === shareId && share.status !== 'exporting') resolve(share);
    });
  });
}

/** Approve a clip made from `file` and wait for its export. */
async function exportClip(file: string, input: Parameters<ReviewEnv['review']['approve']>[1], masks?: { x: number; y: number; width: number; height: number }[]) {
  env = makeEnv({ masks });
  const w = startWorker(env);
  await w.start();
  const clip = env.insertClip({ filePath: 'clips/in.mp4', thumbPath: null });
  copyFileSync(file, path.join(env.dataDir, 'clips/in.mp4'));
  const share = env.review.approve(clip.id, input);
  const done = await settled(env, share.id);
  const rec = env.repos.shares.get(share.id)!;
  const out = rec.exportPath ? path.join(env.dataDir, rec.exportPath) : '';
  return { env, clip, share: done, rec, out };
}

function assertNoMetadata(probe: Awaited<ReturnType<typeof ffprobe>>, file: string): void {
  expect(Object.keys(probe.format.tags ?? {}).filter((k) => !ALLOWED_FORMAT_TAGS.includes(k))).toEqual([]);
  for (const s of probe.streams) expect(Object.keys(s.tags ?? {}).filter((k) => !ALLOWED_STREAM_TAGS.includes(k))).toEqual([]);
  const bytes = readFileSync(file).toString('latin1');
  for (const marker of ['Lavf', 'Lavc', 'x264 - core', 'front door', 'home']) expect(bytes.includes(marker), marker).toBe(false);
}

describe('redaction export (real ffmpeg)', () => {
  it('default: audio stripped, metadata gone, hashed, exporting → queued with progress', async () => {
    const progress: number[] = [];
    const { env: e, clip, share, rec, out } = await exportClip(source, {});
    e.events.filter((x) => x.name === 'share.progress').forEach((x) => progress.push((x.payload as { percent: number }).percent));
    expect(share.status).toBe('queued');
    expect(rec.exportPath).toBe(`exports/${share.id}.mp4`);
    const probe = await ffprobe(out);
    expect(audioStreams(probe)).toHaveLength(0);
    expect(durationSeconds(probe)).toBeCloseTo(6, 1);
    assertNoMetadata(probe, out);
    const hash = await sha256File(out);
    expect(rec).toMatchObject({ sha256: hash.sha256, bytesTotal: hash.size, recordedAt: clip.startedAt });
    expect(Math.abs((rec.durationMs ?? 0) - 6000)).toBeLessThanOrEqual(1000 / FPS);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(readdirSync(path.join(e.dataDir, 'exports'))).toEqual([`${share.id}.mp4`]);
  });

  it('keepAudio: the audio track survives', async () => {
    const { out, share } = await exportClip(source, { stripAudio: false });
    expect(share.status).toBe('queued');
    const probe = await ffprobe(out);
    expect(audioStreams(probe)).toHaveLength(1);
    assertNoMetadata(probe, out);
  });

  it('a trim between keyframes is re-encoded and lasts the window within one frame', async () => {
    const { out, rec, clip } = await exportClip(source, { trim: { startMs: 1000, endMs: 4500 } });
    const probe = await ffprobe(out);
    expect(Math.abs(durationSeconds(probe) - 3.5)).toBeLessThanOrEqual(1 / FPS);
    expect(Math.abs((await frameCount(out)) - 3.5 * FPS)).toBeLessThanOrEqual(1);
    expect(rec.recordedAt).toBe(new Date(Date.parse(clip.startedAt) + 1000).toISOString());
    assertNoMetadata(probe, out);
  });

  it('a keyframe-aligned trim without blur is a stream copy, still frame-exact and clean', async () => {
    const dir = await makeTempDir('cg-export-copy-');
    try {
      const out = path.join(dir.path, 'o.mp4');
      const made = await runExport({ input: source, trim: { startMs: 2000, endMs: 5000 }, stripAudio: true, regions: [] }, out);
      expect(made.mode).toBe('copy');
      const probe = await ffprobe(out);
      expect(Math.abs(durationSeconds(probe) - 3)).toBeLessThanOrEqual(1 / FPS);
      expect(Math.abs((await frameCount(out)) - 3 * FPS)).toBeLessThanOrEqual(1);
      assertNoMetadata(probe, out);
      const enc = await runExport({ input: source, trim: { startMs: 1000, endMs: 5000 }, stripAudio: true, regions: [] }, path.join(dir.path, 'e.mp4'));
      expect(enc.mode).toBe('encode');
    } finally {
      await dir.cleanup();
    }
  });

  it('blur: the region (request + camera mask) is unrecognisable, the rest of the frame is intact', async () => {
    const request = { x: 0.05, y: 0.1, width: 0.3, height: 0.35 };
    const mask = { x: 0.7, y: 0.0, width: 0.3, height: 0.3 };
    const { out, share } = await exportClip(source, { blur: [request] }, [mask]);
    expect(share.status).toBe('queued');
    const inRequest = await cropSsim(source, out, pixelRect(request, 1920, 1080));
    const inMask = await cropSsim(source, out, pixelRect(mask, 1920, 1080));
    const outside = await cropSsim(source, out, pixelRect({ x: 0.4, y: 0.5, width: 0.55, height: 0.45 }, 1920, 1080));
    expect(inRequest).toBeLessThan(0.4);
    expect(inMask).toBeLessThan(0.4);
    expect(outside).toBeGreaterThan(0.95);
    console.log(`SSIM request region ${inRequest.toFixed(3)}, mask ${inMask.toFixed(3)}, outside ${outside.toFixed(3)}`);
  });

  it('a failed export marks the share failed with the reason; retry exports it', async () => {
    env = makeEnv();
    const w = startWorker(env);
    await w.start();
    const clip = env.insertClip({ filePath: 'clips/bad.mp4', thumbPath: null });
    writeFileSync(path.join(env.dataDir, 'clips/bad.mp4'), 'this is not a video');
    const share = env.review.approve(clip.id, {});
    const failed = await settled(env, share.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^export failed: /);
    expect(readdirSync(path.join(env.dataDir, 'exports'))).toEqual([]);
    copyFileSync(source, path.join(env.dataDir, 'clips/bad.mp4'));
    const again = settled(env, share.id);
    env.review.retryExport(share.id);
    expect((await again).status).toBe('queued');
  });

  it('a clip recorded from the RTSP test camera exports clean', async () => {
    const cam = await startRtspCamera();
    const recorded = path.join(media.path, 'rtsp.mp4');
    try {
      await runChecked('ffmpeg', ['-v', 'error', '-y', '-rtsp_transport', 'tcp', '-i', cam.mainUrl, '-t', '6', '-c', 'copy', recorded], { timeoutMs: 60_000 });
    } finally {
      await cam.stop();
    }
    const original = await ffprobe(recorded);
    expect(audioStreams(original)).toHaveLength(1);
    const { out, share } = await exportClip(recorded, { stripAudio: false, blur: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2 }] });
    expect(share.status).toBe('queued');
    const probe = await ffprobe(out);
    expect(audioStreams(probe)).toHaveLength(1);
    assertNoMetadata(probe, out);
    expect(existsSync(out)).toBe(true);
  }, 120_000);
});
