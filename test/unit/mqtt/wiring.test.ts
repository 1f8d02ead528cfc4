import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CameraConfig } from '../../../src/config/schema.js';
import { lazyCameraControl, settingsRetainedStore, snapshotFromClips, statsFromRepos } from '../../../src/mqtt/wiring.js';
import { FakeCameras, TWO_CAMERAS } from './fake-cameras.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-mqtt-wiring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshotFromClips', () => {
  it('reads the newest thumbnail relative to dataDir, and is undefined without one', async () => {
    writeFileSync(path.join(dir, 'thumb.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
    const thumbs: Record<string, string | null> = { yard: 'thumb.jpg', door: null, gone: 'missing.jpg' };
    const snapshot = snapshotFromClips({ newestForCamera: (id) => (id in thumbs ? { thumbPath: thumbs[id] ?? null } : undefined) }, dir);
    expect(await snapshot('yard')).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(await snapshot('door')).toBeUndefined();
    expect(await snapshot('gone')).toBeUndefined();
    expect(await snapshot('none')).toBeUndefined();
  });
});

describe('statsFromRepos', () => {
  it('counts and reads free disk space of the data dir', () => {
    const stats = statsFromRepos({ pendingClips: () => 3, openRequests: () => 1, dataDir: dir })();
    expect(stats.pending).toBe(3);
    expect(stats.requests).toBe(1);
    expect(stats.diskFreeBytes).toBeGreaterThan(0);
  });
});

describe('settingsRetainedStore', () => {
  it('round-trips the topic list and tolerates an empty or odd setting', () => {
    const kv = new Map<string, string>();
    const store = settingsRetainedStore({ get: (k) => kv.get(k), set: (k, v) => void kv.set(k, v) });
    expect(store.load()).toEqual([]);
    store.save(['a/b', 'c']);
    expect(store.load()).toEqual(['a/b', 'c']);
    kv.set('mqtt.retainedTopics', '{"not":"a list"}');
    expect(store.load()).toEqual([]);
  });
});

describe('lazyCameraControl', () => {
  const configured = [{ id: 'yard', name: 'Yard', kind: 'camera' }] as CameraConfig[];

  it('lists configured cameras as offline until the registry exists, then delegates', async () => {
    const registry: { real?: FakeCameras } = {};
    const control = lazyCameraControl(() => registry.real, configured);
    expect(control.list()).toEqual([{ id: 'yard', name: 'Yard', kind: 'camera', status: 'offline' }]);
    expect(control.get('yard')?.status).toBe('offline');
    await expect(control.setPrivacy('yard', true)).rejects.toThrow(/not available/);
    const real = new FakeCameras(TWO_CAMERAS);
    registry.real = real;
    expect(control.list().map((c) => c.id)).toEqual(['front-door', 'yard']);
    await control.setPrivacy('yard', true);
    expect(control.trigger('front-door').eventId).toMatch(/^ev-/);
    expect(real.calls).toEqual(['setPrivacy yard true', 'trigger front-door']);
  });
});
