// Supervision and privacy against a real RTSP camera: outage → offline → online → good clip;
// privacy mode writes no segments and survives a restart.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/core/errors.js';
import { ffprobe, isPidAlive, makeTempDir, runProcess, startRtspCamera, stopAll, videoStreams, type RtspCamera, type TempDir } from '../../support/index.js';
import { sleep, waitUntil } from '../../support/wait.js';
import { cameraConfig, makeRig, type Rig } from './rig.js';

async function segmentFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.ts'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

describe('recorder supervision and privacy', () => {
  let cam: RtspCamera | undefined;
  let tmp: TempDir | undefined;
  const rigs: Rig[] = [];

  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.stop();
    await cam?.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it('camera stopped for 10 s: offline, then online again, and the next trigger makes a good clip', async () => {
    tmp = await makeTempDir('cg-reconnect-');
    cam = await startRtspCamera({ width: 640, height: 360, bitrateKbps: 500, static: true });
    const rig = makeRig({ dir: tmp.path, cameras: [cameraConfig({ id: 'yard', rtsp: { main: cam.mainUrl }, record: { preSeconds: 2, postSeconds: 2 } })] });
    rigs.push(rig);
    await rig.start();
    await waitUntil('online', () => rig.cameras.get('yard')?.status === 'online', 30_000);
    const onlineBefore = rig.seen('camera.status').length;

    // Stop the server process for 10 s, then start it on the same port.
    const port = cam.port;
    await cam.stop();
    await waitUntil('offline', () => rig.cameras.get('yard')?.status === 'offline', 30_000);
    expect(rig.cameras.get('yard')?.lastError).toBeTruthy();
    expect(rig.repos.cameras.get('yard')?.status).toBe('offline');
    await sleep(10_000);
    cam = await startRtspCamera({ port, width: 640, height: 360, bitrateKbps: 500, static: true });
    await waitUntil('online again', () => rig.cameras.get('yard')?.status === 'online', 90_000);
    const onlineAgainAt = Date.now();

    // Each failed retry re-announces offline with its new lastError; the transitions are what count.
    const statuses = rig.seen('camera.status').slice(onlineBefore - 1).map((s) => s.status);
    expect(statuses.filter((s, i) => s !== statuses[i - 1])).toEqual(['online', 'offline', 'online']);
    expect(rig.seen('camera.status').filter((s) => s.status === 'offline').every((s) => s.lastError)).toBe(true);
    // Trigger once the ring holds more than the pre-roll recorded since the reconnect.
    await waitUntil('the ring refilled past the pre-roll', () => (rig.cameras.ring('yard')?.newestEndMs() ?? 0) >= onlineAgainAt + 2_500, 30_000);
    const clipP = rig.nextClip(40_000);
    rig.cameras.trigger('yard');
    const clip = await clipP;
    const file = path.join(rig.dataDir, rig.repos.clips.get(clip.id)?.filePath ?? '');
    expect(videoStreams(await ffprobe(file))[0]?.codec_name).toBe('h264');
    const dec = await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-xerror', '-i', file, '-f', 'null', '-'], { timeoutMs: 60_000 });
    expect(dec.code, dec.stderr).toBe(0);
    expect(clip.durationMs).toBeGreaterThanOrEqual(3_500);
  }, 180_000);

  it('privacy mode stops recording, discards the cache, writes no segments, and persists across restarts', async () => {
    tmp = await makeTempDir('cg-privacy-');
    cam = await startRtspCamera({ width: 640, height: 360, bitrateKbps: 500, static: true, audio: false });
    const config = [cameraConfig({ id: 'porch', rtsp: { main: cam.mainUrl } })];
    const rig = makeRig({ dir: tmp.path, cameras: config });
    rigs.push(rig);
    await rig.start();
    const dir = path.join(rig.cacheDir, 'porch');
    await waitUntil('segments', () => (rig.cameras.ring('porch')?.size ?? 0) >= 2, 30_000);
    const pids = rig.cameras.pids();
    expect(pids.length).toBe(1);

    const view = await rig.cameras.setPrivacy('porch', true);
    expect(view.status).toBe('privacy');
    expect(rig.seen('camera.privacy').at(-1)).toMatchObject({ cameraId: 'porch', enabled: true });
    expect(rig.seen('camera.status').at(-1)?.status).toBe('privacy');
    for (const pid of pids) expect(isPidAlive(pid)).toBe(false);
    expect(await segmentFiles(dir)).toEqual([]);
    expect(() => rig.cameras.trigger('porch')).toThrow(expect.objectContaining({ code: 'CAMERA_PRIVACY' }));
    await sleep(6_000);
    expect(await segmentFiles(dir)).toEqual([]);
    expect(rig.cameras.pids()).toEqual([]);

    // Restart on the same database: privacy is remembered, still nothing is written.
    await rig.stop();
    rigs.pop();
    const again = makeRig({ dir: tmp.path, cameras: config });
    rigs.push(again);
    await again.start();
    expect(again.cameras.get('porch')?.status).toBe('privacy');
    await sleep(4_000);
    expect(await segmentFiles(dir)).toEqual([]);

    await again.cameras.setPrivacy('porch', false);
    await waitUntil('recording again', () => again.cameras.get('porch')?.status === 'online', 30_000);
    expect((await segmentFiles(dir)).length).toBeGreaterThan(0);
    let caught: unknown;
    try {
      again.cameras.trigger('nope');
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught) && caught.code).toBe('CAMERA_NOT_FOUND');
  }, 120_000);
});
