import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Temp exports start with a dot and end in .tmp.mp4 (plus .stage1.mp4 / .stage1.ts for a two-run
 * export's first run, and .graph.txt for a tracked blur's filter script).
 */
const TEMP = /^\.[A-Za-z0-9_-]+\.[0-9a-f]+\.tmp\.mp4(\.stage1\.(mp4|ts)|\.graph\.txt)?$/;

export function exportFileName(shareId: string): string {
  return `${shareId}.mp4`;
}

/** A fresh temp name per attempt, so an orphaned ffmpeg from a crashed run never writes into the next one's file. */
export function tempExportPath(dir: string, shareId: string): string {
  return path.join(dir, `.${shareId}.${randomBytes(4).toString('hex')}.tmp.mp4`);
}

export function isTempExport(name: string): boolean {
  return TEMP.test(name);
}

/** Delete temp exports left by a crash; returns their names. */
export async function removeStrayTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const stray = names.filter(isTempExport);
  await Promise.all(stray.map((n) => rm(path.join(dir, n), { force: true })));
  return stray;
}
