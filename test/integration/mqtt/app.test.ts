// The real App (recording stack, review, web, MQTT) with a simulated camera and a real mosquitto:
// a real clip drives motion ON/OFF, the snapshot and events; MQTT commands reach the camera
// registry; and no MQTT message can approve a clip.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { freePort, makeTempDir, mosquittoPub, startMosquitto, stopAll } from '../../support/index.js';
import { Recorder } from './recorder.js';

afterAll(() => stopAll());

describe('App with MQTT and a simulated doorbell', () => {
  it('publishes a real clip as motion ON/OFF, snapshot and events; takes privacy and trigger; never approves', async () => {
    const tmp = await makeTempDir('cg-mqtt-app-');
    const broker = await startMosquitto();
    const rec = await Recorder.start(broker.url);
    const secrets = new SecretRegistry();
    const log = createLogger({ level: (process.env.CLIPGATE_TEST_LOG as 'debug' | undefined) ?? 'silent', secrets });
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: await freePort() },
      cameras: [{ id: 'front-door', name: 'Front door', kind: 'doorbell', simulated: { motionEverySeconds: 300 }, record: { preSeconds: 1, postSeconds: 1 } }],
      mqtt: { url: broker.url, topicPrefix: 'clipgate' },
    });
    const app = new App({ config, demo: false, log, secrets });
    const t = (s: string): string => `clipgate/front-door/${s}`;
    try {
      await app.start();
      await rec.waitForText('clipgate/status', 'online', 0);
      await rec.waitFor((m) => m.topic === 'homeassistant/event/clipgate/front-door_doorbell/config', 'doorbell discovery');

      // The simulated camera fires its first motion once the pre-roll is in the ring.
      const on = await rec.waitFor((m) => m.topic === t('motion') && m.text === 'ON', 'motion ON', 60_000);
      const off = await rec.waitFor((m) => m.topic === t('motion') && m.text === 'OFF', 'motion OFF', 30_000, rec.messages.indexOf(on));
      const created = await rec.waitFor((m) => m.topic === 'clipgate/events' && m.text.includes('"clip.created"'), 'clip.created', 60_000);
      const event = JSON.parse(created.text) as { clipId: string; cameraId: string };
      expect(event.cameraId).toBe('front-door');
      expect(rec.messages.indexOf(off)).toBeGreaterThan(rec.messages.indexOf(on));
      const snapshot = await rec.waitFor((m) => m.topic === t('snapshot') && m.payload.length > 0, 'snapshot', 20_000);
      expect([...snapshot.payload.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]); // a JPEG
      await rec.waitFor((m) => m.topic === 'clipgate/stats' && (JSON.parse(m.text) as { pending: number }).pending === 1, 'stats pending 1');

      // Approval over MQTT: every plausible topic, then prove the clip is still pending.
      for (const topic of ['clipgate/front-door/approve/set', 'clipgate/approve/set', 'clipgate/clips/approve/set', `clipgate/${event.clipId}/approve/set`]) {
        await mosquittoPub({ url: broker.url, topic, message: event.clipId, qos: 1 });
      }

      // A doorbell press (from the bus, as the ONVIF module emits it) goes out unretained.
      const mark = rec.messages.length;
      app.core.bus.emit('doorbell.pressed', { cameraId: 'front-door', at: app.core.clock.iso() });
      const press = await rec.waitFor((m) => m.topic === t('doorbell'), 'doorbell press', 20_000, mark);
      expect(JSON.parse(press.text)).toEqual({ event_type: 'press' });

      await mosquittoPub({ url: broker.url, topic: t('privacy/set'), message: 'ON' });
      await rec.waitForText(t('privacy/state'), 'ON', mark);
      await rec.waitForText(t('status'), 'privacy', mark);
      expect(app.controls.cameras?.get('front-door')?.status).toBe('privacy');
      await mosquittoPub({ url: broker.url, topic: t('privacy/set'), message: 'OFF' });
      await rec.waitForText(t('privacy/state'), 'OFF', mark);

      await mosquittoPub({ url: broker.url, topic: t('trigger/set'), message: 'PRESS' });
      const manual = await rec.waitFor((m) => m.topic === 'clipgate/events' && m.text.includes('"clip.created"') && !m.text.includes(event.clipId), 'manual clip', 90_000, mark);
      const manualId = (JSON.parse(manual.text) as { clipId: string }).clipId;
      expect(app.core.repos.clips.get(manualId)?.trigger).toBe('manual');

      expect(app.core.repos.clips.get(event.clipId)?.status).toBe('pending');
      expect(app.core.repos.shares.list()).toEqual([]);
      const late = await Recorder.start(broker.url);
      await late.sync();
      expect(late.on(t('doorbell'))).toEqual([]);
      await late.stop();
    } finally {
      await app.stop();
      await rec.waitForText('clipgate/status', 'offline').catch(() => undefined);
      await rec.stop();
      await broker.stop();
      await tmp.cleanup();
    }
    expect(rec.last('clipgate/status')?.text).toBe('offline');
  }, 240_000);
});
