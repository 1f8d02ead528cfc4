import { afterEach, describe, expect, it } from 'vitest';
import { createRecording } from '../../../src/cameras/index.js';
import { RtspResolver } from '../../../src/cameras/rtsp.js';
import { cameraSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { EventMap } from '../../../src/core/events.js';
import { makeCore, type TestCore } from '../../support/core.js';

const cores: TestCore[] = [];
afterEach(() => cores.splice(0).forEach((c) => c.cleanup()));

function setup() {
  const clock = new ManualClock(Date.parse('2026-11-29T12:00:00.000Z'));
  // Inbox-only cameras: no child processes in a unit test.
  const core = makeCore({ clock, config: { cameras: [{ id: 'front', kind: 'doorbell', inbox: '/srv/x' }, { id: 'back', inbox: '/srv/y' }] } });
  cores.push(core);
  const { bus, repos } = core;
  const registry = createRecording(core).cameras;
  const triggers: EventMap['clip.trigger'][] = [];
  const privacy: EventMap['camera.privacy'][] = [];
  bus.on('t', 'clip.trigger', (e) => void triggers.push(e));
  bus.on('t', 'camera.privacy', (e) => void privacy.push(e));
  return { registry, repos, triggers, privacy };
}

describe('CameraRegistry as CameraControl', () => {
  it('lists cameras with name, kind and status', async () => {
    const { registry } = setup();
    await registry.start();
    expect(registry.list()).toEqual([
      { id: 'front', name: 'front', kind: 'doorbell', status: 'online' },
      { id: 'back', name: 'back', kind: 'camera', status: 'online' },
    ]);
    expect(registry.get('nope')).toBeUndefined();
    await registry.stop();
  });

  it('trigger emits clip.trigger with a fresh event id; unknown id and privacy are refused', async () => {
    const { registry, triggers, privacy, repos } = setup();
    await registry.start();
    const { eventId } = registry.trigger('front', { seconds: 20 });
    expect(triggers).toEqual([{ cameraId: 'front', trigger: 'manual', at: '2026-11-29T12:00:00.000Z', eventId, seconds: 20 }]);
    expect(() => registry.trigger('nope')).toThrow(expect.objectContaining({ code: 'CAMERA_NOT_FOUND' }));
    await expect(registry.setPrivacy('nope', true)).rejects.toMatchObject({ code: 'CAMERA_NOT_FOUND' });

    expect((await registry.setPrivacy('front', true)).status).toBe('privacy');
    expect(privacy).toEqual([{ cameraId: 'front', enabled: true, at: '2026-11-29T12:00:00.000Z' }]);
    expect(repos.cameras.get('front')).toMatchObject({ privacy: true, status: 'privacy' });
    expect(() => registry.trigger('front')).toThrow(expect.objectContaining({ code: 'CAMERA_PRIVACY' }));
    // Setting the same state again is a no-op, not a second announcement.
    await registry.setPrivacy('front', true);
    expect(privacy).toHaveLength(1);
    expect((await registry.setPrivacy('front', false)).status).toBe('online');
    await registry.stop();
  });
});

describe('CameraRegistry event sources', () => {
  it('builds each camera its event source and shows its state with the camera', async () => {
    const clock = new ManualClock(Date.parse('2026-11-29T12:00:00.000Z'));
    // Inbox cameras again (no child processes); their event sources are built but not started.
    const core = makeCore({
      clock,
      config: {
        cameras: [
          { id: 'door', kind: 'doorbell', inbox: '/srv/d', events: 'dahua', vendor: { host: '127.0.0.1', username: 'u', password: 'p' } },
          { id: 'yard', inbox: '/srv/y', events: 'hikvision', vendor: { host: '127.0.0.1', username: 'u', password: 'p' } },
          { id: 'shed', inbox: '/srv/s' },
        ],
      },
    });
    cores.push(core);
    const rec = createRecording(core);
    expect(rec.services.map((s) => s.service.name)).toEqual(['clip-store', 'cameras', 'clip-assembler', 'dahua-events:door', 'hikvision-events:yard']);
    const seen: EventMap['camera.events'][] = [];
    core.bus.on('t', 'camera.events', (e) => void seen.push(e));
    await rec.cameras.start();
    expect(rec.cameras.get('door')?.events).toEqual({ source: 'dahua', state: 'starting', since: '2026-11-29T12:00:00.000Z' });
    expect(rec.cameras.get('shed')).not.toHaveProperty('events');
    clock.advance(5_000);
    rec.cameras.eventSourceChanged({ cameraId: 'door', state: 'down', since: clock.iso(), lastError: 'VENDOR_UNREACHABLE: cannot reach camera' });
    expect(rec.cameras.get('door')?.events).toEqual({ source: 'dahua', state: 'down', since: '2026-11-29T12:00:05.000Z', lastError: 'VENDOR_UNREACHABLE: cannot reach camera' });
    expect(seen).toEqual([{ cameraId: 'door', source: 'dahua', state: 'down', since: '2026-11-29T12:00:05.000Z', lastError: 'VENDOR_UNREACHABLE: cannot reach camera' }]);
    // A camera without an event source ignores reports.
    rec.cameras.eventSourceChanged({ cameraId: 'shed', state: 'up', since: clock.iso() });
    expect(rec.cameras.get('shed')).not.toHaveProperty('events');
    await rec.cameras.stop();
  });
});

describe('RtspResolver', () => {
  it('resolves configured streams without touching the network', async () => {
    const r = new RtspResolver([cameraSchema.parse({ id: 'a', rtsp: { main: 'rtsp://h/main', sub: 'rtsp://h/sub' } }), cameraSchema.parse({ id: 'b', rtsp: { main: 'rtsp://h/b' } })]);
    await expect(r.resolve('a')).resolves.toEqual({ main: 'rtsp://h/main', sub: 'rtsp://h/sub' });
    await expect(r.resolve('b')).resolves.toEqual({ main: 'rtsp://h/b' });
    await expect(r.resolve('c')).rejects.toMatchObject({ code: 'CAMERA_NOT_FOUND' });
  });
});
