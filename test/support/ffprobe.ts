// Real ffprobe, parsed. Used to assert on what the system under test actually
// wrote (or what a camera actually serves) rather than trusting our own metadata.
import { runProcess } from './proc.js';

export interface FfprobeStream {
  index: number;
  /** 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' */
  codec_type: string;
  codec_name?: string;
  /** The sample entry's four-character code in mp4 (avc1, hvc1, hev1…). */
  codec_tag_string?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  /** Seconds as a decimal string (ffprobe's JSON keeps it a string). */
  duration?: string;
  nb_frames?: string;
  tags?: Record<string, string>;
}

export interface FfprobeFormat {
  filename: string;
  format_name: string;
  nb_streams?: number;
  /** Seconds as a decimal string; absent for live streams. */
  duration?: string;
  size?: string;
  bit_rate?: string;
  tags?: Record<string, string>;
}

export interface FfprobeResult {
  streams: FfprobeStream[];
  format: FfprobeFormat;
}

export interface FfprobeOptions {
  /** Kill ffprobe after this long. Default 20 s (RTSP probing waits for a keyframe). */
  timeoutMs?: number;
}

/**
 * Probe a file or URL. `extraArgs` go before the input (e.g. ['-count_frames']).
 * Rejects with ffprobe's stderr if it fails.
 */
export async function ffprobe(
  pathOrUrl: string,
  extraArgs: readonly string[] = [],
  opts: FfprobeOptions = {},
): Promise<FfprobeResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];
  if (/^rtsps?:\/\//i.test(pathOrUrl)) {
    // TCP interleaving avoids UDP port allocation; -timeout (µs) stops a dead server from hanging us.
    args.push('-rtsp_transport', 'tcp', '-timeout', String(timeoutMs * 1000));
  }
  args.push(...extraArgs, pathOrUrl);
  const r = await runProcess('ffprobe', args, { timeoutMs });
  if (r.code !== 0) {
    throw new Error(`ffprobe ${pathOrUrl} failed (code=${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim()}`);
  }
  const parsed = JSON.parse(r.stdout) as Partial<FfprobeResult>;
  return { streams: parsed.streams ?? [], format: parsed.format ?? { filename: pathOrUrl, format_name: '' } };
}

/** Container duration in seconds, or NaN when unknown (e.g. live streams). */
export function durationSeconds(r: FfprobeResult): number {
  return r.format.duration === undefined ? NaN : Number(r.format.duration);
}

export function videoStreams(r: FfprobeResult): FfprobeStream[] {
  return r.streams.filter((s) => s.codec_type === 'video');
}

export function audioStreams(r: FfprobeResult): FfprobeStream[] {
  return r.streams.filter((s) => s.codec_type === 'audio');
}
