import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Problems } from '../core/problems.js';
import { dirUsage, fullestDisk, quotaExceeded, type DiskSpace } from './disk.js';
import type { RetentionRepo } from '../db/repos/retention.js';
import type { ClipDeleter, Deletion } from './deleter.js';

const DAY_MS = 86_400_000;
/** Quota candidates fetched per round; re-queried when a round is used up and space is still short. */
const QUOTA_BATCH = 200;
export const QUOTA_PROBLEM = 'disk.quota';

export interface RetentionDeps {
  log: Logger;
  clock: Clock;
  problems: Problems;
  queries: RetentionRepo;
  deleter: ClipDeleter;
  limits: Config['retention'];
  paths: { dataDir: string; clips: string; exports: string };
  /** statfs of the data disk; injectable so tests can simulate a nearly full disk. */
  disk?: (dir: string) => Promise<DiskSpace>;
}

export interface RetentionReport {
  expired: { pending: number; rejected: number; shared: number };
  quota: { deleted: number; freedBytes: number; exceeded?: string; satisfied: boolean };
  usage: DiskUsage;
}

export interface DiskUsage {
  clipsBytes: number;
  exportsBytes: number;
  totalBytes: number;
  freeBytes: number;
  measuredAt: string;
}

/**
 * Age-based retention plus the disk quota, as one idempotent pass (`runOnce`); the scheduler
 * runs it every few minutes, at start-up and at once when a write hits ENOSPC.
 */
export class Retention {
  private last: RetentionReport | undefined;

  constructor(private readonly deps: RetentionDeps) {}

  get lastReport(): RetentionReport | undefined {
    return this.last;
  }

  async runOnce(): Promise<RetentionReport> {
    const expired = await this.expire();
    const quota = await this.enforceQuota();
    const report: RetentionReport = { expired, quota: quota.result, usage: quota.usage };
    this.last = report;
    const total = expired.pending + expired.rejected + expired.shared + quota.result.deleted;
    if (total > 0) this.deps.log.info({ expired, quota: quota.result }, 'retention pass deleted clips');
    return report;
  }

  private async expire(): Promise<RetentionReport['expired']> {
    const { queries, limits, clock } = this.deps;
    const cutoff = (days: number): string => new Date(clock.now() - days * DAY_MS).toISOString();
    const pending = await this.deleteAll(queries.expiredPending(cutoff(limits.pendingDays)), 'pending', 'remove', `pending longer than ${limits.pendingDays} days`);
    const rejected = await this.deleteAll(queries.expiredRejected(cutoff(limits.rejectedDays)), 'rejected', 'files', `rejected more than ${limits.rejectedDays} days ago`);
    const shared = await this.deleteAll(queries.expiredShared(cutoff(limits.sharedDays)), 'approved', 'files', `shared more than ${limits.sharedDays} days ago`);
    return { pending, rejected, shared };
  }

  private async deleteAll(ids: string[], expect: Deletion['expect'], kind: Deletion['kind'], reason: string): Promise<number> {
    let n = 0;
    for (const clipId of ids) {
      if ((await this.deps.deleter.delete({ clipId, expect, kind, reason })) !== undefined) n++;
    }
    return n;
  }

  /**
   * While clips + exports exceed maxDiskGb or free space is under minFreePercent: delete the
   * oldest rejected clip's files, then the oldest pending clips; approved clips and anything with
   * a share in progress are never touched. When that is not enough the owner sees a problem.
   */
  private async enforceQuota(): Promise<{ result: RetentionReport['quota']; usage: DiskUsage }> {
    const { queries, deleter, limits, problems, log } = this.deps;
    const clipsBytes = await dirUsage(this.deps.paths.clips);
    const exportsBytes = await dirUsage(this.deps.paths.exports);
    let used = clipsBytes + exportsBytes;
    let space = await this.space();
    const first = quotaExceeded({ usedBytes: used, space }, limits);
    let deleted = 0;
    let freedBytes = 0;
    let why = first;
    if (why) log.warn({ why }, 'disk quota exceeded; deleting the oldest rejected, then pending clips');
    while (why) {
      const batch = queries.quotaCandidates(QUOTA_BATCH);
      let progressed = false;
      for (const c of batch) {
        const freed = await deleter.delete({ clipId: c.id, expect: c.status, kind: c.status === 'pending' ? 'remove' : 'files', reason: `disk quota: ${why}` });
        if (freed === undefined) continue;
        progressed = true;
        deleted++;
        freedBytes += freed;
        used -= freed;
        space = await this.space();
        why = quotaExceeded({ usedBytes: used, space }, limits);
        if (!why) break;
      }
      if (!progressed) break;
    }
    if (why) {
      problems.raise(QUOTA_PROBLEM, 'warning', 'Disk quota cannot be met', `${why}; only approved clips and shares in progress are left, which retention never deletes early`);
    } else {
      problems.clear(QUOTA_PROBLEM);
    }
    const usage: DiskUsage = { clipsBytes: clipsBytes - Math.min(clipsBytes, freedBytes), exportsBytes, totalBytes: space.totalBytes, freeBytes: space.freeBytes, measuredAt: this.deps.clock.iso() };
    const result: RetentionReport['quota'] = { deleted, freedBytes, satisfied: why === undefined };
    if (first) result.exceeded = first;
    return { result, usage };
  }

  private space(): Promise<DiskSpace> {
    return fullestDisk([this.deps.paths.dataDir, this.deps.paths.clips], this.deps.disk);
  }
}
