import type { Clock } from '../core/clock.js';
import { DISK_FULL_PROBLEM } from '../core/disk-full.js';
import type { EventBus, EventMap } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Problems } from '../core/problems.js';
import type { Service } from '../core/service.js';
import { diskSpace, type DiskSpace } from './disk.js';
import { reserveSize, type DiskReserve } from './disk-reserve.js';

/** Never call the disk recovered with less than this free, however small minFreePercent is. */
const MIN_RECOVERED_BYTES = 64 * 1024 ** 2;

export interface DiskGuardDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  problems: Problems;
  dataDir: string;
  minFreePercent: number;
  /** Run retention (and the quota) now; called once per disk-full episode start and on each repeat report. */
  onFull: () => void;
  checkMs?: number;
  disk?: (dir: string) => Promise<DiskSpace>;
  /** A ballast file on the data disk, given back when it fills up (see disk-reserve.ts). */
  reserve?: DiskReserve;
}

/** Free bytes at which a disk-full episode is over: minFreePercent of the disk, at least 64 MiB or 5% on small disks. */
export function recoveredAt(space: DiskSpace, minFreePercent: number): number {
  const floor = Math.min(MIN_RECOVERED_BYTES, space.totalBytes * 0.05);
  return Math.max(floor, (space.totalBytes * minFreePercent) / 100);
}

/**
 * Turns ENOSPC anywhere into something the owner sees and the daemon acts on: a `disk.full`
 * problem, retention at once, and a periodic check that clears the problem when space is back.
 * Nothing here deletes anything itself; writers keep their temp+fsync+rename discipline, so a
 * failed write leaves only a temp file and never damages a stored clip.
 */
export class DiskGuard implements Service {
  readonly name = 'disk-guard';
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** Folders (one per file system that reported full) that must have space again before the problem clears. */
  private readonly dirs = new Set<string>();

  constructor(private readonly deps: DiskGuardDeps) {}

  get full(): boolean {
    return this.deps.problems.has(DISK_FULL_PROBLEM);
  }

  async start(): Promise<void> {
    this.deps.bus.on(this.name, 'disk.full', (e) => this.onFull(e));
    await this.makeReserve();
  }

  async stop(): Promise<void> {
    this.deps.bus.off(this.name);
    this.dirs.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at each disk that reported full; clears the problem when all have space again. Exposed for tests. */
  async check(): Promise<boolean> {
    if (this.checking || !this.full) return !this.full;
    this.checking = true;
    try {
      for (const dir of [...this.dirs]) {
        const space = await this.space(dir);
        // The reserve must fit again on top of the free space that counts as recovered.
        const owed = this.deps.reserve && this.deps.reserve.held === 0 ? reserveSize(space.totalBytes) : 0;
        if (space.freeBytes >= recoveredAt(space, this.deps.minFreePercent) + owed) this.dirs.delete(dir);
      }
      if (this.dirs.size > 0) return false;
      await this.makeReserve();
      this.deps.problems.clear(DISK_FULL_PROBLEM);
      clearInterval(this.timer);
      this.timer = undefined;
      this.deps.log.info('disk space is back');
      return true;
    } catch (err) {
      this.deps.log.warn({ err }, 'could not check free disk space');
      return false;
    } finally {
      this.checking = false;
    }
  }

  /** statfs of the reported folder; the data disk when that folder is gone or unreadable. */
  private async space(dir: string): Promise<DiskSpace> {
    const read = this.deps.disk ?? diskSpace;
    try {
      return await read(dir);
    } catch {
      return read(this.deps.dataDir);
    }
  }

  private async makeReserve(): Promise<void> {
    const reserve = this.deps.reserve;
    if (!reserve || reserve.held > 0) return;
    try {
      const space = await this.space(this.deps.dataDir);
      await reserve.create(reserveSize(space.totalBytes));
    } catch (err) {
      this.deps.log.warn({ err }, 'could not size the disk reserve');
    }
  }

  private async onFull(e: EventMap['disk.full']): Promise<void> {
    this.deps.log.error({ source: e.source, path: e.path, detail: e.detail }, 'disk full: a write failed for lack of space');
    this.deps.problems.raise(DISK_FULL_PROBLEM, 'error', 'Disk full: clips cannot be stored', `${e.source} could not write ${e.path}: ${e.detail}. Retention is deleting the oldest rejected and pending clips; free space on the data disk if this persists.`);
    this.dirs.add(e.path);
    if (this.deps.reserve && this.deps.reserve.held > 0) {
      const freed = await this.deps.reserve.release();
      this.deps.log.warn({ freedBytes: freed }, 'disk reserve released so retention can commit its deletions');
    }
    this.deps.onFull();
    if (!this.timer) {
      this.timer = setInterval(() => void this.check(), this.deps.checkMs ?? 10_000);
      this.timer.unref();
    }
  }
}
