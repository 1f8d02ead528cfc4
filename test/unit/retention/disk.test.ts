import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { EventBus } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import { DISK_FULL_PROBLEM, isDiskFull, reportIfDiskFull } from '../../../src/core/disk-full.js';
import { DiskGuard, recoveredAt } from '../../../src/retention/disk-guard.js';
import { DiskReserve, RESERVE_FILE } from '../../../src/retention/disk-reserve.js';
import { sweepCache, sweepOrphans } from '../../../src/retention/disk-sweep.js';
import { GIB, quotaExceeded, type DiskSpace } from '../../../src/retention/disk.js';
import { StatsService } from '../../../src/retention/stats.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cg-disk-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function aged(file: string, ageMs: number, content = 'x'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(file, t, t);
}

describe('disk helpers', () => {
  it.each([
    [Object.assign(new Error('x'), { code: 'ENOSPC' }), true],
    [Object.assign(new Error('x'), { code: 'SQLITE_FULL' }), true],
    [new Error('ffmpeg failed: av_interleaved_write_frame(): No space left on device'), true],
    [Object.assign(new Error('x'), { code: 'EACCES' }), false],
    ['nope', false],
  ])('isDiskFull(%s) = %s', (err, full) => expect(isDiskFull(err)).toBe(full));

  it('quota: over maxDiskGb or under minFreePercent', () => {
    const space = { totalBytes: 1000, freeBytes: 500 };
    expect(quotaExceeded({ usedBytes: GIB, space }, { maxDiskGb: 1, minFreePercent: 10 })).toBeUndefined();
    expect(quotaExceeded({ usedBytes: GIB + 1, space }, { maxDiskGb: 1, minFreePercent: 10 })).toMatch(/over maxDiskGb/);
    expect(quotaExceeded({ usedBytes: 0, space: { totalBytes: 1000, freeBytes: 99 } }, { maxDiskGb: 1, minFreePercent: 10 })).toMatch(/under minFreePercent/);
  });

  it('recovery needs minFreePercent, and some room even when that is 0', () => {
    expect(recoveredAt({ totalBytes: 1000, freeBytes: 0 }, 10)).toBe(100);
    expect(recoveredAt({ totalBytes: 1000, freeBytes: 0 }, 0)).toBe(50);
    expect(recoveredAt({ totalBytes: 100 * GIB, freeBytes: 0 }, 0)).toBe(64 * 1024 ** 2);
  });
});

describe('sweeps', () => {
  it('removes only old segment files in camera folders of the cache', async () => {
    const cache = tmp();
    aged(path.join(cache, 'front', 'old-000001.ts'), 3_600_000);
    aged(path.join(cache, 'front', 'new-000002.ts'), 1_000);
    aged(path.join(cache, 'front', 'keep.jpg'), 3_600_000);
    aged(path.join(cache, 'not-ours.ts'), 3_600_000);
    aged(path.join(cache, 'Other App', 'x.ts'), 3_600_000);
    const r = await sweepCache(cache, Date.now());
    expect(r.files).toBe(1);
    expect(existsSync(path.join(cache, 'front', 'old-000001.ts'))).toBe(false);
    for (const kept of ['front/new-000002.ts', 'front/keep.jpg', 'not-ours.ts', 'Other App/x.ts']) expect(existsSync(path.join(cache, kept))).toBe(true);
  });

  it('removes old files no row refers to, never referenced or young ones', async () => {
    const data = tmp();
    const clips = path.join(data, 'clips');
    aged(path.join(clips, 'a', 'known.mp4'), 10 * 3_600_000);
    aged(path.join(clips, 'a', 'orphan.mp4'), 2 * 3_600_000);
    aged(path.join(clips, 'a', 'young.mp4'), 60_000);
    aged(path.join(clips, 'a', '.x.mp4.tmp'), 2 * 3_600_000);
    const r = await sweepOrphans({ dataDir: data, dir: clips, referenced: new Set([path.normalize('clips/a/known.mp4')]), now: Date.now() });
    expect(r.files).toBe(1);
    expect(existsSync(path.join(clips, 'a', 'orphan.mp4'))).toBe(false);
    for (const kept of ['known.mp4', 'young.mp4', '.x.mp4.tmp']) expect(existsSync(path.join(clips, 'a', kept))).toBe(true);
  });
});

describe('DiskGuard', () => {
  it('raises disk.full, gives the reserve back, runs retention, clears when space (and the reserve) fit again', async () => {
    const data = tmp();
    const clock = new ManualClock(0);
    const bus = new EventBus(log);
    const problems = new Problems({ bus, clock });
    let space: DiskSpace = { totalBytes: 10_000_000, freeBytes: 5_000_000 };
    let runs = 0;
    const reserve = new DiskReserve(data, log);
    const guard = new DiskGuard({ log, clock, bus, problems, dataDir: data, minFreePercent: 10, onFull: () => void runs++, disk: async () => space, reserve, checkMs: 3_600_000 });
    await guard.start();
    expect(reserve.held).toBe(100_000);
    expect(existsSync(path.join(data, RESERVE_FILE))).toBe(true);

    space = { totalBytes: 10_000_000, freeBytes: 0 };
    expect(reportIfDiskFull(bus, clock, Object.assign(new Error('no'), { code: 'ENOSPC' }), 'test', data)).toBe(true);
    expect(reportIfDiskFull(bus, clock, new Error('other'), 'test', data)).toBe(false);
    expect(problems.has(DISK_FULL_PROBLEM)).toBe(true);
    // The reserve is removed (async) before retention is asked to run.
    await vi.waitFor(() => expect(runs).toBe(1));
    expect(existsSync(path.join(data, RESERVE_FILE))).toBe(false);

    // 10% free is not enough while the reserve is owed; 10% + the reserve is.
    space = { totalBytes: 10_000_000, freeBytes: 1_000_000 };
    expect(await guard.check()).toBe(false);
    space = { totalBytes: 10_000_000, freeBytes: 1_100_000 };
    expect(await guard.check()).toBe(true);
    expect(problems.has(DISK_FULL_PROBLEM)).toBe(false);
    expect(reserve.held).toBe(100_000);
    await guard.stop();
  });
});

describe('StatsService', () => {
  it('reports pending, lazily read requests and free space; emits stats.changed only when they move', async () => {
    const clock = new ManualClock(0);
    const bus = new EventBus(log);
    const emitted: unknown[] = [];
    bus.on('t', 'stats.changed', (s) => void emitted.push(s));
    let pending = 2;
    let requests = 0;
    let free = 50_000;
    const stats = new StatsService({
      log, clock, bus, dataDir: '/', pendingCount: () => pending, openRequests: () => requests, jobRuns: () => [],
      usage: () => undefined, disk: async () => ({ totalBytes: 100_000, freeBytes: free }), refreshMs: 3_600_000,
    });
    await stats.start();
    expect(emitted).toEqual([{ pending: 2, requests: 0, diskFreeBytes: 50_000 }]);
    free = 49_500; // under 1% of the disk: not news
    await stats.refresh();
    expect(emitted).toHaveLength(1);
    pending = 3;
    requests = 1;
    await stats.refresh();
    expect(emitted.at(-1)).toEqual({ pending: 3, requests: 1, diskFreeBytes: 49_500 });
    expect(stats.details()).toMatchObject({ pending: 3, disk: { totalBytes: 100_000, clipsBytes: null }, jobs: [] });
    await stats.stop();
  });
});
