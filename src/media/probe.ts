import { AppError } from '../core/errors.js';
import { containedProbeArgs, probeArgs } from './args.js';
import { runMediaChecked } from './run.js';

/** What clipgate needs to know about a media file: the one probe of the code base. */
export interface MediaInfo {
  durationMs: number;
  width: number;
  height: number;
  /** Frames per second of the video stream (0 when ffprobe does not say). */
  fps: number;
  videoCodec: string;
  audioCodec: string | null;
  /** Start of the first packet in the container, in seconds (non-zero after a stream copy). */
  startSeconds: number;
  /** The demuxer that read it, as ffprobe names it (`mov,mp4,m4a,3gp,3g2,mj2`, `mpegts`). */
  format: string;
}

interface RawProbe {
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string }[];
  format?: { duration?: string; start_time?: string; format_name?: string };
}

/** `30000/1001` → 29.97; 0 for a missing or degenerate ratio (`0/0`). */
function frameRate(text: string | undefined): number {
  if (!text) return 0;
  const [num, den] = text.split('/').map(Number);
  if (!num || !den) return 0;
  return num / den;
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
    fps: frameRate(video.avg_frame_rate) || frameRate(video.r_frame_rate),
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? null,
    startSeconds: Number(raw.format?.start_time ?? 0) || 0,
    format: raw.format?.format_name ?? '',
  };
}

export async function probeFile(file: string, opts: { ffprobe?: string; signal?: AbortSignal } = {}): Promise<MediaInfo> {
  const r = await runMediaChecked(opts.ffprobe ?? 'ffprobe', probeArgs(file), { timeoutMs: 30_000, signal: opts.signal });
  return parseProbe(r.stdout);
}

/**
 * Probe an untrusted file clipgate holds open (`fd`), read only by the listed demuxers (see
 * containedInputArgs). ffprobe gets the descriptor as its stdin and never sees the file's name.
 */
export async function probeDescriptor(fd: number, demuxers: readonly string[], opts: { ffprobe?: string; signal?: AbortSignal } = {}): Promise<MediaInfo> {
  const r = await runMediaChecked(opts.ffprobe ?? 'ffprobe', containedProbeArgs(demuxers), { timeoutMs: 30_000, signal: opts.signal, stdin: fd });
  return parseProbe(r.stdout);
}
