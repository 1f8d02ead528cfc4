// The real App (recording stack, review, web, MQTT) with a simulated camera and a real mosquitto:
// a real clip drives motion ON/OFF, the snapshot (privacy mask blacked out) and events; MQTT
// commands reach the camera registry; no MQTT message can approve a clip; and a rejected clip's
// picture leaves the broker.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import type { Region } from '../../../src/core/types.js';
import { PLACEHOLDER_JPEG } from '../../../src/mqtt/index.js';
import { freePort, makeTempDir, mosquittoPub, runChecked, startMosquitto, stopAll } from '../../support/index.js';
import { Recorder } from './recorder.js';

afterAll(() => stopAll());

const MASK: Region = { x: 0.7, y: 0, width: 0.3, height: 0.4 };

/** Mean 8-bit RGB value inside `r` (fractions, shrunk by 10% of the image on every side to stay off JPEG edge ringing), decoded by ffmpeg. */
async function meanIn(jpeg: Buffer, r: Region, dir: string): Promise<number> {
  const file = path.join(dir, `probe-${Math.random().toString(16).slice(2)}.jpg`);
  writeFileSync(file, jpeg);
  const info = await runChecked('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]);
  const [w = 0, h = 0] = info.stdout.trim().split(',').map(Number);
  const raw = path.join(dir, `${path.basename(file)}.rgb`);
  await runChecked('ffmpeg', ['-v', 'error', '-y', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', raw]);
  const px = readFileSync(raw);
  const x0 = Math.ceil((r.x + 0.1 * r.width) * w);
  const x1 = Math.floor((r.x + 0.9 * r.width) * w);
  const y0 = Math.ceil((r.y + 0.1 * r.height) * h);
  const y1 = Math.floor((r.y + 0.9 * r.height) * h);
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++, n++) sum += px[(y * w + x) * 3 + c] ?? 0;
  return sum / n;
}

describe('App with MQTT and a simulated doorbell', () => {
  it('publishes a real clip as motion ON/OFF, masked snapshot and events; takes privacy and trigger; never approves; a reject clears the picture', async () => {
    const tmp = await makeTempDir('cg-mqtt-app-');
    const broker = await startMosquitto();
    const rec = await Recorder.start(broker.url);
    const secrets = new SecretRegistry();
    const log = createLogger({ level: (process.env.CLIPGATE_TEST_LOG as 'debug' | undefined) ?? 'silent', secrets });
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: await freePort() },
      cameras: [{ id: 'front-door', name: 'Front door', kind: 'doorbell', simulated: { motionEverySeconds: 300 }, record: { preSeconds: 1, postSeconds: 1 }, privacyMasks: [MASK] }],
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
      const event = JSON.parse(created.text) as { clipId: string; cameraId: string; labels?: Record<string, number> };
      expect(event.cameraId).toBe('front-door');
      expect(event.labels).toEqual({});
      // The on-device analysis follows with the clip's labels: the simulated camera's colour bars are no person.
      const analysed = await rec.waitFor((m) => m.topic === 'clipgate/events' && m.text.includes('"clip.analysed"') && m.text.includes(event.clipId), 'clip.analysed', 120_000);
      const labels = (JSON.parse(analysed.text) as { labels: Record<string, number> }).labels;
      expect(labels.person).toBeUndefined();
      expect(app.core.repos.clips.get(event.clipId)).toMatchObject({ status: 'pending', analysis: 'done' });
      expect(rec.messages.indexOf(off)).toBeGreaterThan(rec.messages.indexOf(on));
      const snapshot = await rec.waitFor((m) => m.topic === t('snapshot') && !m.payload.equals(PLACEHOLDER_JPEG), 'snapshot', 20_000);
      expect([...snapshot.payload.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]); // a JPEG
      // The camera's privacy mask is blacked out in the snapshot, not in the thumbnail (the owner's own view).
      const thumb = readFileSync(path.join(app.core.paths.dataDir, app.core.repos.clips.get(event.clipId)!.thumbPath!));
      expect(snapshot.payload.equals(thumb)).toBe(false);
      const inThumb = await meanIn(thumb, MASK, tmp.path);
      const inSnapshot = await meanIn(snapshot.payload, MASK, tmp.path);
      const outside = await meanIn(snapshot.payload, { x: 0.05, y: 0.5, width: 0.5, height: 0.45 }, tmp.path);
      const outsideThumb = await meanIn(thumb, { x: 0.05, y: 0.5, width: 0.5, height: 0.45 }, tmp.path);
      console.log(`snapshot mean RGB inside the privacy mask ${inSnapshot.toFixed(1)} (thumbnail ${inThumb.toFixed(1)}); outside ${outside.toFixed(1)} (thumbnail ${outsideThumb.toFixed(1)})`);
      expect(inSnapshot).toBeLessThan(4);
      expect(inThumb).toBeGreaterThan(40);
      expect(Math.abs(outside - outsideThumb)).toBeLessThan(12);
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

      // The owner rejects both clips: neither picture may stay on the broker; the retained
      // snapshot becomes the neutral placeholder (never an empty payload).
      const rejectMark = rec.messages.length;
      app.controls.review.reject(manualId);
      app.controls.review.reject(event.clipId);
      await rec.waitFor((m) => m.topic === t('snapshot') && m.payload.equals(PLACEHOLDER_JPEG), 'placeholder snapshot after the rejects', 20_000, rejectMark);
      const late = await Recorder.start(broker.url);
      await late.sync();
      expect(late.on(t('doorbell'))).toEqual([]);
      // The broker's retained copy, and anything published live meanwhile (the analysis of a
      // rejected clip finishing can publish the snapshot again): all of it the placeholder.
      const retained = late.on(t('snapshot')).find((m) => m.retain);
      expect(retained?.retain).toBe(true);
      expect(late.on(t('snapshot')).every((m) => m.payload.equals(PLACEHOLDER_JPEG))).toBe(true);
      expect(retained?.payload.equals(PLACEHOLDER_JPEG)).toBe(true);
      expect(retained?.payload.equals(snapshot.payload)).toBe(false);
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
