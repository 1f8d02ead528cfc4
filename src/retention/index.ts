import path from 'node:path';
import type { Core } from '../core/core.js';
import { isDiskFull } from '../core/disk-full.js';
import type { Service } from '../core/service.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Ledger } from '../ledger/index.js';
import { ClipDeleter } from './deleter.js';
import { DiskGuard } from './disk-guard.js';
import { DiskReserve } from './disk-reserve.js';
import { analysisPath } from '../detect/store.js';
import { sweepCache, sweepOrphans } from './disk-sweep.js';
import type { DiskSpace } from './disk.js';
import { Retention } from './retention.js';
import { StatsService } from './stats.js';

export { Retention, QUOTA_PROBLEM, type RetentionReport, type DiskUsage } from './retention.js';
export { ClipDeleter, type Deletion } from './deleter.js';
export { DiskGuard } from './disk-guard.js';
export { StatsService } from './stats.js';

export const RETENTION_JOB = 'retention';
export const CACHE_JOB = 'cache-sweep';

export interface RetentionModuleOptions {
  ledger: Pick<Ledger, 'append' | 'write'>;
  scheduler: Scheduler;
  /** Open requests for assistance; read at call time (the requests module may be absent). */
  openRequests: () => number;
  retentionSchedule?: string;
  cacheSchedule?: string;
  disk?: (dir: string) => Promise<DiskSpace>;
  diskCheckMs?: number;
}

export interface RetentionModule {
  retention: Retention;
  diskGuard: DiskGuard;
  stats: StatsService;
  /** For app.ts, in start order (all optional: a failing disk check is a problem, not a crash). */
  services: Service[];
}

/**
 * Retention, disk quota, disk-full handling and stats, wired from the daemon's core. Retention
 * runs every 10 minutes, once at start-up and at once when any write reports ENOSPC; the
 * scheduler guards each job against overlap and stores its last run.
 */
export function createRetention(core: Core, opts: RetentionModuleOptions): RetentionModule {
  const { log, clock, bus, problems, paths, repos, db, config } = core;
  const jlog = log.child({ module: 'retention' });
  const deleter = new ClipDeleter({ db, repos, ledger: opts.ledger, clock, bus, log: jlog, dataDir: paths.dataDir });
  const retention = new Retention({
    log: jlog,
    clock,
    problems,
    queries: repos.retention,
    deleter,
    limits: config.retention,
    paths,
    ...(opts.disk ? { disk: opts.disk } : {}),
  });
  const runRetention = (): void => {
    // runNow rejects only when the scheduler cannot record the run (database full): log, never crash.
    opts.scheduler.runNow(RETENTION_JOB).catch(async (err: unknown) => {
      jlog.error({ err }, 'retention could not be started through the scheduler');
      // The scheduler records each run in SQLite first; on a full disk that write fails. Run anyway.
      if (isDiskFull(err)) await retention.runOnce().catch((e: unknown) => jlog.error({ err: e }, 'retention pass failed'));
    });
  };
  opts.scheduler.add({
    name: RETENTION_JOB,
    schedule: opts.retentionSchedule ?? '*/10 * * * *',
    run: async () => {
      await retention.runOnce();
      await sweepStrays(core, jlog);
    },
  });
  opts.scheduler.add({
    name: CACHE_JOB,
    schedule: opts.cacheSchedule ?? '*/5 * * * *',
    run: async () => {
      const swept = await sweepCache(paths.cacheDir, Date.now());
      if (swept.files > 0) jlog.warn(swept, 'removed stray segments from the cache');
    },
  });
  const diskGuard = new DiskGuard({
    log: log.child({ module: 'disk' }),
    clock,
    bus,
    problems,
    dataDir: paths.dataDir,
    minFreePercent: config.retention.minFreePercent,
    onFull: runRetention,
    reserve: new DiskReserve(paths.dataDir, log.child({ module: 'disk' })),
    ...(opts.diskCheckMs ? { checkMs: opts.diskCheckMs } : {}),
    ...(opts.disk ? { disk: opts.disk } : {}),
  });
  const stats = new StatsService({
    log: log.child({ module: 'stats' }),
    clock,
    bus,
    dataDir: paths.dataDir,
    clipsDir: paths.clips,
    pendingCount: () => repos.clips.countByStatus('pending'),
    openRequests: opts.openRequests,
    jobRuns: () => repos.jobRuns.list(),
    usage: () => retention.lastReport?.usage,
    ...(opts.disk ? { disk: opts.disk } : {}),
  });
  const startup: Service = {
    name: 'retention-startup',
    // In the background: a large first pass must not hold up the web UI.
    start: async () => runRetention(),
    stop: async () => undefined,
  };
  return { retention, diskGuard, stats, services: [diskGuard, stats, startup] };
}

/** Files no row points at any more (a crash between commit and unlink). */
async function sweepStrays(core: Core, log: Core['log']): Promise<void> {
  const { repos, paths } = core;
  const clipFiles = new Set<string>();
  for (const c of repos.clips.allWithFiles()) {
    clipFiles.add(c.filePath);
    if (c.thumbPath) clipFiles.add(c.thumbPath);
    // The analysis lives next to the clip; it goes with it (deleter, review), never as an orphan of a live clip.
    clipFiles.add(analysisPath(c.filePath));
  }
  const exportFiles = new Set<string>();
  for (const s of repos.shares.list()) if (s.exportPath) exportFiles.add(s.exportPath);
  // File ages compare with mtimes, which the file system stamps from the real clock.
  const now = Date.now();
  const clips = await sweepOrphans({ dataDir: paths.dataDir, dir: paths.clips, referenced: normalized(clipFiles), now });
  const exports = await sweepOrphans({ dataDir: paths.dataDir, dir: paths.exports, referenced: normalized(exportFiles), now });
  if (clips.files + exports.files > 0) log.warn({ clips, exports }, 'removed files no clip or share refers to');
}

function normalized(set: Set<string>): Set<string> {
  return new Set([...set].map((p) => path.normalize(p)));
}
