import type { Clock } from '../core/clock.js';
import type { EventBus, EventName } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Stats } from '../core/ports.js';
import type { Service } from '../core/service.js';
import type { JobRunRow } from '../db/repos/job-runs.js';
import { fullestDisk, type DiskSpace } from './disk.js';
import type { DiskUsage } from './retention.js';

export interface StatsDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  dataDir: string;
  /** The clips folder when clipsDir puts it elsewhere: free space is the fuller disk's. */
  clipsDir?: string;
  pendingCount: () => number;
  /** Read lazily: the requests module may be wired after this one, or not at all. */
  openRequests: () => number;
  jobRuns: () => JobRunRow[];
  /** The last retention pass's measurement of clips and exports (walking them is not free). */
  usage: () => DiskUsage | undefined;
  refreshMs?: number;
  disk?: (dir: string) => Promise<DiskSpace>;
}

export interface StatsDetails extends Stats {
  disk: { totalBytes: number; freeBytes: number; clipsBytes: number | null; exportsBytes: number | null; measuredAt: string | null };
  jobs: JobRunRow[];
}

/** Events after which the numbers may have moved. */
const TRIGGERS: EventName[] = ['clip.created', 'clip.updated', 'clip.deleted', 'request.received', 'share.created', 'share.uploaded'];

/**
 * `{pending, requests, diskFreeBytes}` for MQTT (`clipgate/stats`) and the API, with
 * `stats.changed` emitted when they change. Free space changes with every segment written, so
 * it counts as changed only when it moved by 1% of the disk (or 64 MiB on big disks): Home
 * Assistant gets a sensor that follows the disk, not a message per write.
 */
export class StatsService implements Service {
  readonly name = 'stats';
  private space: DiskSpace = { totalBytes: 0, freeBytes: 0 };
  private published: Stats | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly deps: StatsDeps) {}

  async start(): Promise<void> {
    await this.refresh();
    for (const event of TRIGGERS) this.deps.bus.on(this.name, event, () => this.soon());
    this.timer = setInterval(() => this.soon(), this.deps.refreshMs ?? 60_000);
  }

  async stop(): Promise<void> {
    this.deps.bus.off(this.name);
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.timer = undefined;
    this.debounce = undefined;
    await this.refreshing;
  }

  /** Synchronous, for `controls.stats`: counts are read now, free space is the last statfs. */
  get(): Stats {
    return { pending: this.deps.pendingCount(), requests: this.deps.openRequests(), diskFreeBytes: this.space.freeBytes };
  }

  details(): StatsDetails {
    const usage = this.deps.usage();
    return {
      ...this.get(),
      disk: {
        totalBytes: this.space.totalBytes,
        freeBytes: this.space.freeBytes,
        clipsBytes: usage?.clipsBytes ?? null,
        exportsBytes: usage?.exportsBytes ?? null,
        measuredAt: usage?.measuredAt ?? null,
      },
      jobs: this.deps.jobRuns(),
    };
  }

  /** Re-read free space and emit `stats.changed` when something moved. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private soon(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.refresh();
    }, 250);
  }

  private async doRefresh(): Promise<void> {
    try {
      this.space = await fullestDisk([this.deps.dataDir, this.deps.clipsDir ?? this.deps.dataDir], this.deps.disk);
    } catch (err) {
      this.deps.log.warn({ err }, 'could not read free disk space');
    }
    const now = this.get();
    if (this.published && !this.changed(this.published, now)) return;
    this.published = now;
    this.deps.bus.emit('stats.changed', now);
  }

  private changed(a: Stats, b: Stats): boolean {
    if (a.pending !== b.pending || a.requests !== b.requests) return true;
    const step = Math.min(64 * 1024 ** 2, Math.max(1, this.space.totalBytes / 100));
    return Math.abs(a.diskFreeBytes - b.diskFreeBytes) >= step;
  }
}
