import { statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cameraName, type CameraConfig } from '../config/schema.js';
import { AppError } from '../core/errors.js';
import type { CameraControl, CameraView, Stats } from '../core/ports.js';
import type { RetainedStore } from './bridge.js';

/**
 * Small adapters app.ts uses to build the bridge's deps. They take structural interfaces (not the
 * repositories themselves), so the bridge never depends on the database.
 */

/**
 * A CameraControl that looks the real one up at call time: the camera registry may be wired after
 * the MQTT section. Until it exists the configured cameras are listed as offline, and commands fail
 * with a clear error instead of the bridge failing to start.
 */
export function lazyCameraControl(current: () => CameraControl | undefined, configured: readonly CameraConfig[]): CameraControl {
  const fallback = (): CameraView[] => configured.map((c) => ({ id: c.id, name: cameraName(c), kind: c.kind, status: 'offline' }));
  const need = (): CameraControl => {
    const control = current();
    if (!control) throw new AppError('INTERNAL', 'camera control is not available');
    return control;
  };
  return {
    list: () => current()?.list() ?? fallback(),
    get: (id) => {
      const control = current();
      return control ? control.get(id) : fallback().find((c) => c.id === id);
    },
    setPrivacy: async (id, enabled) => need().setPrivacy(id, enabled),
    trigger: (id, opts) => need().trigger(id, opts),
  };
}

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

export interface StatsSources {
  pendingClips: () => number;
  openRequests: () => number;
  dataDir: string;
}

/** Stats computed directly when no stats service is wired: pending clips, open requests, free disk. */
export function statsFromRepos(src: StatsSources): () => Stats {
  return () => {
    const fs = statfsSync(src.dataDir);
    return { pending: src.pendingClips(), requests: src.openRequests(), diskFreeBytes: Number(fs.bavail) * Number(fs.bsize) };
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
