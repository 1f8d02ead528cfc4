import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Share } from '../../../src/core/types.js';
import { pixelRect } from '../../../src/media/export-args.js';
import { runExport } from '../../../src/media/export.js';
import { ExportWorker } from '../../../src/review/exporter.js';
import { sha256File } from '../../../src/core/durable.js';
import { ShareService } from '../../../src/upload/index.js';
import { audioStreams, durationSeconds, ffprobe, makeTempDir, runChecked, runProcess, startRtspCamera, stopAll, waitUntil, type TempDir } from '../../support/index.js';
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
  const w = new ExportWorker({ db: e.db, repos: e.repos, ledger: e.ledger, clock: e.clock, bus: e.bus, log: pino({ level: 'silent' }), dataDir: e.dataDir, exportsDir: path.join(e.dataDir, 'exports'), pollMs: 200 });
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
async function exportClip(file: string, input: Parameters<ReviewEnv['review']['approve']>[1], masks?: { x: number; y: number; width: number; height: number }[], opts: { send?: boolean } = {}) {
  env = makeEnv({ masks });
  const w = startWorker(env);
  await w.start();
  const clip = env.insertClip({ filePath: 'clips/in.mp4', thumbPath: null });
  copyFileSync(file, path.join(env.dataDir, 'clips/in.mp4'));
  const share = env.review.approve(clip.id, input, opts);
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
  it('default: audio stripped, metadata gone, hashed, exporting → ready (the preview; nothing recorded yet) with progress', async () => {
    const progress: number[] = [];
    const { env: e, clip, share, rec, out } = await exportClip(source, {});
    e.events.filter((x) => x.name === 'share.progress').forEach((x) => progress.push((x.payload as { percent: number }).percent));
    expect(share.status).toBe('ready');
    expect(e.ledger.list()).toEqual([]);
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
    expect(share.status).toBe('ready');
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
    expect(share.status).toBe('ready');
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
    expect((await again).status).toBe('ready');
  });

  it('one step (approve --send, or review.preview false): consent naming the export hash is recorded when the export is done, then queued', async () => {
    const { env: e, share, rec, out } = await exportClip(source, {}, undefined, { send: true });
    expect(share.status).toBe('queued');
    const [entry] = e.ledger.list();
    expect(entry).toMatchObject({ action: 'approved', shareId: share.id, exportSha256: (await sha256File(out)).sha256 });
    expect(entry?.options).toMatchObject({ consent: 'one-step', actions: ['c2pa.deleted', 'c2pa.edited.metadata'] });
    expect(rec.consentSeq).toBe(entry?.seq);
    expect(e.repos.shares.listUploadable().map((s) => s.id)).toEqual([share.id]);
  });

  it('cancel while ffmpeg runs: the export stops, nothing is left in exports/, the clip is pending, the ledger records nothing', async () => {
    const long = path.join(media.path, 'long.mp4');
    await makeClip(long, { seconds: 30, fps: FPS, gopSeconds: 2 });
    env = makeEnv();
    const w = startWorker(env);
    await w.start();
    const clip = env.insertClip({ filePath: 'clips/in.mp4', thumbPath: null, durationMs: 30_000 });
    copyFileSync(long, path.join(env.dataDir, 'clips/in.mp4'));
    // A blur forces the (slow) libx264 encode.
    const share = env.review.approve(clip.id, { blur: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2 }] });
    await waitUntil('ffmpeg encoding', () => env!.events.some((x) => x.name === 'share.progress' && (x.payload as { percent: number }).percent > 0), 60_000);
    expect(w.current).toBe(share.id);
    const shares = new ShareService({ db: env.db, repos: env.repos, bus: env.bus, clock: env.clock, log: pino({ level: 'silent' }), ledger: env.ledger, dataDir: env.dataDir });
    const out = await shares.cancel(share.id);
    expect(out.status).toBe('cancelled');
    await waitUntil('the export worker to let go', () => w.current === null, 20_000);
    const progressAfter = env.events.filter((x) => x.name === 'share.progress' && (x.payload as { percent: number }).percent === 100);
    expect(progressAfter).toEqual([]);
    expect(readdirSync(path.join(env.dataDir, 'exports'))).toEqual([]);
    expect(env.repos.shares.get(share.id)).toMatchObject({ status: 'cancelled', exportPath: null });
    expect(env.repos.clips.get(clip.id)?.status).toBe('pending');
    expect(env.ledger.list()).toEqual([]);
  }, 120_000);

  it('an x265 clip exported without blur or trim: no "x265" string, no SEI NAL units (39/40) in the bitstream or hvcC, tagged hvc1, same pictures', async () => {
    const hevc = path.join(media.path, 'x265.mp4');
    await runChecked('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=${FPS}`, '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '4',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `keyint=${FPS * 2}:log-level=error`, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-metadata', 'comment=front door', hevc], { timeoutMs: 120_000 });
    const naltypes = async (file: string): Promise<Map<number, number>> => {
      const r = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0', '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { timeoutMs: 60_000 });
      const counts = new Map<number, number>();
      for (const m of r.stderr.matchAll(/nal_unit_type\s+[01]+ = (\d+)/g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
      return counts;
    };
    const before = await naltypes(hevc);
    expect(readFileSync(hevc).toString('latin1')).toContain('x265');
    expect((before.get(39) ?? 0) + (before.get(40) ?? 0)).toBeGreaterThan(0);

    const { out, share } = await exportClip(hevc, {});
    expect(share.status).toBe('ready');
    const bytes = readFileSync(out).toString('latin1');
    expect(bytes.includes('x265')).toBe(false);
    const after = await naltypes(out);
    console.log(`HEVC NAL unit types before ${JSON.stringify([...before])} after ${JSON.stringify([...after])}`);
    expect(after.get(39) ?? 0).toBe(0);
    expect(after.get(40) ?? 0).toBe(0);
    // Parameter sets once each, in hvcC only (trace_headers reads the extradata first), none in-band.
    for (const t of [32, 33, 34]) expect(after.get(t), `NAL type ${t}`).toBe(1);
    const probe = await ffprobe(out);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    expect(video).toMatchObject({ codec_name: 'hevc', codec_tag_string: 'hvc1' });
    expect(audioStreams(probe)).toHaveLength(0);
    assertNoMetadata(probe, out);
    // A stream copy: the very same pictures.
    const md5 = async (file: string): Promise<string> => (await runChecked('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'md5', '-'], { timeoutMs: 60_000 })).stdout.trim();
    expect(await md5(out)).toBe(await md5(hevc));
  }, 120_000);

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
    expect(share.status).toBe('ready');
    const probe = await ffprobe(out);
    expect(audioStreams(probe)).toHaveLength(1);
    assertNoMetadata(probe, out);
    expect(existsSync(out)).toBe(true);
  }, 120_000);
});
