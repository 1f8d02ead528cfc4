import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RetainedStore } from './bridge.js';

/**
 * Adapters from the daemon's storage to the bridge's deps (createMqtt uses them). They take
 * structural interfaces, not the repositories themselves, so the bridge never depends on the database.
 */

export interface NewestClipSource {
  newestForCamera(cameraId: string): { thumbPath: string | null } | undefined;
}

/** The newest clip's thumbnail as JPEG bytes (thumbPath is relative to dataDir). */
export function snapshotFromClips(clips: NewestClipSource, dataDir: string): (cameraId: string) => Promise<Buffer | undefined> {
  return async (cameraId) => {
    const thumb = clips.newestForCamera(cameraId)?.thumbPath;
    if (!thumb) return undefined;
    try {
      return await readFile(path.resolve(dataDir, thumb));
    } catch (err) {
      // Retention may delete the file between the query and the read.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
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
