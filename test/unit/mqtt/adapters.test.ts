import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Region } from '../../../src/core/types.js';
import { settingsRetainedStore, snapshotFromClips } from '../../../src/mqtt/adapters.js';
import { PLACEHOLDER_JPEG } from '../../../src/mqtt/placeholder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-mqtt-adapters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshotFromClips', () => {
  const masks: Record<string, Region[]> = { yard: [{ x: 0.5, y: 0, width: 0.5, height: 0.5 }] };
  const thumbs: Record<string, string | null> = { yard: 'thumb.jpg', door: null, gone: 'missing.jpg' };
  const clips = { newestShowableForCamera: (id: string) => (id in thumbs ? { id: `clip-${id}`, thumbPath: thumbs[id] ?? null } : undefined) };

  it('renders the newest showable thumbnail (relative to dataDir) with its camera masks, once per clip; the placeholder otherwise', async () => {
    writeFileSync(path.join(dir, 'thumb.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
    const rendered: { file: string; masks: Region[] }[] = [];
    const snapshot = snapshotFromClips(clips, dir, {
      mode: 'masked',
      masks: (id) => masks[id] ?? [],
      render: async (file, m) => {
        rendered.push({ file, masks: m });
        return Buffer.from('masked');
      },
    });
    expect(await snapshot('yard')).toEqual(Buffer.from('masked'));
    expect(await snapshot('yard')).toEqual(Buffer.from('masked'));
    expect(rendered).toEqual([{ file: path.join(dir, 'thumb.jpg'), masks: masks.yard }]);
    expect(await snapshot('door')).toBe(PLACEHOLDER_JPEG);
    expect(await snapshot('none')).toBe(PLACEHOLDER_JPEG);
  });

  it('never falls back to the unmasked thumbnail: a failed rendering publishes the placeholder; `off` always does', async () => {
    const failing = snapshotFromClips(clips, dir, { mode: 'masked', masks: () => [], render: async () => Promise.reject(new Error('ffmpeg died')) });
    expect(await failing('gone')).toBe(PLACEHOLDER_JPEG);
    expect(await failing('yard')).toBe(PLACEHOLDER_JPEG);
    const off = snapshotFromClips(clips, dir, { mode: 'off', masks: () => [], render: async () => Buffer.from('masked') });
    expect(await off('yard')).toBe(PLACEHOLDER_JPEG);
    // A real JPEG, never an empty payload (Home Assistant stores that as a broken image).
    expect(PLACEHOLDER_JPEG.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(PLACEHOLDER_JPEG.length).toBeGreaterThan(100);
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
