import { spawn, type ChildProcess } from 'node:child_process';
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import { errorMessage } from '../core/errors.js';
import { maskUrlCredentials, type Logger } from '../core/logger.js';
import { LineSplitter } from './run.js';

/** Restart pacing of a supervised child: the shared backoff, reset by a run that lasted healthyMs. */
export interface RestartPolicy extends Partial<BackoffPolicy> {
  /** A run that lasted this long counts as healthy and resets the backoff. */
  healthyMs?: number;
}

/** 1 s, 2 s, 4 s ... up to 60 s (DEFAULT_BACKOFF); a run of a minute counts as healthy. */
const HEALTHY_MS = 60_000;

export interface RunEnd {
  /** Why the run ended, for camera status (`lastError`). */
  reason: string;
  ranMs: number;
  /** False when prepare() failed and no child ran (the stream was never tried). */
  spawned: boolean;
}

export interface SupervisorDeps {
  name: string;
  log: Logger;
  command?: string;
  backoff?: RestartPolicy;
  /** Builds the argv of the next run (may resolve stream URLs first); a throw counts as a failed run. */
  prepare(signal: AbortSignal): Promise<string[]>;
  /** Called with each fresh child, to read its stdout. */
  onSpawn?(child: ChildProcess): void;
  /** Called after every run ends (or fails to start), before the backoff wait. */
  onEnd?(end: RunEnd): void;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  killGraceMs?: number;
}

/**
 * Keeps one long-running child alive: restart with exponential backoff, stderr lines into the
 * log (credentials masked), and stop() that ends the child by PID (SIGTERM, then SIGKILL) so the
 * daemon's 5 s shutdown budget holds. Homebridge-style: a crash is an event, not a failure mode.
 */
export class Supervisor {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private failures = 0;
  private running = false;
  private lastStderr = '';

  constructor(private readonly deps: SupervisorDeps) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    void this.runOnce();
  }

  /** Ends the current run (e.g. a stalled stream); the supervisor restarts it after the backoff. */
  restartNow(reason: string): void {
    if (!this.child) return;
    this.deps.log.warn({ reason }, 'restarting stalled process');
    this.lastStderr = reason;
    this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.abort?.abort();
    const child = this.child;
    if (!child || !this.exited) return;
    child.kill('SIGTERM');
    const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.deps.killGraceMs ?? 2_000).unref());
    if ((await Promise.race([this.exited, grace])) === 'timeout') {
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  private async runOnce(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const began = Date.now();
    let args: string[];
    try {
      args = await this.deps.prepare(abort.signal);
    } catch (err) {
      this.ended({ reason: maskUrlCredentials(errorMessage(err)), ranMs: Date.now() - began, spawned: false });
      return;
    }
    if (!this.running) return;
    this.spawnChild(args, began);
  }

  private spawnChild(args: string[], began: number): void {
    this.lastStderr = '';
    const child = spawn(this.deps.command ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.pipeStderr(child);
    this.exited = new Promise<void>((resolve) => {
      let spawnError: string | undefined;
      child.once('error', (err) => (spawnError = err.message));
      child.once('close', (code, signal) => {
        this.child = undefined;
        const why = spawnError ?? (this.lastStderr || `exited with ${signal ?? `code ${String(code)}`}`);
        resolve();
        if (this.running) this.ended({ reason: why, ranMs: Date.now() - began, spawned: spawnError === undefined });
      });
    });
    if (child.pid !== undefined) this.deps.log.debug({ pid: child.pid }, 'process started');
    this.deps.onSpawn?.(child);
  }

  private pipeStderr(child: ChildProcess): void {
    // Masked here as well as in the logger: the line also becomes the camera's lastError.
    const lines = new LineSplitter((line) => {
      // ffmpeg names the input URL, credentials included, in its errors.
      this.lastStderr = maskUrlCredentials(line).slice(0, 300);
      // While stopping, ffmpeg's complaints about the interrupted segment are expected noise.
      if (this.running) this.deps.log.warn({ ffmpeg: line }, 'ffmpeg');
      else this.deps.log.debug({ ffmpeg: line }, 'ffmpeg');
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => lines.push(chunk));
  }

  private ended(end: RunEnd): void {
    this.failures = end.ranMs >= (this.deps.backoff?.healthyMs ?? HEALTHY_MS) ? 1 : this.failures + 1;
    this.deps.onEnd?.(end);
    if (!this.running) return;
    const delay = backoffDelay(this.failures, this.deps.backoff);
    this.deps.log.info({ reason: end.reason, retryInMs: delay }, 'process ended; restarting after backoff');
    this.timer = setTimeout(() => void this.runOnce(), delay);
  }
}
