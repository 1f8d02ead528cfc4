/**
 * Frames from a clip FILE (never a live stream): ffmpeg decodes, resamples to the analysis rate
 * and letterboxes to the model's square input, and writes raw RGB24 to a pipe. Frames are read one
 * at a time through the pipe's back-pressure, so memory stays at one frame plus the pipe buffer
 * whatever the clip's length.
 *
 * Timing: `fps=…:start_time=0` makes output frame k stand for t = k / fps on ffmpeg's zero-based
 * timeline (the same timeline an export's filter graph sees as `t`), padding the start with copies
 * of the first frame if the video starts late.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../core/errors.js';
import { maskUrlCredentials } from '../core/logger.js';
import { letterboxFilter } from './letterbox.js';
import type { Letterbox, RgbFrame } from './types.js';

export interface FrameSourceOptions {
  file: string;
  fps: number;
  letterbox: Letterbox;
  /** Decoder threads (ffmpeg -threads); the analysis keeps to its thread budget. */
  threads: number;
  /** Stop after this many frames (bounds the work for a hostile, hours-long file). */
  maxFrames?: number;
  signal?: AbortSignal;
  ffmpeg?: string;
}

export interface TimedFrame {
  index: number;
  t: number;
  frame: RgbFrame;
}

const MAX_STDERR = 8_192;

/** ffmpeg argv for the frame source (pure; table-tested). */
export function frameArgs(opts: Pick<FrameSourceOptions, 'file' | 'fps' | 'letterbox' | 'threads' | 'maxFrames'>): string[] {
  return [
    '-hide_banner', '-nostdin', '-v', 'error',
    '-threads', String(opts.threads),
    '-i', opts.file,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-filter_threads', '1',
    '-vf', `fps=fps=${opts.fps}:start_time=0,${letterboxFilter(opts.letterbox)}`,
    ...(opts.maxFrames !== undefined ? ['-frames:v', String(opts.maxFrames)] : []),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
}

/**
 * Decoded frames in order. Stopping early (break, throw, abort) kills ffmpeg by PID; a non-zero
 * exit after the last frame throws MEDIA_FAILED with ffmpeg's own words.
 */
export async function* readFrames(opts: FrameSourceOptions): AsyncGenerator<TimedFrame> {
  opts.signal?.throwIfAborted();
  const size = opts.letterbox.size;
  const frameBytes = size * size * 3;
  const child = spawn(opts.ffmpeg ?? 'ffmpeg', frameArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < MAX_STDERR) stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (err) => reject(new AppError('MEDIA_FAILED', `ffmpeg could not start: ${err.message}`)));
    child.once('close', (code) => resolve(code));
  });
  // A rejection here is reported by the await below; keep Node from calling it unhandled meanwhile.
  exited.catch(() => undefined);
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  opts.signal?.addEventListener('abort', kill, { once: true });
  let index = 0;
  let buf = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        chunk.copy(buf, filled, off, off + n);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          opts.signal?.throwIfAborted();
          yield { index, t: index / opts.fps, frame: { data: buf, width: size, height: size } };
          index++;
          // The consumer may still hold the last frame; never overwrite it in place.
          buf = Buffer.allocUnsafe(frameBytes);
          filled = 0;
        }
      }
    }
    const code = await exited;
    opts.signal?.throwIfAborted();
    if (code !== 0) {
      const reason = maskUrlCredentials(stderr).trim().split('\n').slice(-3).join('; ') || `exit code ${String(code)}`;
      throw new AppError('MEDIA_FAILED', `ffmpeg could not decode ${opts.file}: ${reason}`);
    }
  } finally {
    opts.signal?.removeEventListener('abort', kill);
    kill();
  }
}
