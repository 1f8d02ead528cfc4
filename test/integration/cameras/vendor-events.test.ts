// The vendor event sources wired into the real App: a Hikvision camera and a Dahua doorbell
// (strict doubles) whose streams are the GStreamer RTSP test camera, a real mosquitto and the real
// mosquitto_sub. Motion start/stop makes exactly one clip each (event-to-clip latency measured),
// a doorbell press makes a doorbell clip and a Home Assistant `press` event, a dropped stream and
// a garbage part are survived with a backoff, and an event source that is down makes the motion
// entity unavailable.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import type { Clip } from '../../../src/core/types.js';
import { generateToken, hashToken } from '../../../src/web/auth/tokens.js';
import { freePort, makeTempDir, mosquittoSub, startMosquitto, startRtspCamera, stopAll, type Mosquitto, type RtspCamera, type TempDir } from '../../support/index.js';
import { startDahuaDouble, type DahuaDouble } from '../../support/vendor-doubles/dahua.js';
import { startHikvisionDouble, type HikvisionDouble } from '../../support/vendor-doubles/hikvision.js';
import { sleep, waitFor, waitUntil } from '../../support/wait.js';
import { availabilityReport, retainedPayloads } from './ha.js';

const USER = 'admin';
const PASS = 'Vendor-pass-5512';
const PRE = 2;
const POST = 2;
/** Bridge 3 + camera `drive` 6 + doorbell `door` 7. */
const CONFIGS = 16;

describe('vendor event sources in the daemon', () => {
  let tmp: TempDir;
  let rtsp: RtspCamera;
  let broker: Mosquitto;
  let hik: HikvisionDouble;
  let dahua: DahuaDouble;
  let app: App;
  let token: string;
  const logLines: string[] = [];
  const clips: { clip: Clip; at: number }[] = [];
  const latencies: Record<string, number> = {};

  const clipsOf = (camera: string, trigger?: string): { clip: Clip; at: number }[] => clips.filter((c) => c.clip.cameraId === camera && (trigger === undefined || c.clip.trigger === trigger));
  const api = async <T>(route: string): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${app.web.port}/api${route}`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as T;
  };
  /** No clip is open or waiting any more: the event window closed and nothing else is on its way. */
  const settled = (camera: string, n: number): Promise<void> => waitUntil(`${camera}: ${n} clip(s)`, () => clipsOf(camera).length >= n, 40_000);

  beforeAll(async () => {
    tmp = await makeTempDir('cg-vendor-app-');
    rtsp = await startRtspCamera({ width: 640, height: 360, fps: 10, bitrateKbps: 500, static: true, audio: false });
    broker = await startMosquitto();
    hik = await startHikvisionDouble({ username: USER, password: PASS, heartbeatMs: 1_000, repeatMs: 300, sendInactive: true });
    dahua = await startDahuaDouble({ username: USER, password: PASS });
    const config = configSchema.parse({
      dataDir: path.join(tmp.path, 'data'),
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port: await freePort() },
      cameras: [
        {
          id: 'drive',
          name: 'Driveway',
          rtsp: { main: rtsp.mainUrl },
          events: 'hikvision',
          vendor: { host: '127.0.0.1', port: hik.port, username: USER, password: PASS },
          record: { preSeconds: PRE, postSeconds: POST, maxSeconds: 30, audio: false },
        },
        {
          id: 'door',
          name: 'Front door',
          kind: 'doorbell',
          rtsp: { main: rtsp.mainUrl },
          events: 'dahua',
          vendor: { host: '127.0.0.1', port: dahua.port, username: USER, password: PASS, alarmInput: 'doorbell' },
          record: { preSeconds: PRE, postSeconds: POST, maxSeconds: 30, audio: false },
        },
      ],
      mqtt: { url: broker.url },
      logging: { level: 'info' },
    });
    const secrets = new SecretRegistry();
    app = new App({ config, demo: false, secrets, log: createLogger({ level: 'info', secrets, write: (l) => void logLines.push(l) }) });
    token = generateToken();
    app.core.repos.tokens.insert('vendor-test', hashToken(token), app.core.clock.iso());
    app.core.bus.on('test', 'clip.created', (e) => void clips.push({ clip: e.clip, at: Date.now() }));
    await app.start();
    const cameras = app.controls.cameras;
    await waitUntil('both cameras recording', () => cameras.list().every((c) => c.status === 'online'), 40_000);
    await waitUntil('both event streams up', () => cameras.list().every((c) => c.events?.state === 'up'), 20_000);
    // Pre-roll in the rings before the first event.
    await sleep((PRE + 2) * 1000);
  }, 120_000);

  afterAll(async () => {
    console.log(`vendor event-to-clip latency (clip.created − (stop event + ${POST} s post-roll)): ${JSON.stringify(latencies)}`);
    await app?.stop();
    await hik?.close();
    await dahua?.close();
    await broker?.stop();
    await rtsp?.stop();
    await stopAll();
    await tmp?.cleanup();
  });

  it('GET /api/cameras shows each camera with its event source', async () => {
    const list = await api<{ id: string; events?: { source: string; state: string } }[]>('/cameras');
    expect(list.map((c) => [c.id, c.events?.source, c.events?.state])).toEqual([
      ['drive', 'hikvision', 'up'],
      ['door', 'dahua', 'up'],
    ]);
    const states = await retainedPayloads(broker.url, ['clipgate/drive/events/state', 'clipgate/door/events/state']);
    expect(Object.fromEntries(states)).toEqual({ 'clipgate/drive/events/state': 'up', 'clipgate/door/events/state': 'up' });
  });

  it('Hikvision motion start/stop → exactly one motion clip', async () => {
    hik.start('VMD');
    await sleep(1_500);
    hik.stop('VMD');
    const stoppedAt = Date.now();
    await settled('drive', 1);
    const [made] = clipsOf('drive');
    latencies.hikvision = made!.at - (stoppedAt + POST * 1000);
    expect(made!.clip.trigger).toBe('motion');
    expect(made!.clip.durationMs).toBeGreaterThanOrEqual((PRE + 1.5 + POST) * 1000 - 2_500);
    // Nothing else on its way: a second clip would come within post-roll plus a GOP.
    await sleep((POST + 3) * 1000);
    expect(clipsOf('drive')).toHaveLength(1);
  }, 60_000);

  it('Dahua motion start/stop → exactly one motion clip', async () => {
    dahua.motionStart();
    await sleep(1_500);
    dahua.motionStop();
    const stoppedAt = Date.now();
    await settled('door', 1);
    const [made] = clipsOf('door');
    latencies.dahua = made!.at - (stoppedAt + POST * 1000);
    expect(made!.clip.trigger).toBe('motion');
    await sleep((POST + 3) * 1000);
    expect(clipsOf('door')).toHaveLength(1);
  }, 60_000);

  it('Dahua doorbell press → a doorbell clip and a Home Assistant press event seen by mosquitto_sub', async () => {
    const sub = await mosquittoSub({ url: broker.url, topic: 'clipgate/door/doorbell', count: 1, qos: 1, timeoutMs: 20_000 });
    const before = clipsOf('door').length;
    dahua.press('ad410');
    const got = await sub.result;
    expect(got.messages).toEqual([{ topic: 'clipgate/door/doorbell', payload: '{"event_type":"press"}' }]);
    await settled('door', before + 1);
    expect(clipsOf('door', 'doorbell')).toHaveLength(1);
  }, 60_000);

  it('a garbage part and a dropped stream: reconnect after a backoff, no crash, events still make clips', async () => {
    const connects = dahua.connects;
    dahua.garbagePart();
    const dropAt = dahua.http.now();
    dahua.drop();
    await waitUntil('reconnected', () => dahua.connects > connects && dahua.http.streams.size === 1, 20_000);
    const reconnect = dahua.http.requests.filter((r) => r.status === 200).at(-1)!;
    const gapMs = Math.round(reconnect.at - dropAt);
    console.log(`dahua in the daemon: dropped stream reopened after ${gapMs} ms`);
    // A working stream that broke is reopened after the backoff's first step (1 s ± 20 %), not at once.
    expect(gapMs).toBeGreaterThanOrEqual(700);
    const before = clipsOf('door').length;
    dahua.motionStart();
    await sleep(800);
    dahua.motionStop();
    await settled('door', before + 1);
    expect(app.controls.cameras.get('door')?.events?.state).toBe('up');
    expect(logLines.join('\n')).not.toContain(PASS);
  }, 60_000);

  it('event source down → the motion entity is unavailable while the camera and the bridge are online', async () => {
    const off = hik.http.restart(12_000);
    const cameras = app.controls.cameras;
    await waitUntil('hikvision events down', () => cameras.get('drive')?.events?.state === 'down', 15_000);
    expect(cameras.get('drive')?.events?.lastError).toMatch(/^VENDOR_UNREACHABLE: /);
    await waitFor('retained events/state down', async () => (await retainedPayloads(broker.url, ['clipgate/drive/events/state'])).get('clipgate/drive/events/state') === 'down', 10_000, 250);
    const report = await availabilityReport(broker.url, CONFIGS);
    console.log(`Home Assistant availability while the Hikvision event stream is down:\n${report.table}`);
    expect(report.byEntity.get('drive_motion')?.available).toBe(false);
    expect(report.byEntity.get('drive_trigger')?.available).toBe(true);
    expect(report.byEntity.get('drive_event_source')?.available).toBe(true);
    expect(report.byEntity.get('door_motion')?.available).toBe(true);
    await off;
    await waitUntil('hikvision events up again', () => cameras.get('drive')?.events?.state === 'up', 30_000);
  }, 90_000);
});
