// A small real file system to fill: tmpfs mounted on a test's own folder (root only), and a
// writer that fills it to the last byte. Tests that need it skip with the reason when they can't.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { errorMessage } from '../../src/core/errors.js';

export type TmpfsMount = { mounted: string } | { skipReason: string };

/** Mount a tmpfs of `size` (e.g. `8m`) on `dir` (created first), or say why not. */
export function mountTmpfs(dir: string, size: string): TmpfsMount {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return { skipReason: 'not root: cannot mount a small tmpfs to fill' };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { mounted: dir };
  } catch (err) {
    return { skipReason: `mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?): ${errorMessage(err)}` };
  }
}

export function unmountTmpfs(dir: string): void {
  execFileSync('umount', ['-l', dir]);
}

/** Write `file` until not even one more byte fits (big writes, then smaller ones); returns the bytes written. */
export function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  let total = 0;
  try {
    for (let size = 1 << 20; size >= 1; size = Math.floor(size / 4)) {
      const buf = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          total += writeSync(fd, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return total;
}
