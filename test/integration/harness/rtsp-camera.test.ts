// Smoke tests for the GStreamer RTSP test camera: the recorder, motion and
// clip tests all assume these stream properties, so pin them down here.
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audioStreams,
  durationSeconds,
  ffprobe,
  freePort,
  isPidAlive,
  makeTempDir,
  runProcess,
  startRtspCamera,
  stopAll,
  videoStreams,
  type RtspCamera,
  type TempDir,
} from '../../support/index.js';

describe('startRtspCamera (GStreamer RTSP server)', () => {
  let cam: RtspCamera;
  let tmp: TempDir;

  beforeAll(async () => {
    tmp = await makeTempDir('clipgate-rtsp-test-');
    cam = await startRtspCamera();
  });
  afterAll(async () => {
    await cam?.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it('serves /main as 1080p H.264 with AAC audio', async () => {
    const r = await ffprobe(cam.mainUrl);
    const [v] = videoStreams(r);
    expect(v).toMatchObject({ codec_name: 'h264', width: 1920, height: 1080 });
    expect(audioStreams(r).map((s) => s.codec_name)).toEqual(['aac']);
  });

  it('serves /sub as 640x360 H.264 without audio', async () => {
    const r = await ffprobe(cam.subUrl);
    expect(videoStreams(r)).toHaveLength(1);
    expect(videoStreams(r)[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(audioStreams(r)).toHaveLength(0);
  });

  it('records ~3 s of /main into a playable mp4 with stream copy', async () => {
    const out = path.join(tmp.path, 'out.mp4');
    const ff = await runProcess(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', cam.mainUrl, '-t', '3', '-c', 'copy', '-y', out],
      { timeoutMs: 30_000 },
    );
    expect(ff.code, ff.stderr).toBe(0);
    const r = await ffprobe(out);
    expect(r.format.format_name).toContain('mp4');
    expect(durationSeconds(r)).toBeGreaterThan(2.5);
    expect(durationSeconds(r)).toBeLessThan(3.6);
    expect(videoStreams(r)[0]).toMatchObject({ codec_name: 'h264', width: 1920, height: 1080 });
    expect(audioStreams(r)[0]?.codec_name).toBe('aac');
    // "Playable" = every packet decodes without errors.
    const dec = await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-xerror', '-i', out, '-f', 'null', '-'], {
      timeoutMs: 30_000,
    });
    expect(dec.code, dec.stderr).toBe(0);
  });

  it('restart() comes back on the same port with a new process', async () => {
    const { port } = cam;
    const pid1 = cam.pid;
    await cam.restart();
    expect(cam.port).toBe(port);
    expect(cam.pid).not.toBe(pid1);
    expect(isPidAlive(pid1)).toBe(false);
    const r = await ffprobe(cam.subUrl);
    expect(videoStreams(r)[0]?.codec_name).toBe('h264');
  });

  it('stop() leaves no process with the camera PID', async () => {
    const pid = cam.pid;
    await cam.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('startRtspCamera with auth', () => {
  let cam: RtspCamera;
  beforeAll(async () => {
    // Small and silent: this block is about auth, not picture, so keep CPU low.
    cam = await startRtspCamera({ width: 640, height: 360, audio: false, auth: { username: 'admin', password: 'p@ss:w/rd' } });
  });
  afterAll(async () => {
    await cam?.stop();
    await stopAll();
  });

  it('refuses missing or wrong credentials', async () => {
    await expect(ffprobe(cam.subUrl)).rejects.toThrow(/401|unauthori/i);
    await expect(ffprobe(cam.url('admin', 'wrong', 'sub'))).rejects.toThrow(/401|unauthori/i);
  });

  it('accepts the right credentials (URL-encoded by url())', async () => {
    const r = await ffprobe(cam.url('admin', 'p@ss:w/rd', 'main'));
    expect(videoStreams(r)[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(audioStreams(r)).toHaveLength(0);
  });
});

describe('startRtspCamera port handling', () => {
  afterAll(() => stopAll());

  it('fails fast (not a false READY) when a pinned port is taken', async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      await expect(startRtspCamera({ port, width: 320, height: 180, audio: false })).rejects.toThrow(/could not bind/);
    } finally {
      squatter.close();
    }
  });
});
