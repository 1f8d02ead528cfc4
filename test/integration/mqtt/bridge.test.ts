// The MQTT bridge against a real mosquitto, observed by a real subscriber (mqtt.js on its own
// connection) and, where wire-level proof matters, by the broker's own debug log. The camera
// registry is faked (the edge); bus events are emitted directly.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus, type EventName } from '../../../src/core/events.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import type { CameraView, Stats } from '../../../src/core/ports.js';
import { Problems } from '../../../src/core/problems.js';
import type { Clip } from '../../../src/core/types.js';
import { MqttBridge, PLACEHOLDER_JPEG, type ReconnectOptions, type RetainedStore } from '../../../src/mqtt/index.js';
import { makeTempDir, mosquittoPub, sleep, startMosquitto, stopAll, waitUntil, type Mosquitto, type MosquittoOptions } from '../../support/index.js';
import { FakeCameras, TWO_CAMERAS } from '../../unit/mqtt/fake-cameras.js';
import { Recorder } from './recorder.js';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7), Buffer.from([0xff, 0xd9])]);
const FAST: ReconnectOptions = { initialMs: 200, maxMs: 1_000, maxAttemptsPerMinute: 30 };

interface Harness {
  broker: Mosquitto;
  bridge: MqttBridge;
  bus: EventBus;
  problems: Problems;
  cameras: FakeCameras;
  snapshots: Map<string, Buffer>;
  /** How often the bridge has read a camera's picture (it decides whether to send right after). */
  snapshotReads: { count: number };
  stats: Stats;
  logs: string[];
  emitted: EventName[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => stopAll());

async function broker(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const b = await startMosquitto(opts);
  cleanups.push(() => b.stop());
  return b;
}

async function recorder(b: Mosquitto, filters?: string[]): Promise<Recorder> {
  const r = await Recorder.start(b.url, filters);
  cleanups.push(() => r.stop());
  return r;
}

interface BridgeOptions {
  cameras?: CameraView[];
  discovery?: boolean;
  retained?: RetainedStore;
  backoff?: ReconnectOptions;
  username?: string;
  password?: string;
  clientId?: string;
}

function makeBridge(b: Mosquitto, opts: BridgeOptions = {}): Harness {
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', secrets: new SecretRegistry(), write: (l) => logs.push(l) });
  const bus = new EventBus(log);
  const emitted: EventName[] = [];
  const emit = bus.emit.bind(bus);
  bus.emit = (event, payload) => {
    emitted.push(event);
    emit(event, payload);
  };
  const problems = new Problems({ bus, clock: systemClock });
  const cameras = new FakeCameras(opts.cameras ?? TWO_CAMERAS);
  const snapshots = new Map<string, Buffer>();
  const snapshotReads = { count: 0 };
  const stats: Stats = { pending: 2, requests: 1, diskFreeBytes: 123_456_789 };
  const bridge = new MqttBridge({
    config: {
      url: b.url,
      snapshots: 'masked',
      topicPrefix: 'clipgate',
      homeAssistant: { discovery: opts.discovery ?? true, prefix: 'homeassistant' },
      ...(opts.username !== undefined && { username: opts.username }),
      ...(opts.password !== undefined && { password: opts.password }),
      ...(opts.clientId !== undefined && { clientId: opts.clientId }),
    },
    log,
    clock: systemClock,
    bus,
    problems,
    cameras,
    stats: () => ({ ...stats }),
    // As the adapter does: the placeholder when the camera has no picture that may be shown.
    snapshot: async (id) => {
      snapshotReads.count += 1;
      return snapshots.get(id) ?? PLACEHOLDER_JPEG;
    },
    version: '9.9.9',
    backoff: opts.backoff ?? FAST,
    ...(opts.retained && { retained: opts.retained }),
  });
  cleanups.push(() => bridge.stop());
  return { broker: b, bridge, bus, problems, cameras, snapshots, snapshotReads, stats, logs, emitted };
}

const isConfig = (t: string): boolean => /^homeassistant\/[a-z_]+\/clipgate\/[^/]+\/config$/.test(t);
const clip = (cameraId: string): Clip => ({
  id: `clip-${cameraId}`,
  cameraId,
  status: 'pending',
  trigger: 'motion',
  startedAt: '2026-11-29T12:30:45.123Z',
  endedAt: '2026-11-29T12:31:00.123Z',
  durationMs: 15_000,
  sizeBytes: 1000,
  width: 1920,
  height: 1080,
  hasAudio: false,
  sha256: 'ab'.repeat(32),
  labels: { person: 0.87 },
  analysis: 'done',
});

/** A broker, a recorder on it and a started bridge it has seen come online; `mark` is where later messages start. */
async function onlineBridge(): Promise<{ b: Mosquitto; rec: Recorder; h: Harness; mark: number }> {
  const b = await broker();
  const rec = await recorder(b);
  const h = makeBridge(b);
  await h.bridge.start();
  await rec.waitForText('clipgate/status', 'online');
  // The first state ends with each camera's snapshot (the bridge sends in order): once both are here,
  // the retained motion OFF and the rest are too, and cannot be mistaken for what a test triggers later.
  for (const cam of TWO_CAMERAS) await rec.waitFor((m) => m.topic === `clipgate/${cam.id}/snapshot`, `${cam.id} first snapshot`);
  await rec.sync();
  return { b, rec, h, mark: rec.messages.length };
}

describe('MqttBridge with a real mosquitto', () => {
  it('announces HA discovery, online and the current state, and re-announces on homeassistant/status online', async () => {
    const b = await broker();
    const rec = await recorder(b);
    const h = makeBridge(b);
    h.snapshots.set('yard', JPEG);
    await h.bridge.start();
    await rec.waitForText('clipgate/status', 'online');
    await waitUntil('16 discovery configs', () => rec.messages.filter((m) => isConfig(m.topic)).length >= 16, 20_000, 50);
    await rec.waitFor((m) => m.topic === 'clipgate/yard/snapshot', 'snapshot');
    await rec.sync();

    const configs = rec.messages.filter((m) => isConfig(m.topic));
    expect(configs).toHaveLength(16);
    const ids = new Set<string>();
    for (const m of configs) {
      const p = JSON.parse(m.text) as Record<string, unknown>;
      expect(typeof p.unique_id).toBe('string');
      ids.add(p.unique_id as string);
      const device = p.device as { identifiers: string[] };
      expect(device.identifiers[0]).toMatch(/^clipgate_(bridge|camera_[a-z0-9-]+)$/);
      // Every entity follows the bridge first; live camera entities also their camera (docs/mqtt.md).
      const availability = p.availability as { topic: string }[];
      expect(availability[0]).toEqual({ topic: 'clipgate/status', payload_available: 'online', payload_not_available: 'offline' });
      for (const a of availability.slice(1)) expect(a.topic).toMatch(/^clipgate\/(front-door|yard)\/(status|events\/state)$/);
      expect(p).not.toHaveProperty('object_id');
      for (const [key, value] of Object.entries(p)) if (key.endsWith('_topic')) expect(value).toMatch(/^clipgate\/([a-z0-9-]+\/)?[a-z/]+$/);
    }
    expect(ids.size).toBe(16);
    const doorbell = JSON.parse(rec.last('homeassistant/event/clipgate/front-door_doorbell/config')?.text ?? '{}') as Record<string, unknown>;
    expect(doorbell).toMatchObject({ state_topic: 'clipgate/front-door/doorbell', event_types: ['press'] });
    expect(rec.last('homeassistant/event/clipgate/yard_doorbell/config')).toBeUndefined();

    expect(rec.last('clipgate/front-door/status')?.text).toBe('online');
    // The fake cameras have no event source.
    expect(rec.last('clipgate/front-door/events/state')?.text).toBe('none');
    expect(rec.last('clipgate/front-door/motion')?.text).toBe('OFF');
    expect(rec.last('clipgate/yard/privacy/state')?.text).toBe('OFF');
    expect(JSON.parse(rec.last('clipgate/stats')?.text ?? '')).toEqual({ pending: 2, requests: 1, diskFreeBytes: 123_456_789 });
    expect(rec.last('clipgate/yard/snapshot')?.payload.equals(JPEG)).toBe(true);

    // Home Assistant restarted: it announces itself and expects the configs again.
    const mark = rec.messages.length;
    await mosquittoPub({ url: b.url, topic: 'homeassistant/status', message: 'online' });
    await waitUntil('configs re-sent', () => rec.messages.slice(mark).filter((m) => isConfig(m.topic)).length >= 16, 20_000, 50);
    // The snapshots too, although unchanged since they were last sent.
    const resent = await rec.waitFor((m) => m.topic === 'clipgate/yard/snapshot', 'snapshot re-sent', 20_000, mark);
    expect(resent.payload.equals(JPEG)).toBe(true);
  });

  it('drives motion ON then OFF, the snapshot, events and an unretained doorbell press from bus events', async () => {
    const { b, rec, h, mark } = await onlineBridge();

    const at = systemClock.iso();
    h.bus.emit('motion.changed', { cameraId: 'front-door', active: true, source: 'onvif', at });
    const on = await rec.waitForText('clipgate/front-door/motion', 'ON', mark);
    h.snapshots.set('front-door', JPEG);
    h.stats.pending = 3;
    h.bus.emit('clip.created', { clip: clip('front-door') });
    const snap = await rec.waitFor((m) => m.topic === 'clipgate/front-door/snapshot' && m.payload.equals(JPEG), 'snapshot', 20_000, mark);
    const created = await rec.waitFor((m) => m.topic === 'clipgate/events' && m.text.includes('clip.created'), 'clip.created event', 20_000, mark);
    const { at: createdAt, ...createdIds } = JSON.parse(created.text) as { at: string };
    // Clip messages carry the clip's labels (on-device analysis), for automations.
    expect(createdIds).toEqual({ type: 'clip.created', clipId: 'clip-front-door', cameraId: 'front-door', snapshotTopic: 'clipgate/front-door/snapshot', labels: { person: 0.87 } });
    expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await rec.waitFor((m) => m.topic === 'clipgate/stats' && (JSON.parse(m.text) as Stats).pending === 3, 'stats follow the new clip', 20_000, mark);
    h.bus.emit('motion.changed', { cameraId: 'front-door', active: false, source: 'onvif', at });
    const off = await rec.waitForText('clipgate/front-door/motion', 'OFF', mark);
    expect(rec.messages.indexOf(on)).toBeLessThan(rec.messages.indexOf(off));
    expect(snap.payload).toHaveLength(JPEG.length);

    h.bus.emit('doorbell.pressed', { cameraId: 'front-door', at });
    const press = await rec.waitFor((m) => m.topic === 'clipgate/front-door/doorbell', 'doorbell press', 20_000, mark);
    expect(JSON.parse(press.text)).toEqual({ event_type: 'press' });
    const pressEvent = await rec.waitFor((m) => m.topic === 'clipgate/events' && m.text.includes('doorbell.pressed'), 'doorbell event', 20_000, mark);
    expect(JSON.parse(pressEvent.text)).toEqual({ type: 'doorbell.pressed', cameraId: 'front-door', at });

    h.bus.emit('stats.changed', { pending: 7, requests: 2, diskFreeBytes: 5 });
    await rec.waitForText('clipgate/stats', '{"pending":7,"requests":2,"diskFreeBytes":5}', mark);

    // A subscriber arriving later gets the retained state, but no doorbell press and no events.
    const late = await recorder(b);
    await late.sync();
    expect(late.last('clipgate/front-door/motion')).toMatchObject({ text: 'OFF', retain: true });
    expect(late.last('clipgate/yard/events/state')).toMatchObject({ text: 'none', retain: true });
    expect(late.last('clipgate/front-door/snapshot')?.payload.equals(JPEG)).toBe(true);
    expect(late.last('clipgate/stats')?.text).toBe('{"pending":7,"requests":2,"diskFreeBytes":5}');
    expect(late.on('clipgate/front-door/doorbell')).toEqual([]);
    expect(late.on('clipgate/events')).toEqual([]);

    // The event source's state is retained; a camera's identity, once known, reaches its device block.
    h.bus.emit('camera.events', { cameraId: 'front-door', source: 'dahua', state: 'down', since: at, lastError: 'VENDOR_UNREACHABLE: x' });
    await rec.waitForText('clipgate/front-door/events/state', 'down', mark);
    h.cameras.update('front-door', { device: { manufacturer: 'Amcrest', model: 'AD410', firmwareVersion: '1.0' } });
    h.bus.emit('camera.device', { cameraId: 'front-door', device: { manufacturer: 'Amcrest', model: 'AD410', firmwareVersion: '1.0' } });
    const described = await rec.waitFor((m) => m.topic === 'homeassistant/binary_sensor/clipgate/front-door_motion/config' && m.text.includes('Amcrest'), 'device block with the identity', 20_000, mark);
    expect((JSON.parse(described.text) as { device: unknown }).device).toMatchObject({ manufacturer: 'Amcrest', model: 'AD410', sw_version: '1.0', via_device: 'clipgate_bridge' });

    // A rejected clip takes its picture off the broker at once (privacy: nothing lingers retained)…
    h.snapshots.delete('front-door');
    h.bus.emit('clip.updated', { clip: { ...clip('front-door'), status: 'rejected' } });
    const cleared = await rec.waitFor((m) => m.topic === 'clipgate/front-door/snapshot' && !m.payload.equals(JPEG), 'snapshot replaced after reject', 20_000, mark);
    expect(cleared.payload.equals(PLACEHOLDER_JPEG)).toBe(true);
    const later = await recorder(b);
    await later.sync();
    expect(later.last('clipgate/front-door/snapshot')).toMatchObject({ retain: true });
    expect(later.last('clipgate/front-door/snapshot')?.payload.equals(PLACEHOLDER_JPEG)).toBe(true);
    // The rejected clip updated again (its analysis finished): the broker already holds the placeholder,
    // so nothing is sent. One camera's snapshots go out in order, so a new clip's picture right after
    // proves it: it is the next snapshot message, with no placeholder before it.
    const afterReject = rec.messages.length;
    const reads = h.snapshotReads.count;
    h.bus.emit('clip.updated', { clip: { ...clip('front-door'), status: 'rejected' } });
    // The bridge has read the (unchanged) placeholder and, a turn later, decided; only then a new picture.
    await waitUntil('the bridge read the snapshot', () => h.snapshotReads.count > reads, 20_000, 5);
    await sleep(50);
    h.snapshots.set('front-door', JPEG);
    h.bus.emit('clip.created', { clip: clip('front-door') });
    const next = await rec.waitFor((m) => m.topic === 'clipgate/front-door/snapshot', 'snapshot of the new clip', 20_000, afterReject);
    expect(next.payload.equals(JPEG)).toBe(true);
    // …a deleted clip takes its picture off too; the payload is never empty (Home Assistant keeps that as a broken image).
    const afterCreate = rec.messages.length;
    h.snapshots.delete('front-door');
    h.bus.emit('clip.deleted', { clipId: 'clip-front-door', cameraId: 'front-door', reason: 'owner', at });
    const again = await rec.waitFor((m) => m.topic === 'clipgate/front-door/snapshot', 'snapshot after delete', 20_000, afterCreate);
    expect(again.payload.equals(PLACEHOLDER_JPEG)).toBe(true);
    expect(rec.on('clipgate/front-door/snapshot').every((m) => m.payload.length > 0)).toBe(true);
  });

  it('privacy/set and trigger/set reach CameraControl; no topic can approve anything', async () => {
    const { b, rec, h, mark } = await onlineBridge();

    await mosquittoPub({ url: b.url, topic: 'clipgate/yard/privacy/set', message: 'ON' });
    await rec.waitForText('clipgate/yard/privacy/state', 'ON', mark);
    await rec.waitForText('clipgate/yard/status', 'privacy', mark);
    expect(h.cameras.calls).toEqual(['setPrivacy yard true']);

    await mosquittoPub({ url: b.url, topic: 'clipgate/yard/privacy/set', message: 'OFF' });
    await rec.waitForText('clipgate/yard/privacy/state', 'OFF', mark);

    const attempts = [
      ['clipgate/front-door/approve/set', 'ON'],
      ['clipgate/approve/set', 'clip-front-door'],
      ['clipgate/clips/approve/set', 'clip-front-door'],
      ['clipgate/clip-front-door/approve/set', 'PRESS'],
      ['clipgate/front-door/share/set', 'ON'],
      ['clipgate/front-door/clips/approve/set', '{"clipId":"clip-front-door"}'],
      ['clipgate/front-door/privacy/set', 'APPROVE'],
      ['clipgate/front-door/trigger/set', 'APPROVE'],
    ];
    for (const [topic, message] of attempts) await mosquittoPub({ url: b.url, topic: topic ?? '', message: message ?? '' });
    // Commands are handled in arrival order; once this one lands, the attempts above were seen.
    await mosquittoPub({ url: b.url, topic: 'clipgate/front-door/trigger/set', message: 'PRESS' });
    await waitUntil('trigger called', () => h.cameras.calls.includes('trigger front-door'), 20_000, 50);

    expect(h.cameras.calls).toEqual(['setPrivacy yard true', 'setPrivacy yard false', 'trigger front-door']);
    expect(h.emitted.filter((e) => e.startsWith('share.') || e.startsWith('clip.'))).toEqual([]);
    const ignored = h.logs.filter((l) => l.includes('ignored MQTT'));
    expect(ignored.length).toBe(attempts.length);
  });

  it('after the broker is killed and restarted: reconnects, republishes online and the current state, replays no backlog', async () => {
    // The broker's debug log in a file: a complete record of what it received, whatever the tail.
    const tmp = await makeTempDir('cg-mqtt-log-');
    cleanups.push(() => tmp.cleanup());
    const logFile = path.join(tmp.path, 'broker.log');
    const b = await broker({ extraConfig: ['log_type debug', `log_dest file ${logFile}`] });
    const h = makeBridge(b, { discovery: false, clientId: 'cg-bridge-restart' });
    h.snapshots.set('yard', JPEG);
    await h.bridge.start();
    const rec = await recorder(b);
    await rec.waitForText('clipgate/status', 'online');
    h.bus.emit('motion.changed', { cameraId: 'yard', active: true, source: 'detect', at: systemClock.iso() });
    await rec.waitForText('clipgate/yard/motion', 'ON');

    const before = (await readFile(logFile, 'utf8')).length;
    process.kill(b.pid, 'SIGKILL'); // killed, not stopped: no goodbye to its clients
    await waitUntil('bridge noticed the broker went away', () => !h.bridge.connected, 20_000, 50);
    const at = systemClock.iso();
    // While disconnected: state changes and events that must not be replayed as a backlog.
    h.bus.emit('motion.changed', { cameraId: 'front-door', active: true, source: 'onvif', at });
    h.bus.emit('doorbell.pressed', { cameraId: 'front-door', at });
    h.bus.emit('motion.changed', { cameraId: 'front-door', active: false, source: 'onvif', at });
    h.stats.pending = 5;
    await b.restart(); // a new broker process, without persistence: every retained message is gone
    await waitUntil('bridge reconnected', () => h.bridge.connected, 20_000, 50);
    const late = await recorder(b, ['clipgate/#']);
    await late.waitForText('clipgate/status', 'online');
    await late.waitFor((m) => m.topic === 'clipgate/yard/snapshot' && m.payload.equals(JPEG), 'snapshot republished');
    await late.sync();
    expect(late.last('clipgate/yard/motion')?.text).toBe('ON');
    expect(late.last('clipgate/front-door/motion')?.text).toBe('OFF');
    expect(late.last('clipgate/yard/status')?.text).toBe('online');
    expect(late.last('clipgate/yard/privacy/state')?.text).toBe('OFF');
    expect(JSON.parse(late.last('clipgate/stats')?.text ?? '{}')).toMatchObject({ pending: 5 });

    // What the new broker process received from the bridge, from its own log.
    const published = (await readFile(logFile, 'utf8'))
      .slice(before)
      .split('\n')
      .filter((l) => l.includes('Received PUBLISH from cg-bridge-restart'));
    expect(published.some((l) => l.includes("'clipgate/status'"))).toBe(true);
    expect(published.filter((l) => l.includes("'clipgate/front-door/motion'"))).toHaveLength(1);
    expect(published.some((l) => l.includes("'clipgate/front-door/doorbell'"))).toBe(false);
    expect(h.problems.has('mqtt.broker')).toBe(false);
  });

  it('the broker publishes the last will "offline" when the connection dies, and the bridge comes back online', async () => {
    const b = await broker();
    const rec = await recorder(b);
    const h = makeBridge(b, { discovery: false });
    await h.bridge.start();
    await rec.waitForText('clipgate/status', 'online');
    // Simulate a dead network: the socket goes away without an MQTT DISCONNECT.
    const internals = h.bridge as unknown as { conn: { client?: { stream: { destroy(): void } } } };
    internals.conn.client?.stream.destroy();
    const will = await rec.waitForText('clipgate/status', 'offline');
    expect(will.retain).toBe(false); // live delivery; the retained copy is checked below
    const back = await rec.waitForText('clipgate/status', 'online', rec.messages.indexOf(will));
    expect(rec.messages.indexOf(back)).toBeGreaterThan(rec.messages.indexOf(will));
    await h.bridge.stop();
    const late = await recorder(b);
    await late.sync();
    expect(late.last('clipgate/status')).toMatchObject({ text: 'offline', retain: true });
  });

  it('a wrong password is a clear problem, no crash, and a bounded number of attempts per minute', async () => {
    const b = await broker({ auth: { username: 'clipgate', password: 'right-password' } });
    const cap = 4;
    const h = makeBridge(b, { username: 'clipgate', password: 'wrong-password', clientId: 'cg-bridge-auth', backoff: { initialMs: 100, maxMs: 400, maxAttemptsPerMinute: cap } });
    await h.bridge.start();
    await waitUntil('problem raised', () => h.problems.has('mqtt.broker'), 20_000, 50);
    const problem = h.problems.list().find((p) => p.id === 'mqtt.broker');
    expect(problem).toMatchObject({ severity: 'error', summary: 'MQTT broker refused the credentials' });
    expect(problem?.details).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    expect(problem?.details).not.toContain('wrong-password');

    await waitUntil(`${cap} attempts`, () => h.bridge.attemptsInLastMinute() >= cap, 20_000, 50);
    // The backoff alone would have retried about ten more times by now; the per-minute cap holds.
    await sleep(3_000);
    expect(h.bridge.attemptsInLastMinute()).toBe(cap);
    // mosquitto logs refused clients as <unknown>; the bridge is the only client of this broker.
    const refusals = b.logs().split('\n').filter((l) => /disconnected, not authori[sz]ed/i.test(l));
    expect(refusals, b.logs()).toHaveLength(cap);
    expect(h.bridge.connected).toBe(false);
    expect(h.logs.join('\n')).not.toContain('wrong-password');

    await h.bridge.stop(); // while waiting in backoff: must not hang or leave a timer
    expect(h.bridge.attemptsInLastMinute()).toBe(cap);
  });

  it('clears the retained topics of a removed camera and stale configs, and publishes offline on stop', async () => {
    const b = await broker();
    const saved: string[][] = [];
    const store: RetainedStore = { load: () => saved.at(-1) ?? [], save: (t) => void saved.push(t) };
    const first = makeBridge(b, { retained: store });
    first.snapshots.set('front-door', JPEG);
    await first.bridge.start();
    const rec = await recorder(b);
    await rec.waitFor((m) => m.topic === 'clipgate/front-door/snapshot' && m.payload.length > 0, 'front-door snapshot');
    await rec.sync();
    await first.bridge.stop();
    await rec.waitForText('clipgate/status', 'offline');
    // A stale config under our node id that the store does not know (e.g. after a database reset).
    await rec.publish('homeassistant/sensor/clipgate/ghost_status/config', '{"name":"Ghost"}', true);

    const second = makeBridge(b, { retained: store, cameras: [{ id: 'yard', name: 'Yard', kind: 'camera', status: 'online' }] });
    const mark = rec.messages.length;
    await second.bridge.start();
    await rec.waitFor((m) => m.topic === 'homeassistant/sensor/clipgate/ghost_status/config' && m.payload.length === 0, 'ghost cleared', 20_000, mark);
    await rec.waitFor((m) => m.topic === 'homeassistant/binary_sensor/clipgate/front-door_motion/config' && m.payload.length === 0, 'front-door cleared', 20_000, mark);
    await rec.waitForText('clipgate/status', 'online', mark);

    // The yard's entities were kept: never cleared, not even briefly (HA would drop their customisations).
    expect(rec.messages.slice(mark).filter((m) => m.topic.includes('/yard_') && m.payload.length === 0)).toEqual([]);

    const late = await recorder(b);
    await late.waitFor((m) => m.topic === 'homeassistant/binary_sensor/clipgate/yard_motion/config', 'yard config');
    await late.sync();
    const leftovers = late.messages.filter((m) => m.topic.includes('front-door') || m.topic.includes('ghost'));
    expect(leftovers.map((m) => m.topic)).toEqual([]);
    expect(late.messages.filter((m) => isConfig(m.topic))).toHaveLength(3 + 6);
    expect(saved.at(-1)).not.toContain('clipgate/front-door/snapshot');
  });
});
