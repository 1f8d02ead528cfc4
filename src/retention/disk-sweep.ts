import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Safety nets for space nobody accounts for. They only delete what no one can be using: the
 * live writers (recorder, clip store, exporter) name and age their files in known ways, and
 * anything younger than the thresholds below is left alone whatever it looks like.
 */

/** A ring holds pre-roll plus an open event (at most record.maxSeconds, 120 s by default); 30 min is far past that. */
export const CACHE_MAX_AGE_MS = 30 * 60_000;
/** A file the database does not know is at most a few ms old when a writer is between rename and insert. */
export const ORPHAN_MIN_AGE_MS = 60 * 60_000;
/** A temp file (`.tmp`) older than this belongs to a process that is gone (a long export on a Pi takes minutes). */
export const TEMP_MAX_AGE_MS = 24 * 60 * 60_000;

export interface SweepResult {
  files: number;
  bytes: number;
}

interface FileEntry {
  file: string;
  name: string;
  size: number;
  mtimeMs: number;
}

async function listFiles(dir: string, recursive: boolean): Promise<FileEntry[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: FileEntry[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    try {
      const st = await lstat(file);
      out.push({ file, name: e.name, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // Removed between readdir and lstat: nothing to sweep.
    }
  }
  return out;
}

async function removeAll(files: FileEntry[]): Promise<SweepResult> {
  const result: SweepResult = { files: 0, bytes: 0 };
  for (const f of files) {
    await rm(f.file, { force: true });
    result.files++;
    result.bytes += f.size;
  }
  return result;
}

/**
 * Stray segments in the RAM cache: the recorder prunes its own ring, but a recorder that
 * crashed or a camera removed from the config leaves `.ts` files behind. Only the per-camera
 * folders are looked at (`cacheDir/<camera>/`, plus folders of cameras no longer configured),
 * never other files a misconfigured shared cacheDir (say /dev/shm itself) may hold.
 */
export async function sweepCache(cacheDir: string, now: number, maxAgeMs = CACHE_MAX_AGE_MS): Promise<SweepResult> {
  let dirs;
  try {
    dirs = await readdir(cacheDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, bytes: 0 };
    throw err;
  }
  const stale: FileEntry[] = [];
  for (const d of dirs) {
    if (!d.isDirectory() || !/^[a-z0-9-]+$/.test(d.name)) continue;
    for (const f of await listFiles(path.join(cacheDir, d.name), false)) {
      if (/\.(ts|tmp|txt|ffconcat)$/.test(f.name) && now - f.mtimeMs > maxAgeMs) stale.push(f);
    }
  }
  return removeAll(stale);
}

/**
 * Files under `dir` no database row points at (paths relative to dataDir), left by a crash
 * between a commit and an unlink. Temp files (leading dot, `.tmp`) get a longer grace period.
 */
export async function sweepOrphans(opts: { dataDir: string; dir: string; referenced: Set<string>; now: number }): Promise<SweepResult> {
  const stale: FileEntry[] = [];
  for (const f of await listFiles(opts.dir, true)) {
    const rel = path.normalize(path.relative(opts.dataDir, f.file));
    if (opts.referenced.has(rel)) continue;
    const isTemp = f.name.startsWith('.') || /\.tmp(\.|$)/.test(f.name);
    const age = opts.now - f.mtimeMs;
    if (age > (isTemp ? TEMP_MAX_AGE_MS : ORPHAN_MIN_AGE_MS)) stale.push(f);
  }
  return removeAll(stale);
}
