import { spawn } from 'node:child_process';
import { AppError } from '../core/errors.js';
import { maskUrlCredentials } from '../core/logger.js';

/**
 * The one runner of finite ffmpeg/ffprobe jobs (probe, concat, thumbnail, remux, export); the
 * long-running recorders have their own supervisor. By argv, never a shell; a job that overruns
 * its timeout or whose signal aborts is killed by PID with SIGKILL: every job writes only temp
 * files, so nothing is lost by not letting it finish. stderr is split into lines with credentials
 * in URLs masked, and every buffer is bounded, whatever the input file makes ffmpeg print.
 */

export interface RunOptions {
  /** Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each stderr line, credentials masked (for the log). */
  onStderr?: (line: string) => void;
  /** Chunks from fd 3, when the job writes there (ffmpeg `-progress pipe:3`). */
  onFd3?: (chunk: string) => void;
  /**
   * An open file descriptor handed to the child as its stdin (default: none). The inbox gives
   * ffmpeg the drop it holds open this way, so the child never opens the drop by its name.
   */
  stdin?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** At most MAX_STDOUT characters (ffprobe's JSON, keyframe lists). */
  stdout: string;
  /** The last stderr lines, credentials masked. */
  stderrTail: string[];
}

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_STDOUT = 8 * 1024 * 1024;
const TAIL_LINES = 20;
/** A stderr "line" longer than this is cut: ffmpeg can print a whole hostile header as one line. */
const MAX_LINE = 2_000;

/** Splits a text stream into lines (\n, \r\n or \r), each bounded, masked and handed to `onLine`. */
export class LineSplitter {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = (parts.pop() ?? '').slice(-MAX_LINE);
    for (const line of parts) this.emit(line);
  }

  end(): void {
    this.emit(this.partial);
    this.partial = '';
  }

  private emit(line: string): void {
    const text = maskUrlCredentials(line.slice(0, MAX_LINE).trim());
    if (text !== '') this.onLine(text);
  }
}

/** Resolves with the exit however it ended; rejects MEDIA_FAILED when it could not start, timed out or was aborted. */
export function runMedia(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe', opts.onFd3 ? 'pipe' : 'ignore'] });
    let stdout = '';
    const tail: string[] = [];
    let killedWhy: string | undefined;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_STDOUT) stdout += d.slice(0, MAX_STDOUT - stdout.length);
    });
    const lines = new LineSplitter((line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onStderr?.(line);
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => lines.push(d));
    const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
    fd3?.setEncoding('utf8');
    fd3?.on('data', (c: string) => opts.onFd3?.(c));
    const kill = (why: string): void => {
      killedWhy ??= why;
      if (child.pid !== undefined) child.kill('SIGKILL');
    };
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => kill('aborted');
    const done = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      done();
      reject(new AppError('MEDIA_FAILED', `${command} could not start: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      done();
      lines.end();
      if (killedWhy) reject(new AppError('MEDIA_FAILED', `${command} ${killedWhy}`));
      else resolve({ code, signal, stdout, stderrTail: tail });
    });
  });
}

/** ffmpeg's own reason for a failed run: its last stderr lines, or how it ended. */
export function failureReason(r: RunResult, separator = '; '): string {
  return r.stderrTail.slice(-3).join(separator) || (r.signal ? `killed by ${r.signal}` : `exit code ${String(r.code)}`);
}

/** runMedia, throwing MEDIA_FAILED with ffmpeg's own message on a non-zero exit. */
export async function runMediaChecked(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runMedia(command, args, opts);
  if (r.code !== 0) throw new AppError('MEDIA_FAILED', `${command} failed: ${failureReason(r)}`);
  return r;
}
