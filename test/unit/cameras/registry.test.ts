import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CameraRegistry } from '../../../src/cameras/registry.js';
import { RtspResolver } from '../../../src/cameras/rtsp.js';
import { cameraSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { EventBus, type EventMap } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import { createRepos, openDatabase } from '../../../src/db/index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-reg-'));
  dirs.push(dir);
  const log = pino({ level: 'silent' });
  const clock = new ManualClock(Date.parse('2026-11-29T12:00:00.000Z'));
  const bus = new EventBus(log);
  const repos = createRepos(openDatabase(path.join(dir, 'db.sqlite')));
  // Inbox-only cameras: no child processes in a unit test.
  const config = [cameraSchema.parse({ id: 'front', kind: 'doorbell', inbox: '/srv/x' }), cameraSchema.parse({ id: 'back', inbox: '/srv/y' })];
  const registry = new CameraRegistry({ log, clock, bus, problems: new Problems({ bus, clock }), cameras: repos.cameras, config, cacheDir: path.join(dir, 'cache') });
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

describe('RtspResolver', () => {
  it('resolves configured streams without touching the network', async () => {
    const r = new RtspResolver([cameraSchema.parse({ id: 'a', rtsp: { main: 'rtsp://h/main', sub: 'rtsp://h/sub' } }), cameraSchema.parse({ id: 'b', rtsp: { main: 'rtsp://h/b' } })]);
    await expect(r.resolve('a')).resolves.toEqual({ main: 'rtsp://h/main', sub: 'rtsp://h/sub' });
    await expect(r.resolve('b')).resolves.toEqual({ main: 'rtsp://h/b' });
    await expect(r.resolve('c')).rejects.toMatchObject({ code: 'CAMERA_NOT_FOUND' });
  });
});
