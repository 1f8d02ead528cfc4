import path from 'node:path';
import type { Logger } from '../core/logger.js';
import type { Region } from '../core/types.js';
import type { RetainedStore } from './bridge.js';
import { PLACEHOLDER_JPEG } from './placeholder.js';

/**
 * Adapters from the daemon's storage to the bridge's deps (createMqtt uses them). They take
 * structural interfaces, not the repositories themselves, so the bridge never depends on the database.
 */

export interface SnapshotClipSource {
  /** The newest clip whose picture may be shown: not rejected, not deleted, thumbnail present. */
  newestShowableForCamera(cameraId: string): { id: string; thumbPath: string | null } | undefined;
}

export interface SnapshotOptions {
  /** `masked`: the thumbnail with the privacy masks blacked out; `off`: always the placeholder. */
  mode: 'masked' | 'off';
  /** The camera's configured privacy masks. */
  masks: (cameraId: string) => Region[];
  /** Draw the masks over the thumbnail (media/snapshot.ts maskedSnapshot). */
  render: (thumbFile: string, masks: Region[]) => Promise<Buffer>;
  log?: Logger;
}

/**
 * The retained snapshot of a camera (invariant 6): the newest clip the owner has not rejected or
 * deleted, with the camera's privacy masks blacked out; the neutral placeholder when there is no
 * such clip, with `snapshots: off`, or when the masks cannot be drawn (an unmasked thumbnail is
 * never published). Always a JPEG: an empty retained payload is a broken image in Home Assistant.
 * The last rendering per camera is kept, so reconnects do not run ffmpeg again.
 */
export function snapshotFromClips(clips: SnapshotClipSource, dataDir: string, opts: SnapshotOptions): (cameraId: string) => Promise<Buffer> {
  const cache = new Map<string, { key: string; jpeg: Buffer }>();
  return async (cameraId) => {
    if (opts.mode === 'off') return PLACEHOLDER_JPEG;
    const clip = clips.newestShowableForCamera(cameraId);
    if (!clip?.thumbPath) return PLACEHOLDER_JPEG;
    const masks = opts.masks(cameraId);
    const key = `${clip.id}|${JSON.stringify(masks)}`;
    const hit = cache.get(cameraId);
    if (hit?.key === key) return hit.jpeg;
    try {
      const jpeg = await opts.render(path.resolve(dataDir, clip.thumbPath), masks);
      cache.set(cameraId, { key, jpeg });
      return jpeg;
    } catch (err) {
      // Retention may delete the file between the query and the read; ffmpeg may fail. Never fall back to the raw thumbnail.
      opts.log?.warn({ camera: cameraId, clipId: clip.id, err: (err as Error).message }, 'could not draw the privacy masks on the snapshot; publishing the placeholder');
      return PLACEHOLDER_JPEG;
    }
  };
}

export interface KeyValue {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export const RETAINED_TOPICS_SETTING = 'mqtt.retainedTopics';

/** Remembers the retained topics in the settings table, so a removed camera's topics get cleared. */
export function settingsRetainedStore(settings: KeyValue): RetainedStore {
  return {
    load: () => {
      const raw = settings.get(RETAINED_TOPICS_SETTING);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : [];
    },
    save: (topics) => settings.set(RETAINED_TOPICS_SETTING, JSON.stringify(topics)),
  };
}
