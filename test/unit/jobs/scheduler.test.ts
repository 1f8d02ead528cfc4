import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { systemClock } from '../../../src/core/clock.js';
import { createRepos, openDatabase, type Db } from '../../../src/db/index.js';
import { Scheduler } from '../../../src/jobs/scheduler.js';
import { sleep, waitUntil } from '../../support/wait.js';

const log = createLogger({ level: 'silent', secrets: new SecretRegistry() });
let db: Db | undefined;
let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  db?.close();
});

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
    await scheduler.start();
    await waitUntil('the first run', () => runs > 0, 10_000);
    // At least two more triggers pass while the first run hangs.
    await sleep(2500);
    expect(runs).toBe(1);
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
    await scheduler.start();
    await waitUntil('a tick', () => ticks > 0, 10_000);
    expect(ticks).toBeGreaterThan(0);
    await scheduler.stop();
    const after = ticks;
    await sleep(1500);
    expect(ticks).toBe(after);
  });
});
