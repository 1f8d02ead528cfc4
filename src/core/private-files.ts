import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from './logger.js';

/**
 * Invariant 7: the data is private to the daemon's user. New files are 0600 and folders 0700
 * through the process umask; folders and files an older run (or another tool) left readable by
 * others are tightened at start, and the owner is told what changed.
 */
export const PRIVATE_UMASK = 0o077;

/** Every clipgate process that writes data calls this first (the shipped systemd unit sets UMask too). */
export function usePrivateUmask(): void {
  process.umask(PRIVATE_UMASK);
}

export interface ModeChange {
  path: string;
  /** Octal permission bits, `0644` → `0600`. */
  from: string;
  to: string;
}

export interface TightenResult {
  root: string;
  changed: ModeChange[];
  /** Entries that could not be changed (owned by someone else, read-only file system). */
  failed: { path: string; error: string }[];
  /** Why the root was left alone (a shared folder), when it was. */
  skipped?: string;
  /** Entries looked at. */
  seen: number;
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;

/** A sticky folder (/tmp, /dev/shm) is shared with other users: it is not ours to tighten. */
function sharedReason(mode: number): string | undefined {
  return (mode & 0o1000) !== 0 ? 'it is a shared folder (sticky bit, like /tmp or /dev/shm); point the setting at a folder of its own' : undefined;
}

/**
 * Remove group and other permissions from `root` and everything under it, without following
 * symlinks (a link is never chmodded, nor what it points at). `include` limits the walk to some
 * top-level names (the cache folder may be shared with other programs' files). Iterative, so a
 * deep tree cannot overflow the stack; a missing root is fine (it is created later, under the umask).
 */
export async function tightenTree(root: string, include?: (name: string) => boolean): Promise<TightenResult> {
  const result: TightenResult = { root, changed: [], failed: [], seen: 0 };
  let rootStat;
  try {
    rootStat = await lstat(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw err;
  }
  if (!rootStat.isDirectory()) return result;
  const shared = sharedReason(rootStat.mode);
  if (shared) return { ...result, skipped: shared };
  const pending: { dir: string; top: boolean }[] = [{ dir: root, top: true }];
  await fix(root, rootStat.mode, result);
  for (let next = pending.pop(); next; next = pending.pop()) {
    let entries;
    try {
      entries = await readdir(next.dir, { withFileTypes: true });
    } catch (err) {
      result.failed.push({ path: next.dir, error: (err as NodeJS.ErrnoException).code ?? String(err) });
      continue;
    }
    for (const e of entries) {
      if (next.top && include && !include(e.name)) continue;
      if (!e.isDirectory() && !e.isFile()) continue;
      const p = path.join(next.dir, e.name);
      try {
        await fix(p, (await lstat(p)).mode, result);
      } catch (err) {
        // Vanished meanwhile (a segment the recorder rotated away): nothing to protect.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') result.failed.push({ path: p, error: (err as NodeJS.ErrnoException).code ?? String(err) });
        continue;
      }
      if (e.isDirectory()) pending.push({ dir: p, top: false });
    }
  }
  return result;
}

async function fix(p: string, mode: number, result: TightenResult): Promise<void> {
  result.seen++;
  if ((mode & 0o077) === 0) return;
  const to = mode & 0o7700;
  try {
    await chmod(p, to);
    result.changed.push({ path: p, from: octal(mode), to: octal(to) });
  } catch (err) {
    result.failed.push({ path: p, error: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
}

/** What the start-up check looks at: the data folder, the clips folder when it lies elsewhere, and the cache. */
export interface PrivateRoots {
  dataDir: string;
  clips: string;
  cacheDir: string;
  /** Camera ids: only their folders in the cache are clipgate's (the cache may be a shared RAM disk). */
  cameraIds: readonly string[];
}

/** Log lines name at most this many changed entries; the count says how many there were. */
const LISTED = 20;

/**
 * Tighten every private folder at start and warn, naming what changed, when anything was readable
 * by others; entries that cannot be changed are warned about too (never fatal: the owner decides).
 */
export async function tightenPrivateFolders(roots: PrivateRoots, log: Pick<Logger, 'warn' | 'info'>): Promise<TightenResult[]> {
  const inside = (child: string, parent: string): boolean => path.resolve(child).startsWith(path.resolve(parent) + path.sep);
  const jobs: Promise<TightenResult>[] = [tightenTree(roots.dataDir)];
  if (!inside(roots.clips, roots.dataDir)) jobs.push(tightenTree(roots.clips));
  const cameras = new Set(roots.cameraIds);
  if (!inside(roots.cacheDir, roots.dataDir)) jobs.push(tightenTree(roots.cacheDir, (name) => cameras.has(name)));
  const results = await Promise.all(jobs);
  for (const r of results) {
    if (r.skipped) log.warn({ folder: r.root }, `private files: ${r.root} was left as it is: ${r.skipped}`);
    if (r.changed.length > 0) {
      log.warn(
        { folder: r.root, changed: r.changed.length, entries: r.changed.slice(0, LISTED) },
        `private files: ${r.changed.length} file(s)/folder(s) under ${r.root} were readable by other users; now 0600/0700`,
      );
    }
    if (r.failed.length > 0) log.warn({ folder: r.root, failed: r.failed.slice(0, LISTED) }, `private files: ${r.failed.length} entr(y/ies) under ${r.root} could not be made private`);
  }
  return results;
}
