// Home Assistant entities that tell the truth, through the real App with an ONVIF camera (the
// fake device in front of the GStreamer RTSP test camera, reached through an unpluggable relay),
// a real mosquitto and the real mosquitto_sub: the camera's device block carries what the camera
// said about itself; a dead camera makes its live entities unavailable while the bridge is online
// (availability rendered by real Jinja2, as HA does); a new clip's event links to the clip, and
// that link opens the clip in Chromium.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { SETTING } from '../../../src/db/repos/settings.js';
import { hashPassword } from '../../../src/web/auth/password.js';
import { freePort, makeTempDir, mosquittoSub, startMosquitto, startRtspCamera, stopAll, type Mosquitto, type RtspCamera, type TempDir } from '../../support/index.js';
import { startOnvifDouble, type OnvifDouble } from '../../support/onvif-double/index.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { sleep, waitFor, waitUntil } from '../../support/wait.js';
import { CHROMIUM, launchChromium, type BrowserHandle } from '../ui/browser.js';
import { availabilityReport, discoveryConfigs, retainedPayloads } from './ha.js';

const USER = 'admin';
const PASS = 'onvif-ha-pass-3';
const OWNER = 'owner password ha-test';
/** Bridge 3 + doorbell 7. */
const CONFIGS = 10;
const DEVICE = { manufacturer: 'Hikvision', model: 'DS-KV6113-WPE1', firmware: 'V2.2.53 build 220620', serial: 'DS-KV6113-WPE1-20220620' };
const uiReady = existsSync(CHROMIUM) && existsSync(path.resolve('dist/ui/app.js'));

describe('Home Assistant: availability, device block, clip links', () => {
  let tmp: TempDir;
  let rtsp: RtspCamera;
  let relay: TcpProxy;
  let double: OnvifDouble;
  let broker: Mosquitto;
  let app: App;
  let publicUrl: string;

  beforeAll(async () => {
    tmp = await makeTempDir('cg-ha-');
    rtsp = await startRtspCamera({ width: 640, height: 360, fps: 10, bitrateKbps: 500, static: true, audio: false });
    relay = await startTcpProxy({ host: rtsp.host, port: rtsp.port });
    const streams = { main: `rtsp://127.0.0.1:${relay.port}/main`, sub: `rtsp://127.0.0.1:${relay.port}/sub` };
    double = await startOnvifDouble({ username: USER, password: PASS, streams, manufacturer: DEVICE.manufacturer, model: DEVICE.model, firmware: DEVICE.firmware });
    broker = await startMosquitto();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}/`;
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port, publicUrl },
      cameras: [{ id: 'porch', name: 'Porch', kind: 'doorbell', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS }, record: { preSeconds: 2, postSeconds: 1, maxSeconds: 20, audio: false } }],
      mqtt: { url: broker.url },
      logging: { level: 'error' },
    });
    const secrets = new SecretRegistry();
    app = new App({ config, demo: false, secrets, log: createLogger({ level: 'error', secrets }) });
    app.core.repos.settings.set(SETTING.ownerPasswordHash, await hashPassword(OWNER));
    await app.start();
    await waitUntil('porch recording', () => app.controls.cameras.get('porch')?.status === 'online', 40_000);
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await broker?.stop();
    await double?.stop();
    await relay?.stop();
    await rtsp?.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it("the camera's device block carries the manufacturer, model, firmware and serial it reported", async () => {
    const device = await waitFor(
      'a discovery config with the camera identity',
      async () => {
        const configs = await discoveryConfigs(broker.url, CONFIGS);
        const d = configs.get('homeassistant/binary_sensor/clipgate/porch_motion/config')?.device as Record<string, unknown> | undefined;
        return d?.manufacturer !== undefined && d;
      },
      20_000,
      500,
    );
    console.log(`Home Assistant device block of the ONVIF camera: ${JSON.stringify(device)}`);
    expect(device).toEqual({
      identifiers: ['clipgate_camera_porch', 'clipgate_porch'],
      name: 'Porch',
      manufacturer: DEVICE.manufacturer,
      model: DEVICE.model,
      sw_version: DEVICE.firmware,
      serial_number: '192168001020',
      via_device: 'clipgate_bridge',
      configuration_url: `${publicUrl}#/cameras/porch`,
    });
    expect(app.controls.cameras.get('porch')?.device).toEqual({ manufacturer: DEVICE.manufacturer, model: DEVICE.model, firmwareVersion: DEVICE.firmware, serialNumber: '192168001020' });
  });

  it.skipIf(!uiReady)("a new clip's event carries its link and snapshot topic; the link opens the clip in Chromium", async () => {
    const sub = await mosquittoSub({ url: broker.url, topic: 'clipgate/events', count: 1, qos: 1, timeoutMs: 60_000 });
    await sleep(3_000); // pre-roll in the ring
    app.controls.cameras.trigger('porch', { seconds: 2 });
    const [message] = (await sub.result).messages;
    const event = JSON.parse(message?.payload ?? '{}') as { type: string; clipId: string; cameraId: string; url: string; snapshotTopic: string };
    console.log(`clip event on clipgate/events: ${message?.payload}`);
    expect(event).toMatchObject({ type: 'clip.created', cameraId: 'porch', url: `${publicUrl}#/clips/${event.clipId}`, snapshotTopic: 'clipgate/porch/snapshot' });

    const browser: BrowserHandle = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(event.url);
      await page.fill('input[name=password]', OWNER);
      await page.click('button[type=submit]');
      // The login keeps the hash: the clip's own page, its player shown and playing.
      const card = page.locator(`article.clip[data-clip-id="${event.clipId}"]`);
      await card.waitFor({ timeout: 20_000 });
      const video = card.locator('video.player');
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await page.locator('article.clip').count()).toBe(1);
      // A link that names no clip is an error on the page, not a crash.
      await page.goto(`${publicUrl}#/clips/no-such-clip`);
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/no-such-clip|not found/i);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('camera offline → its live entities are unavailable while the bridge is online; privacy keeps them available', async () => {
    const cameras = app.controls.cameras;
    const online = await availabilityReport(broker.url, CONFIGS);
    expect([...online.byEntity.values()].every((a) => a.available)).toBe(true);

    relay.setMode('refuse');
    await waitUntil('porch offline', () => cameras.get('porch')?.status === 'offline', 30_000);
    await waitFor('retained porch status offline', async () => (await retainedPayloads(broker.url, ['clipgate/porch/status'])).get('clipgate/porch/status') === 'offline', 10_000, 250);
    const status = await retainedPayloads(broker.url, ['clipgate/status', 'clipgate/porch/status']);
    expect(Object.fromEntries(status)).toEqual({ 'clipgate/status': 'online', 'clipgate/porch/status': 'offline' });
    const offline = await availabilityReport(broker.url, CONFIGS);
    console.log(`Home Assistant availability, camera offline (recording down), bridge online:\n${offline.table}`);
    const unavailable = [...offline.byEntity].filter(([, a]) => !a.available).map(([id]) => id).sort();
    expect(unavailable).toEqual(['porch_doorbell', 'porch_motion', 'porch_trigger']);

    await cameras.setPrivacy('porch', true);
    await waitFor('retained porch status privacy', async () => (await retainedPayloads(broker.url, ['clipgate/porch/status'])).get('clipgate/porch/status') === 'privacy', 10_000, 250);
    const privacy = await availabilityReport(broker.url, CONFIGS);
    console.log(`Home Assistant availability, camera in privacy mode:\n${privacy.table}`);
    expect([...privacy.byEntity.values()].every((a) => a.available)).toBe(true);

    relay.setMode('pass');
    await cameras.setPrivacy('porch', false);
    await waitUntil('porch online again', () => cameras.get('porch')?.status === 'online', 40_000);
  }, 120_000);
});
