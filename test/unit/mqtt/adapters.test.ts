import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsRetainedStore, snapshotFromClips } from '../../../src/mqtt/adapters.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-mqtt-adapters-'));
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
