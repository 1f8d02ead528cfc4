// ONVIF onboarding runs once per camera and again only when RTSP says the streams changed: the
// recorder restarted 5 times by an RTSP outage (a relay in front of the GStreamer test camera,
// unplugged) reuses the streams it has; RTSP 401 or 404 makes it ask the camera again.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, startRtspCamera, stopAll, type RtspCamera, type TempDir } from '../../support/index.js';
import { startOnvifDouble, type OnvifDouble } from '../../support/onvif-double/index.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { waitUntil } from '../../support/wait.js';
import { cameraConfig, makeRig, type Rig } from '../recording/rig.js';

const USER = 'admin';
const PASS = 'onvif-pass-41';
const BACKOFF = { initialMs: 200, maxMs: 600 };

const onvifCamera = (id: string, double: OnvifDouble): unknown => ({
  id,
  onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS },
  events: 'none',
  record: { preSeconds: 1, postSeconds: 1, audio: false },
});

describe('ONVIF onboarding cache through the camera registry', () => {
  let tmp: TempDir | undefined;
  let rig: Rig | undefined;
  const cams: RtspCamera[] = [];
  const doubles: OnvifDouble[] = [];
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
    await proxy?.stop();
    for (const d of doubles.splice(0)) await d.stop();
    for (const c of cams.splice(0)) await c.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it('recorder restarted 5 times by an RTSP outage → exactly 1 onboarding', async () => {
    tmp = await makeTempDir('cg-onboard-cache-');
    const cam = await startRtspCamera({ width: 320, height: 180, fps: 10, bitrateKbps: 300, static: true, audio: false });
    cams.push(cam);
    proxy = await startTcpProxy({ host: cam.host, port: cam.port });
    const relay = `rtsp://127.0.0.1:${proxy.port}`;
    const double = await startOnvifDouble({ username: USER, password: PASS, streams: { main: `${relay}/main`, sub: `${relay}/sub` } });
    doubles.push(double);
    rig = makeRig({ dir: tmp.path, cameras: [cameraConfig(onvifCamera('porch', double))], backoff: BACKOFF });
    await rig.start();
    const cameras = rig.cameras;
    await waitUntil('recording', () => cameras.get('porch')?.status === 'online', 40_000);

    proxy.setMode('refuse');
    await waitUntil('offline', () => cameras.get('porch')?.status === 'offline', 20_000);
    const p = proxy;
    await waitUntil('5 recorder restarts refused by the camera', () => p.counts.refuse >= 5, 30_000);
    const restarts = p.counts.refuse;
    proxy.setMode('pass');
    await waitUntil('recording again', () => cameras.get('porch')?.status === 'online', 40_000);

    console.log(`onboarding cache: ${restarts} recorder restarts during the outage → GetProfiles ${double.count('GetProfiles')}, GetStreamUri ${double.count('GetStreamUri')}; requests ${JSON.stringify(double.counts())}`);
    expect(double.count('GetProfiles')).toBe(1);
    expect(double.count('GetStreamUri')).toBe(2);
    expect(double.count('GetDeviceInformation')).toBe(1);
    // The identity read at that one onboarding is shown with the camera.
    expect(cameras.get('porch')?.device).toMatchObject({ manufacturer: 'Reolink' });
  }, 150_000);

  it('RTSP 401 (password changed) and 404 (path moved) make the camera onboard again at each start', async () => {
    tmp = await makeTempDir('cg-onboard-401-');
    // The RTSP server wants another password than the ONVIF one the resolver puts into the URL.
    const locked = await startRtspCamera({ width: 320, height: 180, fps: 10, bitrateKbps: 300, static: true, audio: false, auth: { username: USER, password: 'rtsp-only-pass' } });
    cams.push(locked);
    const open = await startRtspCamera({ width: 320, height: 180, fps: 10, bitrateKbps: 300, static: true, audio: false });
    cams.push(open);
    const d401 = await startOnvifDouble({ username: USER, password: PASS, streams: { main: locked.mainUrl, sub: locked.subUrl } });
    const d404 = await startOnvifDouble({ username: USER, password: PASS, streams: { main: `rtsp://127.0.0.1:${open.port}/moved`, sub: `rtsp://127.0.0.1:${open.port}/moved-sub` } });
    doubles.push(d401, d404);
    rig = makeRig({ dir: tmp.path, cameras: [cameraConfig(onvifCamera('locked', d401)), cameraConfig(onvifCamera('moved', d404))], backoff: BACKOFF });
    await rig.start();
    const cameras = rig.cameras;
    await waitUntil('401 runs each followed by an onboarding', () => d401.count('GetProfiles') >= 3, 40_000);
    await waitUntil('404 runs each followed by an onboarding', () => d404.count('GetProfiles') >= 3, 40_000);
    expect(cameras.get('locked')?.lastError).toMatch(/401 Unauthorized/);
    expect(cameras.get('locked')?.lastError).not.toContain(PASS);
    expect(cameras.get('moved')?.lastError).toMatch(/404 Not Found/);
    console.log(`onboarding on 401: ${d401.count('GetProfiles')} onboardings; on 404: ${d404.count('GetProfiles')} onboardings`);
  }, 120_000);
});
