/**
 * The redaction export: argv from ./export-args.ts, processes through the one runner (./run.ts),
 * the input described by the one probe (./probe.ts). ffmpeg stays behind src/media/ so it can be
 * swapped (fluent-ffmpeg is archived upstream since May 2025).
 */
import { rm, writeFile } from 'node:fs/promises';
import { AppError } from '../core/errors.js';
import type { Region } from '../core/types.js';
import { canStreamCopy, copyArgs, encodeArgs, finishArgs, hevcCopyArgs, hevcFinishArgs, keyframeProbeArgs, parseKeyframes, ProgressParser, type ExportSpec } from './export-args.js';
import { probeFile, type MediaInfo } from './probe.js';
import { failureReason, runMedia, type RunResult } from './run.js';
import { filterGraphArgs, trackedBlurGraph } from './tracked-blur.js';

export interface ExportOptions {
  ffmpeg?: string;
  ffprobe?: string;
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  /** Each stderr line of ffmpeg (for the log), credentials masked. */
  onStderr?: (line: string) => void;
}

export interface ExportRequest {
  input: string;
  trim?: { startMs: number; endMs: number };
  stripAudio: boolean;
  regions: Region[];
  /** Face tracks to blur frame by frame (keyframes on the clip's timeline). */
  tracks?: ExportSpec['tracks'];
}

/** Per ffmpeg run; a 2-minute clip with blur takes a few minutes on a Pi, so this only catches a hang. */
const EXPORT_STEP_TIMEOUT_MS = 30 * 60_000;

export class ExportAbortedError extends Error {
  constructor() {
    super('export aborted');
    this.name = 'ExportAbortedError';
  }
}

/** One step of the export; an abort becomes ExportAbortedError, a failed run EXPORT_FAILED with ffmpeg's reason. */
async function step(what: string, command: string, args: string[], opts: ExportOptions, onFd3?: (chunk: string) => void): Promise<RunResult> {
  let r: RunResult;
  try {
    r = await runMedia(command, args, { timeoutMs: EXPORT_STEP_TIMEOUT_MS, signal: opts.signal, onStderr: opts.onStderr, onFd3 });
  } catch (err) {
    if (opts.signal?.aborted) throw new ExportAbortedError();
    throw err;
  }
  if (opts.signal?.aborted) throw new ExportAbortedError();
  if (r.code !== 0) throw new AppError('EXPORT_FAILED', `${what} failed: ${failureReason(r, ' | ')}`);
  return r;
}

export async function probeKeyframes(file: string, opts: Pick<ExportOptions, 'ffprobe' | 'signal'> = {}): Promise<number[]> {
  const r = await step(`reading keyframes of ${file}`, opts.ffprobe ?? 'ffprobe', keyframeProbeArgs(file), opts);
  return parseKeyframes(r.stdout);
}

/**
 * Export `req.input` to `output` (a temp path the caller renames once complete). Returns how it
 * was made. Rejects with AppError EXPORT_FAILED (ffmpeg's last stderr lines as the reason),
 * MEDIA_FAILED (unreadable input) or ExportAbortedError when the signal fired.
 */
export async function runExport(req: ExportRequest, output: string, opts: ExportOptions = {}): Promise<{ mode: 'copy' | 'encode'; info: MediaInfo }> {
  const ffmpeg = opts.ffmpeg ?? 'ffmpeg';
  const info = await probeFile(req.input, opts);
  const spec: ExportSpec = { ...req, width: info.width, height: info.height, videoCodec: info.videoCodec };
  const needsKeyframes = canStreamCopy({ ...spec, trim: undefined }, [], info.fps) && req.trim !== undefined && req.trim.startMs > 0;
  const keyframes = needsKeyframes ? await probeKeyframes(req.input, opts) : [];
  const totalMs = req.trim ? req.trim.endMs - req.trim.startMs : info.durationMs;
  const progress = new ProgressParser(totalMs);
  const onFd3 = (chunk: string): void => {
    const p = progress.push(chunk);
    if (p !== undefined) opts.onProgress?.(p);
  };
  if (canStreamCopy(spec, keyframes, info.fps) && spec.videoCodec === 'hevc') {
    const ts = `${output}.stage1.ts`;
    try {
      await step('ffmpeg export (copy H.265)', ffmpeg, hevcCopyArgs(spec, ts), opts, onFd3);
      await step('ffmpeg export (finish H.265)', ffmpeg, hevcFinishArgs(ts, output), opts);
      return { mode: 'copy', info };
    } finally {
      await rm(ts, { force: true });
    }
  }
  if (canStreamCopy(spec, keyframes, info.fps)) {
    await step('ffmpeg export (copy)', ffmpeg, copyArgs(spec, output), opts, onFd3);
    return { mode: 'copy', info };
  }
  const intermediate = `${output}.stage1.mp4`;
  // Next to the temp export (the exports folder), removed with it.
  const scriptFile = `${output}.graph.txt`;
  try {
    let filter: string[] | undefined;
    if (spec.tracks && spec.tracks.length > 0) {
      const graph = trackedBlurGraph({
        width: info.width, height: info.height, tracks: spec.tracks, regions: spec.regions, timeOffset: (req.trim?.startMs ?? 0) / 1000,
      });
      const fa = filterGraphArgs(graph, scriptFile);
      if (fa.script !== undefined) await writeFile(scriptFile, fa.script, { mode: 0o600 });
      filter = fa.args;
    }
    await step('ffmpeg export (encode)', ffmpeg, encodeArgs(spec, intermediate, filter), opts, onFd3);
    await step('ffmpeg export (finish)', ffmpeg, finishArgs(intermediate, output), opts);
    return { mode: 'encode', info };
  } finally {
    await rm(intermediate, { force: true });
    await rm(scriptFile, { force: true });
  }
}
