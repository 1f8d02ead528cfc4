/**
 * The detection engine as the app sees it: `analyse(clipFile)` and `verify(exportFile)`, each run
 * in a forked worker process at nice 10 so neither the daemon's event loop nor the recorders ever
 * wait on a model. One job at a time; the worker is started on demand and exits by itself when idle.
 * Aborting a job cancels it in the worker (its ffmpeg is killed); a worker that does not answer the
 * cancel within CANCEL_GRACE_MS is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../core/errors.js';
import { packageRoot } from '../core/version.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import type { Analysis, VerifyFinding } from './types.js';

export interface AnalyzerOptions {
  threads?: number;
  idleMs?: number;
  /** Niceness of the worker (and so of its ffmpeg); 10 by default. */
  nice?: number;
  labels?: boolean;
  faceModelFile?: string;
  labelModelFile?: string;
  /** Compiled worker entry; defaults to dist/src/detect/worker.js in the package. */
  workerFile?: string;
  /** Longest a single job may take before it is cancelled (default 10 minutes): a hostile or broken file cannot hold the worker. */
  jobTimeoutMs?: number;
  /** Worker stderr lines (model runtimes print there). */
  onLog?: (line: string) => void;
}

export interface AnalyseRequest {
  faceFps?: number;
  labelFps?: number;
  maxSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface VerifyRequest {
  threshold?: number;
  fps?: number;
  maxSeconds?: number;
  signal?: AbortSignal;
}

const CANCEL_GRACE_MS = 3_000;
const JOB_TIMEOUT_MS = 10 * 60_000;

type Done = Extract<FromWorker, { type: 'analysed' | 'verified' }>;

export class Analyzer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AnalyzerOptions = {}) {}

  /** PID of the live worker, if one is running. */
  get workerPid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  analyse(clipFile: string, req: AnalyseRequest = {}): Promise<Analysis> {
    return this.enqueue(req.signal, (id) => ({
      type: 'analyse', id, clipFile: path.resolve(clipFile), faceFps: req.faceFps ?? 10, labelFps: req.labelFps ?? 1, maxSeconds: req.maxSeconds,
    }), req.onProgress).then((m) => (m as Extract<Done, { type: 'analysed' }>).analysis);
  }

  /** Faces still found at ≥ threshold in a file, with their times (issue 19's verification). */
  verify(file: string, req: VerifyRequest = {}): Promise<VerifyFinding[]> {
    return this.enqueue(req.signal, (id) => ({
      type: 'verify', id, file: path.resolve(file), fps: req.fps ?? 10, threshold: req.threshold ?? 0.5, maxSeconds: req.maxSeconds,
    })).then((m) => (m as Extract<Done, { type: 'verified' }>).findings);
  }

  /** End the worker (if any) and wait for it to exit. */
  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    const child = this.child;
    if (!child || !this.exited) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private enqueue(signal: AbortSignal | undefined, make: (id: number) => ToWorker, onProgress?: (f: number) => void): Promise<Done> {
    this.pending++;
    clearTimeout(this.idleTimer);
    const job = this.chain.then(() => this.run(signal, make(this.nextId++), onProgress));
    this.chain = job.catch(() => undefined).finally(() => {
      if (--this.pending === 0) this.armIdle();
    });
    return job;
  }

  /** An idle worker is disconnected; it releases its models and exits, and RSS goes back to the OS. */
  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const child = this.child;
      if (this.pending > 0 || !child?.connected) return;
      child.disconnect();
      // A worker stuck in native code still goes.
      const kill = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
      kill.unref();
      child.once('exit', () => clearTimeout(kill));
    }, this.opts.idleMs ?? 60_000);
    this.idleTimer.unref();
  }

  private worker(): ChildProcess {
    if (this.child?.connected) return this.child;
    const config: WorkerConfig = {
      threads: this.opts.threads ?? 1,
      labels: this.opts.labels ?? true,
      ...(this.opts.faceModelFile ? { faceModelFile: this.opts.faceModelFile } : {}),
      ...(this.opts.labelModelFile ? { labelModelFile: this.opts.labelModelFile } : {}),
    };
    const file = this.opts.workerFile ?? path.join(packageRoot(), 'dist', 'src', 'detect', 'worker.js');
    if (!existsSync(file)) throw new Error(`${file} is missing (not built?)`);
    const child = fork(file, [JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], serialization: 'json' });
    if (child.pid !== undefined) {
      try {
        os.setPriority(child.pid, this.opts.nice ?? 10);
      } catch {
        // Not permitted (e.g. a container without CAP_SYS_NICE lowering is always allowed; raising is not): run as is.
      }
    }
    let partial = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) this.opts.onLog?.(l.slice(0, 500));
      if (partial.length > 4096) partial = '';
    });
    // IPC errors (a send racing the worker's exit) surface as the job's exit; log them, never throw.
    child.on('error', (err) => this.opts.onLog?.(`analysis worker: ${err.message}`));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
    return child;
  }

  private run(signal: AbortSignal | undefined, msg: ToWorker, onProgress?: (f: number) => void): Promise<Done> {
    return new Promise<Done>((resolve, reject) => {
      if (signal?.aborted) return reject(new AppError('DETECT_FAILED', 'analysis aborted'));
      let child: ChildProcess;
      try {
        child = this.worker();
      } catch (err) {
        return reject(new AppError('DETECT_UNAVAILABLE', `analysis worker could not start: ${(err as Error).message}`));
      }
      let killTimer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const stopped = (): string | undefined => (timedOut ? `analysis timed out after ${this.opts.jobTimeoutMs ?? JOB_TIMEOUT_MS} ms` : signal?.aborted ? 'analysis aborted' : undefined);
      const cleanup = (): void => {
        clearTimeout(killTimer);
        clearTimeout(deadline);
        child.off('message', onMessage);
        child.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (m: FromWorker): void => {
        if (m.id !== msg.id) return;
        if (m.type === 'progress') return onProgress?.(m.fraction);
        cleanup();
        const why = stopped();
        if (m.type === 'error') reject(new AppError(why ? 'DETECT_FAILED' : m.code, why ?? m.message));
        else resolve(m);
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
        cleanup();
        const why = stopped();
        // `workerExited`: the job itself may be fine (the worker was killed, ran out of memory): callers may try it again later.
        reject(new AppError('DETECT_FAILED', why ?? `analysis worker exited (${sig ?? `code ${String(code)}`})`, why ? undefined : { workerExited: true }));
      };
      const onAbort = (): void => {
        child.send({ type: 'cancel', id: msg.id } satisfies ToWorker);
        killTimer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
      };
      const deadline = setTimeout(() => {
        timedOut = true;
        onAbort();
      }, this.opts.jobTimeoutMs ?? JOB_TIMEOUT_MS);
      child.on('message', onMessage);
      child.once('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      child.send(msg);
    });
  }
}
