// The real App with ONVIF cameras pointing at the fake device, whose streams are the RTSP test
// camera: onboarding records, camera motion and doorbell events become clips, a camera with a
// wrong password is offline with a clear reason while the daemon keeps running.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import type { CameraRegistry } from '../../../src/cameras/registry.js';
import { configSchema } from '../../../src/config/schema.js';
import type { EventMap } from '../../../src/core/events.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import type { Clip } from '../../../src/core/types.js';
import { ffprobe, makeTempDir, startRtspCamera, stopAll, videoStreams, type RtspCamera, type TempDir } from '../../support/index.js';
import { startOnvifDouble, type OnvifDouble } from '../../support/onvif-double/index.js';
import { PASS, USER, waitUntil } from './harness.js';

const PRE = 4;
const POST = 3;
/** Segments start at keyframes (2 s GOP) and the camera's UtcTime has 1 s resolution: the clip may start earlier, never later. */
const SLACK_MS = 500;

describe('App with ONVIF cameras', () => {
  let tmp: TempDir;
  let rtsp: RtspCamera;
  let double: OnvifDouble;
  let app: App;
  const clips: Clip[] = [];
  const presses: EventMap['doorbell.pressed'][] = [];
  const logLines: string[] = [];

  const nextClip = async (trigger: string, timeoutMs: number): Promise<Clip> => {
    await waitUntil(`a ${trigger} clip`, () => clips.some((c) => c.trigger === trigger), timeoutMs);
    return clips.find((c) => c.trigger === trigger)!;
  };

  beforeAll(async () => {
    tmp = await makeTempDir('cg-onvif-app-');
    // The RTSP camera requires credentials: recording proves the resolver put them into the URL.
    rtsp = await startRtspCamera({ width: 640, height: 360, bitrateKbps: 600, auth: { username: USER, password: PASS } });
    double = await startOnvifDouble({ username: USER, password: PASS, auth: 'wsse', clockSkewMs: 3_600_000, streams: { main: rtsp.mainUrl, sub: rtsp.subUrl } });
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: 0 },
      cameras: [
        { id: 'door', kind: 'doorbell', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS }, record: { preSeconds: PRE, postSeconds: POST, maxSeconds: 30, audio: true } },
        { id: 'garage', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: 'not-the-password' } },
      ],
      logging: { level: 'info' },
    });
    const secrets = new SecretRegistry();
    app = new App({ config, demo: false, secrets, log: createLogger({ level: 'info', secrets, write: (l) => void logLines.push(l) }) });
    app.core.bus.on('test', 'clip.created', (e) => void clips.push(e.clip));
    app.core.bus.on('test', 'doorbell.pressed', (e) => void presses.push(e));
    await app.start();
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await double?.stop();
    await rtsp?.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it('onboards over ONVIF and records; the wrong-password camera is offline with the reason', async () => {
    const cameras = app.controls.cameras as CameraRegistry;
    await waitUntil('door online', () => cameras.get('door')?.status === 'online', 40_000);
    await waitUntil('garage offline with reason', () => /refused the ONVIF credentials/.test(cameras.get('garage')?.lastError ?? ''), 20_000);
    expect(cameras.get('garage')?.status).toBe('offline');
    expect(cameras.get('garage')?.lastError).toMatch(/for user "admin"/);
    await waitUntil('pre-roll in the ring', () => {
      const all = cameras.ring('door')?.covering(-Infinity, Infinity) ?? [];
      return all.length > 0 && (all.at(-1)?.endMs ?? 0) - (all[0]?.startMs ?? 0) > (PRE + 2) * 1000;
    }, 40_000);
    // No secret reached the log, though stream URLs with credentials were handled.
    expect(logLines.join('\n')).not.toContain(PASS);
  }, 100_000);

  it('a camera motion event makes a clip covering preSeconds before the event', async () => {
    await double.waitForSubscription(20_000);
    const t = Date.now();
    double.emitStyle('hikvision', true);
    await new Promise((r) => setTimeout(r, 1_000));
    double.emitStyle('hikvision', false);
    const clip = await nextClip('motion', 40_000);
    expect(clip.cameraId).toBe('door');
    expect(Date.parse(clip.startedAt)).toBeLessThanOrEqual(t - PRE * 1000 + SLACK_MS);
    expect(Date.parse(clip.endedAt)).toBeGreaterThanOrEqual(t + (1 + POST) * 1000 - 2_500);
    const row = app.core.repos.clips.get(clip.id);
    const probe = await ffprobe(path.join(app.core.paths.dataDir, row?.filePath ?? 'missing'));
    expect(videoStreams(probe)[0]?.codec_name).toBe('h264');
  }, 60_000);

  it('a doorbell press emits doorbell.pressed and makes a clip with trigger doorbell', async () => {
    const t = Date.now();
    double.emitStyle('reolink-visitor', true);
    double.emitStyle('reolink-visitor', false);
    await waitUntil('doorbell.pressed', () => presses.length === 1, 10_000);
    expect(presses[0]?.cameraId).toBe('door');
    const clip = await nextClip('doorbell', 40_000);
    expect(Date.parse(clip.startedAt)).toBeLessThanOrEqual(t - PRE * 1000 + SLACK_MS);
    expect(presses).toHaveLength(1);
  }, 60_000);

  it('after a camera reboot (double restarted) clipgate re-subscribes and the next event makes a clip', async () => {
    const before = clips.length;
    const creates = double.count('CreatePullPointSubscription');
    await double.restart();
    await waitUntil('a new subscription', () => double.subscriptions() === 1 && double.count('CreatePullPointSubscription') > creates, 30_000);
    double.emitStyle('reolink-people', true);
    await new Promise((r) => setTimeout(r, 500));
    double.emitStyle('reolink-people', false);
    await waitUntil('a clip after the reboot', () => clips.length > before && clips.at(-1)?.trigger === 'motion', 40_000);
  }, 80_000);
});
