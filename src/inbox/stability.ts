import { lstat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InboxRejection } from './rules.js';

export interface FileSnapshot {
  size: number;
  mtimeMs: number;
}

export interface StabilityOptions {
  /** Time between two looks at the file. */
  pollMs: number;
  /** Consecutive identical looks (size and mtime) needed to call the file finished. */
  stablePolls: number;
  /** A file growing past this is refused without waiting for the end. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Injected for unit tests; lstat by default (a file replaced by a symlink is not followed). */
  look?: (file: string) => Promise<FileSnapshot>;
}

/** The file vanished while we waited (renamed or deleted by the uploader); nothing to do. */
export class FileGone extends Error {
  constructor(file: string) {
    super(`${file} disappeared`);
    this.name = 'FileGone';
  }
}

async function lstatLook(file: string): Promise<FileSnapshot> {
  const st = await lstat(file);
  return { size: st.size, mtimeMs: st.mtimeMs };
}

/**
 * Waits until a file stops changing: an FTP upload gives no "done" signal, so "finished" means
 * the same size and mtime over `stablePolls` looks `pollMs` apart. A partially written mp4 with
 * its index at the front probes as a valid shorter video, which is why ffprobe alone cannot tell.
 */
export async function waitUntilStable(file: string, opts: StabilityOptions): Promise<FileSnapshot> {
  const look = opts.look ?? lstatLook;
  let last = await snapshot(file, look);
  let same = 0;
  while (same < opts.stablePolls) {
    if (last.size > opts.maxBytes) {
      throw new InboxRejection('too-large', `${last.size} bytes is over the ${opts.maxBytes}-byte limit`);
    }
    await sleep(opts.pollMs, undefined, { signal: opts.signal });
    const next = await snapshot(file, look);
    same = next.size === last.size && next.mtimeMs === last.mtimeMs ? same + 1 : 0;
    last = next;
  }
  return last;
}

async function snapshot(file: string, look: (file: string) => Promise<FileSnapshot>): Promise<FileSnapshot> {
  try {
    return await look(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FileGone(file);
    throw err;
  }
}
