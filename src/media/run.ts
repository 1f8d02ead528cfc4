import { spawn } from 'node:child_process';
import { AppError } from '../core/errors.js';
import { maskUrlCredentials } from '../core/logger.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Longest stderr kept for error messages; ffmpeg can be chatty on broken input. */
const MAX_STDERR = 8_192;

/**
 * Runs a short ffmpeg/ffprobe job (concat, thumbnail, probe) by argv, never a shell. A job that
 * overruns its timeout or whose signal aborts is killed by PID with SIGKILL: these jobs write
 * only temp files, so nothing is lost by not letting them finish.
 */
export function runMedia(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedWhy: string | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_STDERR) stderr += d;
    });
    const kill = (why: string): void => {
      killedWhy = why;
      if (child.pid !== undefined) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`timed out after ${opts.timeoutMs ?? 0} ms`), opts.timeoutMs ?? 120_000);
    const onAbort = (): void => kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new AppError('MEDIA_FAILED', `${command} could not start: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (killedWhy) reject(new AppError('MEDIA_FAILED', `${command} ${killedWhy}`));
      else resolve({ code, stdout, stderr: maskUrlCredentials(stderr) });
    });
  });
}

/** runMedia, throwing MEDIA_FAILED with ffmpeg's own message on a non-zero exit. */
export async function runMediaChecked(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runMedia(command, args, opts);
  if (r.code !== 0) {
    const reason = r.stderr.trim().split('\n').slice(-3).join('; ') || `exit code ${String(r.code)}`;
    throw new AppError('MEDIA_FAILED', `${command} failed: ${reason}`);
  }
  return r;
}
