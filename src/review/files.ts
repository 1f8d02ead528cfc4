import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Temp exports start with a dot and end in .tmp.mp4 (plus .stage1.mp4 for the encode's first pass). */
const TEMP = /^\.[A-Za-z0-9_-]+\.[0-9a-f]+\.tmp\.mp4(\.stage1\.mp4)?$/;

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

async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Make a finished temp file durable, then give it its final name (temp + fsync + rename + fsync dir). */
export async function commitFile(temp: string, final: string): Promise<void> {
  await fsyncPath(temp);
  await rename(temp, final);
  await fsyncPath(path.dirname(final));
}

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    const buf = chunk as Buffer;
    size += buf.length;
    hash.update(buf);
  }
  return { sha256: hash.digest('hex'), size };
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Remove files, ignoring ones already gone; returns the ones that could not be removed. */
export async function removeFiles(files: (string | null | undefined)[]): Promise<string[]> {
  const failed: string[] = [];
  for (const f of files) {
    if (!f) continue;
    try {
      await rm(f, { force: true });
    } catch {
      failed.push(f);
    }
  }
  return failed;
}
