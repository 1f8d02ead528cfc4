import type { Clock } from './clock.js';
import { errorMessage } from './errors.js';
import type { EventBus } from './events.js';

/** The problem the disk guard (src/retention/disk-guard.ts) raises while a disk is full. */
export const DISK_FULL_PROBLEM = 'disk.full';

/**
 * Whether an error means "no space": Node's ENOSPC/EDQUOT, SQLite's SQLITE_FULL, or ffmpeg's
 * message (it reports the errno as text on stderr).
 */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true;
  return /No space left on device|ENOSPC|Disk quota exceeded|database or disk is full/i.test(errorMessage(err));
}

/**
 * Emit `disk.full` when `err` is a lack of space; returns whether it was. Writers call this from
 * their error paths so one place decides what "full" looks like. `dir` is a folder on the file
 * system that is full (the disk guard watches it until space is back).
 */
export function reportIfDiskFull(bus: EventBus, clock: Clock, err: unknown, source: string, dir: string): boolean {
  if (!isDiskFull(err)) return false;
  bus.emit('disk.full', { source, path: dir, detail: errorMessage(err), at: clock.iso() });
  return true;
}
