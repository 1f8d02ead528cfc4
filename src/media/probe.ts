import { AppError } from '../core/errors.js';
import { probeArgs } from './args.js';
import { runMediaChecked } from './run.js';

export interface MediaInfo {
  durationMs: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
  /** Start of the first packet in the container, in seconds (non-zero after a stream copy). */
  startSeconds: number;
}

interface RawProbe {
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[];
  format?: { duration?: string; start_time?: string };
}

/** Parse ffprobe's JSON; a file without a video stream or a duration is not a clip. */
export function parseProbe(json: string): MediaInfo {
  let raw: RawProbe;
  try {
    raw = JSON.parse(json) as RawProbe;
  } catch {
    throw new AppError('MEDIA_FAILED', 'ffprobe returned unreadable output');
  }
  const video = raw.streams?.find((s) => s.codec_type === 'video');
  const audio = raw.streams?.find((s) => s.codec_type === 'audio');
  const duration = Number(raw.format?.duration);
  if (!video || !video.width || !video.height) throw new AppError('MEDIA_FAILED', 'no video stream');
  if (!Number.isFinite(duration) || duration <= 0) throw new AppError('MEDIA_FAILED', 'no duration');
  return {
    durationMs: Math.round(duration * 1000),
    width: video.width,
    height: video.height,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? null,
    startSeconds: Number(raw.format?.start_time ?? 0) || 0,
  };
}

export async function probeFile(file: string, opts: { ffprobe?: string; signal?: AbortSignal } = {}): Promise<MediaInfo> {
  const r = await runMediaChecked(opts.ffprobe ?? 'ffprobe', probeArgs(file), { timeoutMs: 30_000, signal: opts.signal });
  return parseProbe(r.stdout);
}
