// Trigger → clip against a real RTSP camera: coverage is checked on the camera's own timeline.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStreams, ffprobe, makeTempDir, runProcess, startRtspCamera, stopAll, videoStreams, type RtspCamera, type TempDir } from '../../support/index.js';
import { sleep, waitUntil } from '../../support/wait.js';
import { cameraConfig, makeRig, type Rig } from './rig.js';
import { clipSpan, startTimeline, type Timeline } from './timeline.js';

const PRE = 4;
const POST = 4;
const MAX = 14;
/** Measurement slack: both clients see a frame within a few tens of ms of each other on loopback. */
const TOLERANCE_MS = 300;

describe('clip assembly against the RTSP test camera', () => {
  let cam: RtspCamera;
  let tmp: TempDir;
  let rig: Rig;
  let timeline: Timeline;

  beforeAll(async () => {
    tmp = await makeTempDir('cg-coverage-');
    // Small main stream keeps the reference decoder cheap; the burnt-in clock makes every frame unique.
    cam = await startRtspCamera({ width: 640, height: 360, bitrateKbps: 800, overlayTime: true });
    timeline = await startTimeline(cam.mainUrl);
    rig = makeRig({ dir: tmp.path, cameras: [cameraConfig({ id: 'door', rtsp: { main: cam.mainUrl }, record: { preSeconds: PRE, postSeconds: POST, maxSeconds: MAX, audio: true } })] });
    await rig.start();
    // Enough finished footage in the ring for the whole pre-roll.
    await waitUntil('pre-roll in the ring', () => {
      const all = rig.cameras.ring('door')?.covering(-Infinity, Infinity) ?? [];
      return all.length > 0 && (all.at(-1)?.endMs ?? 0) - (all[0]?.startMs ?? 0) > (PRE + 2) * 1000;
    }, 40_000);
  }, 90_000);

  afterAll(async () => {
    await rig?.stop();
    await timeline?.stop();
    await cam?.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it('a trigger at T makes one playable H.264/AAC mp4 covering [T − pre, T + post] on the camera timeline', async () => {
    expect(rig.cameras.get('door')?.status).toBe('online');
    const clipP = rig.nextClip(40_000);
    const t = Date.now();
    rig.cameras.trigger('door');
    const clip = await clipP;
    const row = rig.repos.clips.get(clip.id);
    expect(row?.status).toBe('pending');
    expect(row?.trigger).toBe('manual');
    const file = path.join(rig.dataDir, row?.filePath ?? 'missing');
    expect(row?.filePath).toMatch(/^clips\/door\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\.mp4$/);
    const probe = await ffprobe(file);
    expect(videoStreams(probe)[0]?.codec_name).toBe('h264');
    expect(audioStreams(probe)[0]?.codec_name).toBe('aac');
    const dec = await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-xerror', '-i', file, '-f', 'null', '-'], { timeoutMs: 60_000 });
    expect(dec.code, dec.stderr).toBe(0);
    const span = await clipSpan(timeline, file);
    expect(span.fromMs).toBeLessThanOrEqual(t - PRE * 1000 + TOLERANCE_MS);
    expect(span.toMs).toBeGreaterThanOrEqual(t + POST * 1000 - TOLERANCE_MS);
    // The row's start is the camera time of its first frame (within keyframe/measurement slack).
    expect(Math.abs(Date.parse(clip.startedAt) - span.fromMs)).toBeLessThan(500);
    expect(row?.thumbPath).toMatch(/\.jpg$/);
  });

  it('overlapping triggers make one clip spanning the first trigger − pre to the last + post', async () => {
    const before = rig.seen('clip.created').length;
    const clipP = rig.nextClip(40_000);
    const t1 = Date.now();
    rig.cameras.trigger('door');
    await sleep(3_000);
    const t2 = Date.now();
    rig.cameras.trigger('door');
    const clip = await clipP;
    // Wait past another full post-roll: a second clip would have appeared by now.
    await sleep((POST + 3) * 1000);
    expect(rig.seen('clip.created').length).toBe(before + 1);
    const span = await clipSpan(timeline, path.join(rig.dataDir, rig.repos.clips.get(clip.id)?.filePath ?? ''));
    expect(span.fromMs).toBeLessThanOrEqual(t1 - PRE * 1000 + TOLERANCE_MS);
    expect(span.toMs).toBeGreaterThanOrEqual(t2 + POST * 1000 - TOLERANCE_MS);
  });

  it('maxSeconds caps a clip whose motion never ends', async () => {
    const clipP = rig.nextClip(60_000);
    const at = new Date().toISOString();
    rig.bus.emit('motion.changed', { cameraId: 'door', active: true, source: 'onvif', at });
    const clip = await clipP;
    expect(clip.trigger).toBe('motion');
    // Cut at keyframes: at most one GOP (2 s) plus rounding beyond the cap, and never much less.
    expect(clip.durationMs).toBeLessThanOrEqual((MAX + 2.5) * 1000);
    expect(clip.durationMs).toBeGreaterThanOrEqual((MAX - 1) * 1000);
    rig.bus.emit('motion.changed', { cameraId: 'door', active: false, source: 'onvif', at: new Date().toISOString() });
  });
});
