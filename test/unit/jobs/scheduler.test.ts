import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { systemClock } from '../../../src/core/clock.js';
import { createRepos, openDatabase, type Db } from '../../../src/db/index.js';
import { Scheduler } from '../../../src/jobs/scheduler.js';

const log = createLogger({ level: 'silent', secrets: new SecretRegistry() });
let db: Db | undefined;
let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  db?.close();
  vi.useRealTimers();
});

/**
 * Cron ticks on a fake clock: node-cron schedules with setTimeout against Date, both of which the
 * fake timers replace, so "two more triggers pass" is a statement about time we advance, not time
 * we wait for on a shared, noisy machine.
 */
function fakeTime(): void {
  vi.useFakeTimers({ now: new Date('2026-11-30T12:00:00.500Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

function setup(): { scheduler: Scheduler; repos: ReturnType<typeof createRepos> } {
  db = openDatabase(':memory:');
  const repos = createRepos(db);
  scheduler = new Scheduler({ log, clock: systemClock, jobRuns: repos.jobRuns });
  return { scheduler, repos };
}

describe('Scheduler', () => {
  it('runNow joins a run in progress instead of starting a second one, and records each run', async () => {
    const { scheduler, repos } = setup();
    let release!: () => void;
    let runs = 0;
    scheduler.add({ name: 'slow', schedule: '0 0 1 1 *', run: () => { runs++; return new Promise<void>((r) => (release = r)); } });
    const first = scheduler.runNow('slow');
    expect(scheduler.isRunning('slow')).toBe(true);
    const second = scheduler.runNow('slow');
    release();
    expect(await first).toEqual({ name: 'slow', ran: true });
    expect(await second).toEqual({ name: 'slow', ran: true });
    expect(runs).toBe(1);
    const row = repos.jobRuns.list().find((r) => r.name === 'slow');
    expect(row?.lastStatus).toBe('ok');
    expect(row?.lastFinishedAt).not.toBeNull();
  });

  it('skips cron triggers that arrive while the previous run is still going', async () => {
    const { scheduler } = setup();
    let release!: () => void;
    let runs = 0;
    scheduler.add({ name: 'every-second', schedule: '* * * * * *', run: () => { runs++; return new Promise<void>((r) => (release = r)); } });
    fakeTime();
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    // Three more triggers fall due while the first run hangs: all skipped.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
    release();
  });

  it('records a failing job without throwing', async () => {
    const { scheduler, repos } = setup();
    scheduler.add({ name: 'bad', schedule: '0 0 1 1 *', run: () => Promise.reject(new Error('boom')) });
    expect(await scheduler.runNow('bad')).toEqual({ name: 'bad', ran: true, error: 'boom' });
    expect(repos.jobRuns.list()[0]).toMatchObject({ name: 'bad', lastStatus: 'failed', lastError: 'boom' });
  });

  it('runs on its cron schedule once started, and rejects bad expressions and duplicates', async () => {
    const { scheduler } = setup();
    expect(() => scheduler.add({ name: 'x', schedule: 'not cron', run: async () => undefined })).toThrow(/invalid cron/);
    let ticks = 0;
    scheduler.add({ name: 'tick', schedule: '* * * * * *', run: async () => { ticks++; } });
    expect(() => scheduler.add({ name: 'tick', schedule: '* * * * * *', run: async () => undefined })).toThrow(/already/);
    fakeTime();
    await scheduler.start();
    expect(ticks).toBe(0);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(ticks).toBe(3);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ticks).toBe(3);
  });
});
