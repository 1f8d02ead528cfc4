// A camera without ONVIF PullPoint events: the event service falls back, the camera registry
// starts motion detection on the camera's sub stream (a runtime override the problem tells the
// owner how to make permanent), and the moving picture of the GStreamer test camera becomes a
// clip with trigger `detect`.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, startRtspCamera, stopAll, type RtspCamera, type TempDir } from '../../support/index.js';
import { startOnvifDouble, type OnvifDouble } from '../../support/onvif-double/index.js';
import { waitUntil } from '../../support/wait.js';
import { cameraConfig, makeRig, type Rig } from '../recording/rig.js';

const USER = 'admin';
const PASS = 'onvif-pass-77';

describe('no PullPoint → daemon-side detection on the sub stream', () => {
  let tmp: TempDir | undefined;
  let rig: Rig | undefined;
  let cam: RtspCamera | undefined;
  let double: OnvifDouble | undefined;

  afterEach(async () => {
    await rig?.stop();
    await double?.stop();
    await cam?.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it('falls back, raises the problem, detects motion and makes a detect clip', async () => {
    tmp = await makeTempDir('cg-fallback-detect-');
    // The default test picture scrolls sideways every frame: changing pixels for the detector.
    cam = await startRtspCamera({ width: 640, height: 360, fps: 10, bitrateKbps: 500, audio: false });
    double = await startOnvifDouble({ username: USER, password: PASS, auth: 'wsse', noPullPoint: true, streams: { main: cam.mainUrl, sub: cam.subUrl } });
    rig = makeRig({
      dir: tmp.path,
      cameras: [
        cameraConfig({
          id: 'porch',
          onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS },
          motion: { detect: { fps: 4, minSeconds: 0.5, cooldownSeconds: 2 } },
          record: { preSeconds: 2, postSeconds: 1, maxSeconds: 5, audio: false },
        }),
      ],
      backoff: { initialMs: 300, maxMs: 1_000 },
    });
    const r = rig;
    const clip = r.nextClip(90_000);
    await r.start();
    await waitUntil('event source fell back', () => r.cameras.get('porch')?.events?.state === 'fallback', 20_000);
    const problem = r.problems.list().find((p) => p.id === 'onvif.fallback.porch');
    expect(problem?.details).toMatch(/set events: none and motion\.detect\.enabled: true for camera "porch"/);
    // Recorder and detector: two ffmpeg children.
    await waitUntil('detector running', () => r.cameras.pids().length === 2, 20_000);
    const made = await clip;
    expect(made.trigger).toBe('detect');
    expect(made.cameraId).toBe('porch');
    expect(r.seen('motion.changed').some((m) => m.source === 'detect' && m.active)).toBe(true);
    expect(r.seen('motion.changed').some((m) => m.source === 'onvif')).toBe(false);
    expect(double.count('CreatePullPointSubscription')).toBe(1);
    // The override outlives a privacy toggle (the runtime is rebuilt with the detector).
    await r.cameras.setPrivacy('porch', true);
    expect(r.cameras.pids()).toEqual([]);
    await r.cameras.setPrivacy('porch', false);
    await waitUntil('detector back after privacy', () => r.cameras.pids().length === 2, 20_000);
  }, 150_000);
});
