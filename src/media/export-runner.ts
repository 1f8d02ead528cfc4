/**
 * Runs the redaction export's ffmpeg/ffprobe processes (argv from ./export-args.ts). ffmpeg is
 * spawned directly with argv arrays, never through a shell, and stays behind src/media/ so it
 * can be swapped (fluent-ffmpeg is archived upstream since May 2025).
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { AppError } from '../core/errors.js';
import type { Region } from '../core/types.js';
import {
  canStreamCopy, copyArgs, encodeArgs, finishArgs, keyframeProbeArgs, parseKeyframes, probeArgs, ProgressParser, type ExportSpec,
} from './export-args.js';

export interface MediaInfo {
  width: number;
  height: number;
  fps: number;
  durationMs: number;
  hasAudio: boolean;
}

export interface RunOptions {
  ffmpeg?: string;
  ffprobe?: string;
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  /** Each stderr line of ffmpeg (for the log). */
  onStderr?: (line: string) => void;
}

export interface ExportRequest {
  input: string;
  trim?: { startMs: number; endMs: number };
  stripAudio: boolean;
  regions: Region[];
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string[];
}

const TAIL = 20;
const KILL_GRACE_MS = 2_000;

/** Spawn one process, collect stdout, keep the last stderr lines, report fd 3 (ffmpeg -progress) chunks. */
function run(cmd: string, args: string[], opts: { signal?: AbortSignal; onFd3?: (chunk: string) => void; onStderr?: (line: string) => void }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    const tail: string[] = [];
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      const lines = (partial + c).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        tail.push(line);
        if (tail.length > TAIL) tail.shift();
        opts.onStderr?.(line);
      }
    });
    const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
    fd3?.setEncoding('utf8');
    fd3?.on('data', (c: string) => opts.onFd3?.(c));
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => reject(new AppError('MEDIA_FAILED', `could not start ${cmd}: ${err.message}`)));
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (partial !== '') tail.push(partial);
      resolve({ code, signal, stdout, stderrTail: tail });
    });
  });
}

function failure(what: string, r: Run): AppError {
  const why = r.stderrTail.slice(-3).join(' | ') || (r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`);
  return new AppError('EXPORT_FAILED', `${what} failed: ${why}`);
}

function aborted(signal?: AbortSignal): boolean {
  return signal?.aborted === true;
}

export class ExportAbortedError extends Error {
  constructor() {
    super('export aborted');
    this.name = 'ExportAbortedError';
  }
}

/** Size, frame rate, duration and audio presence of a media file, from ffprobe. */
export async function probeMedia(file: string, opts: Pick<RunOptions, 'ffprobe' | 'signal'> = {}): Promise<MediaInfo> {
  const r = await run(opts.ffprobe ?? 'ffprobe', probeArgs(file), { signal: opts.signal });
  if (r.code !== 0) throw failure(`probing ${file}`, r);
  const parsed = JSON.parse(r.stdout) as { streams?: { codec_type?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string }[]; format?: { duration?: string } };
  const streams = parsed.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  if (!video?.width || !video.height) throw new AppError('EXPORT_FAILED', `${file} has no video stream`);
  return {
    width: video.width,
    height: video.height,
    fps: frameRate(video.avg_frame_rate) || frameRate(video.r_frame_rate),
    durationMs: Math.round(Number(parsed.format?.duration ?? 'NaN') * 1000) || 0,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

function frameRate(text: string | undefined): number {
  if (!text) return 0;
  const [num, den] = text.split('/').map(Number);
  if (!num || !den) return 0;
  return num / den;
}

export async function probeKeyframes(file: string, opts: Pick<RunOptions, 'ffprobe' | 'signal'> = {}): Promise<number[]> {
  const r = await run(opts.ffprobe ?? 'ffprobe', keyframeProbeArgs(file), { signal: opts.signal });
  if (r.code !== 0) throw failure(`reading keyframes of ${file}`, r);
  return parseKeyframes(r.stdout);
}

/**
 * Export `req.input` to `output` (a temp path the caller renames once complete). Returns how it
 * was made. Rejects with AppError EXPORT_FAILED (ffmpeg's last stderr lines as the reason) or
 * ExportAbortedError when the signal fired.
 */
export async function runExport(req: ExportRequest, output: string, opts: RunOptions = {}): Promise<{ mode: 'copy' | 'encode'; info: MediaInfo }> {
  const ffmpeg = opts.ffmpeg ?? 'ffmpeg';
  const info = await probeMedia(req.input, opts);
  const spec: ExportSpec = { ...req, width: info.width, height: info.height };
  const needsKeyframes = req.regions.length === 0 && req.trim !== undefined && req.trim.startMs > 0;
  const keyframes = needsKeyframes ? await probeKeyframes(req.input, opts) : [];
  const totalMs = req.trim ? req.trim.endMs - req.trim.startMs : info.durationMs;
  const progress = new ProgressParser(totalMs);
  const onFd3 = (chunk: string): void => {
    const p = progress.push(chunk);
    if (p !== undefined) opts.onProgress?.(p);
  };
  const common = { signal: opts.signal, onStderr: opts.onStderr };
  if (canStreamCopy(spec, keyframes, info.fps)) {
    const r = await run(ffmpeg, copyArgs(spec, output), { ...common, onFd3 });
    if (aborted(opts.signal)) throw new ExportAbortedError();
    if (r.code !== 0) throw failure('ffmpeg export (copy)', r);
    return { mode: 'copy', info };
  }
  const intermediate = `${output}.stage1.mp4`;
  try {
    const enc = await run(ffmpeg, encodeArgs(spec, intermediate), { ...common, onFd3 });
    if (aborted(opts.signal)) throw new ExportAbortedError();
    if (enc.code !== 0) throw failure('ffmpeg export (encode)', enc);
    const fin = await run(ffmpeg, finishArgs(intermediate, output), common);
    if (aborted(opts.signal)) throw new ExportAbortedError();
    if (fin.code !== 0) throw failure('ffmpeg export (finish)', fin);
    return { mode: 'encode', info };
  } finally {
    await rm(intermediate, { force: true });
  }
}
