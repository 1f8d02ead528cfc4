/**
 * Pure argv builders for the redaction export (go2rtc style: input → argv, table-tested in
 * test/unit/media/export-args.test.ts). Nothing here spawns a process or touches the disk.
 *
 * The export is one or two ffmpeg runs:
 *  - copy: nothing needs re-encoding (no region to blur, trim starts on a keyframe) and the video
 *    is H.264 → one run, video `-c:v copy` straight into the final container (kept audio is
 *    re-encoded, see audioArgs);
 *  - copy of H.265: two runs (hevcCopyArgs, hevcFinishArgs) — see HEVC_SEI below;
 *  - encode: blur regions and/or a frame-exact trim → libx264 into an intermediate mp4, then a
 *    stream-copy "finish" run into the final file. The second run exists because ffmpeg always
 *    tags an encoded stream with `encoder=Lavc libx264` (written into the mp4 sample entry's
 *    compressor name, even with +bitexact); only a stream copy leaves it out. It costs a remux
 *    of the already small export (well under 1% of the encode).
 */

import type { Region } from '../core/types.js';

export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ExportSpec {
  input: string;
  /** ffprobe's codec_name of the input video; only STREAM_COPY_CODECS may be stream-copied. */
  videoCodec: string;
  /** Frame size of the input video (regions are fractions of it). */
  width: number;
  height: number;
  trim?: { startMs: number; endMs: number };
  stripAudio: boolean;
  /** Every region to blur: the request's plus the camera's privacy masks. */
  regions: Region[];
  /**
   * Face tracks blurred by a box that follows them (keyframes on the clip's timeline, fractions of
   * the frame); their graph comes from ./tracked-blur.ts, passed to encodeArgs as `filter`.
   */
  tracks?: { keyframes: { t: number; x: number; y: number; width: number; height: number }[] }[];
}

/** Strength of the redaction: the blurred area is rebuilt from blocks this tall (at least 16 px). */
export const BLOCKS_PER_FRAME_HEIGHT = 24;
/** ...and a region is rebuilt from at most this many blocks across its shorter side (a face becomes a few soft patches). */
export const MAX_BLOCKS_ACROSS = 6;
export const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'] as const;

const COMMON = ['-hide_banner', '-nostdin', '-v', 'error', '-y'] as const;

/** Container-level metadata removed: global and chapter metadata, muxer/encoder identification (+bitexact keeps "Lavf"/"Lavc" strings and creation_time out). */
export const STRIP_CONTAINER = [
  '-map_metadata', '-1',
  '-map_chapters', '-1',
  '-fflags', '+bitexact',
  '-flags:v', '+bitexact',
  '-flags:a', '+bitexact',
] as const;

/**
 * Every metadata source of an H.264 export removed: the container's, and SEI NAL units (type 6),
 * which carry x264's settings banner and, on some cameras, timestamps or GPS. (The avcC box holds
 * only SPS and PPS, never SEI.)
 */
export const STRIP_METADATA = [...STRIP_CONTAINER, '-bsf:v', 'filter_units=remove_types=6'] as const;

/**
 * H.265 SEI is NAL types 39 (prefix) and 40 (suffix) — type 6 there is a picture slice — and it
 * sits twice: in the bitstream and in the mp4's hvcC box, which ffmpeg builds from the input's
 * extradata, which filter_units never edits. So an H.265 copy goes through MPEG-TS: run 1 turns
 * the stream into Annex B (parameter sets and SEI in-band) and drops the SEI; run 2 reads the
 * TS, whose parser builds fresh extradata from the in-band VPS/SPS/PPS only, and drops the
 * in-band parameter sets and access unit delimiters, leaving them in hvcC alone, as the `hvc1`
 * sample entry (the tag browsers play) requires.
 */
export const HEVC_SEI_TYPES = '39|40';
export const HEVC_IN_BAND_TYPES = '32|33|34|35|39|40';

/** Codecs whose bitstream the export knows how to clean; anything else is re-encoded. */
export const STREAM_COPY_CODECS: readonly string[] = ['h264', 'hevc'];

/** Milliseconds as an ffmpeg time in seconds with millisecond precision. */
export function seconds(ms: number): string {
  return (Math.round(ms) / 1000).toFixed(3);
}

/** A fractional region as an even-aligned pixel rectangle inside the frame (4:2:0 chroma needs even edges). */
export function pixelRect(r: Region, width: number, height: number): PixelRect {
  const even = (v: number, up: boolean): number => (up ? Math.ceil(v / 2) * 2 : Math.floor(v / 2) * 2);
  const x0 = Math.max(0, even(r.x * width, false));
  const y0 = Math.max(0, even(r.y * height, false));
  const x1 = Math.min(even(width, false), Math.max(x0 + 2, even((r.x + r.width) * width, true)));
  const y1 = Math.min(even(height, false), Math.max(y0 + 2, even((r.y + r.height) * height, true)));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Size of one redaction block in pixels for a frame of this height. */
export function blockSize(frameHeight: number): number {
  return Math.max(16, Math.round(frameHeight / BLOCKS_PER_FRAME_HEIGHT));
}

/**
 * Filter graph that redacts every region: each is cropped, shrunk to a few blocks (area
 * averaging throws the detail away for good) and scaled back up smoothly, then laid over the
 * frame. A face or a plate becomes a handful of soft colour patches, whatever its size.
 * Output label: [vout].
 */
export function redactionGraph(regions: Region[], width: number, height: number): string {
  if (regions.length === 0) return '[0:v]null[vout]';
  const block = blockSize(height);
  const rects = regions.map((r) => pixelRect(r, width, height));
  const parts: string[] = [];
  const cropLabels = rects.map((_, i) => `[c${i}]`).join('');
  parts.push(`[0:v]split=${rects.length + 1}[base]${cropLabels}`);
  rects.forEach((p, i) => {
    // Large regions get larger blocks: a region is never more than MAX_BLOCKS_ACROSS blocks across its short side.
    const b = Math.max(block, Math.ceil(Math.min(p.w, p.h) / MAX_BLOCKS_ACROSS));
    const sw = Math.max(1, Math.round(p.w / b));
    const sh = Math.max(1, Math.round(p.h / b));
    parts.push(`[c${i}]crop=${p.w}:${p.h}:${p.x}:${p.y},scale=${sw}:${sh}:flags=area,scale=${p.w}:${p.h}:flags=bilinear[r${i}]`);
  });
  let prev = '[base]';
  rects.forEach((p, i) => {
    const out = i === rects.length - 1 ? '[vout]' : `[o${i}]`;
    parts.push(`${prev}[r${i}]overlay=${p.x}:${p.y}${out}`);
    prev = out;
  });
  return parts.join(';');
}

function inputArgs(spec: ExportSpec): string[] {
  const args: string[] = [];
  // Input seeking: ffmpeg decodes from the keyframe before and drops frames up to the start
  // (accurate_seek), so an encode starts exactly there and a copy starts on the keyframe.
  if (spec.trim && spec.trim.startMs > 0) args.push('-ss', seconds(spec.trim.startMs));
  args.push('-i', spec.input);
  if (spec.trim) args.push('-t', seconds(spec.trim.endMs - spec.trim.startMs));
  return args;
}

/** Explicit maps: only the first video and (optionally) the audio; data, timecode and subtitle tracks never pass. */
function audioArgs(spec: ExportSpec): string[] {
  if (spec.stripAudio) return ['-an'];
  // Kept audio is always re-encoded (cheap next to video): a copied AAC stream can carry
  // encoder fill elements and other hidden data from whatever wrote the original.
  return ['-map', '0:a:0?', '-c:a', 'aac', '-b:a', '128k'];
}

/** The input with its first video stream copied as it is, audio as the spec says, subtitles and data dropped, timestamps from zero. */
function copiedStreamArgs(spec: ExportSpec): string[] {
  return [
    ...COMMON,
    ...inputArgs(spec),
    '-map', '0:v:0',
    ...audioArgs(spec),
    '-c:v', 'copy', '-sn', '-dn',
    '-avoid_negative_ts', 'make_zero',
  ];
}

/** One run, no re-encode: the final file directly. Progress goes to fd 3. */
export function copyArgs(spec: ExportSpec, output: string): string[] {
  return [
    ...copiedStreamArgs(spec),
    ...STRIP_METADATA,
    '-movflags', '+faststart',
    '-progress', 'pipe:3', '-nostats',
    '-f', 'mp4', output,
  ];
}

/** First run of an H.265 copy: Annex B with the SEI dropped, into MPEG-TS (progress on fd 3). */
export function hevcCopyArgs(spec: ExportSpec, intermediate: string): string[] {
  return [
    ...copiedStreamArgs(spec),
    ...STRIP_CONTAINER,
    '-bsf:v', `hevc_mp4toannexb,filter_units=remove_types=${HEVC_SEI_TYPES}`,
    '-progress', 'pipe:3', '-nostats',
    '-f', 'mpegts', intermediate,
  ];
}

/** Second run of an H.265 copy: into mp4 with hvcC built from VPS/SPS/PPS only, nothing but slices in-band, tagged hvc1. */
export function hevcFinishArgs(intermediate: string, output: string): string[] {
  return [
    ...COMMON,
    '-i', intermediate,
    '-map', '0',
    '-c', 'copy',
    ...STRIP_CONTAINER,
    '-bsf:v', `filter_units=remove_types=${HEVC_IN_BAND_TYPES}`,
    '-tag:v', 'hvc1',
    '-movflags', '+faststart',
    '-f', 'mp4', output,
  ];
}

/**
 * First run of an encode: redaction graph and libx264 into an intermediate file. Progress goes to fd 3.
 * `filter`: the arguments carrying another graph with output [vout] (the tracked blur's
 * `-filter_complex …` or `-filter_complex_script FILE`) in place of the fixed areas' graph.
 */
export function encodeArgs(spec: ExportSpec, intermediate: string, filter?: string[]): string[] {
  const video = filter
    ? [...filter, '-map', '[vout]']
    : spec.regions.length > 0
      ? ['-filter_complex', redactionGraph(spec.regions, spec.width, spec.height), '-map', '[vout]']
      : ['-map', '0:v:0'];
  return [
    ...COMMON,
    ...inputArgs(spec),
    ...video,
    ...audioArgs(spec),
    ...X264,
    '-sn', '-dn',
    ...STRIP_METADATA,
    '-progress', 'pipe:3', '-nostats',
    '-f', 'mp4', intermediate,
  ];
}

/** Second run of an encode: stream copy (drops the encoder tag), metadata stripped, moov first. */
export function finishArgs(intermediate: string, output: string): string[] {
  return [
    ...COMMON,
    '-i', intermediate,
    '-map', '0',
    '-c', 'copy',
    ...STRIP_METADATA,
    '-movflags', '+faststart',
    '-f', 'mp4', output,
  ];
}

/** ffprobe: video packet times and flags without decoding ("K" in flags marks a keyframe). */
export function keyframeProbeArgs(input: string): string[] {
  return ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', input];
}

/** Keyframe times in ms from keyframeProbeArgs output (`pts_time,flags` lines). */
export function parseKeyframes(csv: string): number[] {
  const out: number[] = [];
  for (const line of csv.split('\n')) {
    const [time, flags] = line.trim().split(',');
    if (!time || !flags || !flags.includes('K')) continue;
    const t = Number(time);
    if (Number.isFinite(t)) out.push(Math.round(t * 1000));
  }
  return out.sort((a, b) => a - b);
}

/**
 * Whether a stream copy gives the requested result: a codec whose metadata the export can strip,
 * nothing to blur, and the trim (if any) starts on a keyframe (within half a frame), because a
 * copy can only start on one. The end of a copy needs no keyframe: it may stop after any packet.
 */
export function canStreamCopy(spec: Pick<ExportSpec, 'regions' | 'trim' | 'videoCodec' | 'tracks'>, keyframesMs: number[], fps: number): boolean {
  if (!STREAM_COPY_CODECS.includes(spec.videoCodec)) return false;
  if (spec.regions.length > 0 || (spec.tracks?.length ?? 0) > 0) return false;
  const start = spec.trim?.startMs ?? 0;
  if (start === 0) return true;
  const halfFrame = fps > 0 ? 500 / fps : 20;
  return keyframesMs.some((k) => Math.abs(k - start) <= halfFrame);
}

/** Parses ffmpeg `-progress` key=value lines into a percentage of the expected output duration. */
export class ProgressParser {
  private partial = '';
  private last = -1;

  constructor(private readonly totalMs: number) {}

  /** Feed a chunk; returns the new whole percent when it advanced, else undefined. */
  push(chunk: string): number | undefined {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    let changed: number | undefined;
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      let percent: number | undefined;
      // out_time_us is the modern key; ffmpeg 5 also prints out_time_ms, which is µs too (a long-standing misnomer).
      if (key === 'out_time_us' && /^\d+$/.test(value) && this.totalMs > 0) percent = Math.floor(Number(value) / 1000 / this.totalMs * 100);
      else if (key === 'progress' && value === 'end') percent = 100;
      if (percent === undefined) continue;
      percent = Math.max(0, Math.min(100, percent));
      if (percent > this.last) {
        this.last = percent;
        changed = percent;
      }
    }
    return changed;
  }
}
