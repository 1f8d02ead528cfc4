import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Service } from '../core/service.js';
import type { JobRunsRepo } from '../db/repos/job-runs.js';

export interface JobDefinition {
  /** Stable name; the last run is stored under it in job_runs. */
  name: string;
  /** node-cron expression (5 or 6 fields). */
  schedule: string;
  run(): Promise<void>;
}

export interface JobRunResult {
  name: string;
  /** False when the job was still running from a previous trigger and this one was skipped. */
  ran: boolean;
  error?: string;
}

interface Entry {
  job: JobDefinition;
  task?: ScheduledTask;
  running?: Promise<JobRunResult>;
}

export interface SchedulerDeps {
  log: Logger;
  clock: Clock;
  jobRuns: JobRunsRepo;
}

/**
 * A small shared cron runner (cross-seed style): each job is guarded against overlap — a
 * trigger that arrives while the previous run is still going is skipped, not queued — and the
 * start, end, duration and error of every run are stored so the owner can see that a job ran.
 * A failing job is logged and recorded; it never throws out of the timer.
 */
export class Scheduler implements Service {
  readonly name = 'scheduler';
  private readonly entries = new Map<string, Entry>();
  private started = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Register a job; allowed before or after start(). */
  add(job: JobDefinition): void {
    if (this.entries.has(job.name)) throw new Error(`job ${job.name} is already registered`);
    if (!cron.validate(job.schedule)) throw new Error(`job ${job.name}: invalid cron expression "${job.schedule}"`);
    const entry: Entry = { job };
    this.entries.set(job.name, entry);
    if (this.started) this.schedule(entry);
  }

  async start(): Promise<void> {
    this.started = true;
    for (const entry of this.entries.values()) this.schedule(entry);
  }

  /** Stops the timers and waits for runs in progress, so nothing touches the database after stop. */
  async stop(): Promise<void> {
    this.started = false;
    const running: Promise<JobRunResult>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.task) await entry.task.destroy();
      delete entry.task;
      if (entry.running) running.push(entry.running);
    }
    await Promise.allSettled(running);
  }

  /**
   * Run a job now (start-up, a manual refresh, tests). Never a second concurrent run: when the
   * job is already running, this joins that run and resolves with its result.
   */
  runNow(name: string): Promise<JobRunResult> {
    const entry = this.entries.get(name);
    if (!entry) return Promise.reject(new Error(`unknown job ${name}`));
    return entry.running ?? this.trigger(entry);
  }

  isRunning(name: string): boolean {
    return this.entries.get(name)?.running !== undefined;
  }

  private schedule(entry: Entry): void {
    // Our own guard below covers overlap; node-cron's noOverlap is set too so its
    // "missed execution" bookkeeping does not warn about our skipped triggers.
    const log = this.deps.log.child({ job: entry.job.name });
    entry.task = cron.createTask(entry.job.schedule, () => this.trigger(entry).then(() => undefined), {
      name: entry.job.name,
      noOverlap: true,
      // node-cron prints to the console by default; route it into our log (a skipped overlap is routine).
      logger: {
        info: (m) => log.debug(m),
        warn: (m) => log.debug(m),
        error: (m, err) => log.error({ err }, typeof m === 'string' ? m : m.message),
        debug: (m) => log.debug(typeof m === 'string' ? m : m.message),
      },
    });
    void entry.task.start();
  }

  private trigger(entry: Entry): Promise<JobRunResult> {
    if (entry.running) {
      this.deps.log.debug({ job: entry.job.name }, 'job still running; trigger skipped');
      return Promise.resolve({ name: entry.job.name, ran: false });
    }
    const run = this.execute(entry.job).finally(() => {
      delete entry.running;
    });
    entry.running = run;
    return run;
  }

  private async execute(job: JobDefinition): Promise<JobRunResult> {
    const { clock, jobRuns, log } = this.deps;
    const startedAt = clock.now();
    // Recording the run is bookkeeping: on a full disk SQLite cannot write it, and that must not
    // stop the job (retention is exactly what frees the space).
    this.record(() => jobRuns.started(job.name, clock.iso()), job.name);
    let error: string | undefined;
    try {
      await job.run();
    } catch (err) {
      error = errorMessage(err);
      log.error({ err, job: job.name }, 'job failed');
    }
    this.record(() => jobRuns.finished(job.name, clock.iso(), clock.now() - startedAt, error ?? null), job.name);
    return error === undefined ? { name: job.name, ran: true } : { name: job.name, ran: true, error };
  }

  private record(write: () => void, job: string): void {
    try {
      write();
    } catch (err) {
      this.deps.log.warn({ err, job }, 'could not record the job run');
    }
  }
}
