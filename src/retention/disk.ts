import { lstat, readdir, statfs } from 'node:fs/promises';
import path from 'node:path';

export interface DiskSpace {
  totalBytes: number;
  /** Space an unprivileged process can still use (statfs bavail), what a write actually gets. */
  freeBytes: number;
}

export async function diskSpace(dir: string): Promise<DiskSpace> {
  const s = await statfs(dir);
  return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
}

export function freePercent(space: DiskSpace): number {
  return space.totalBytes === 0 ? 100 : (space.freeBytes / space.totalBytes) * 100;
}

/**
 * The fullest of the disks holding `dirs` (the data folder, and the clips folder when clipsDir
 * puts it on another disk): minFreePercent and the free-space figure must hold for each.
 */
export async function fullestDisk(dirs: readonly string[], read: (dir: string) => Promise<DiskSpace> = diskSpace): Promise<DiskSpace> {
  const [first, ...rest] = [...new Set(dirs)];
  if (first === undefined) throw new Error('fullestDisk needs at least one folder');
  let worst = await read(first);
  for (const dir of rest) {
    const s = await read(dir);
    if (freePercent(s) < freePercent(worst)) worst = s;
  }
  return worst;
}

/** Bytes of every regular file under `dir` (0 when it does not exist); symlinks are not followed. */
export async function dirUsage(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let total = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    total += await fileSize(path.join(e.parentPath, e.name));
  }
  return total;
}

/** Size of a file, 0 when it is missing (deleted meanwhile). */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await lstat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** GiB as the config counts them (`retention.maxDiskGb`). */
export const GIB = 1024 ** 3;

export interface QuotaLimits {
  maxDiskGb: number;
  minFreePercent: number;
}

export interface QuotaState {
  /** Bytes used by clips (videos, thumbnails) and exports. */
  usedBytes: number;
  space: DiskSpace;
}

/** Why the quota is exceeded, or undefined when it is not. */
export function quotaExceeded(state: QuotaState, limits: QuotaLimits): string | undefined {
  const maxBytes = limits.maxDiskGb * GIB;
  if (state.usedBytes > maxBytes) return `clips and exports use ${state.usedBytes} bytes, over maxDiskGb (${maxBytes} bytes)`;
  const free = freePercent(state.space);
  if (free < limits.minFreePercent) return `${free.toFixed(1)}% of the disk is free, under minFreePercent (${limits.minFreePercent}%)`;
  return undefined;
}
