/**
 * Pure argv builders for every ffmpeg/ffprobe invocation. Nothing here spawns or touches the
 * file system, so each builder is table-tested (test/unit/media/args.test.ts), go2rtc style.
 * fluent-ffmpeg is archived upstream (May 2025), so long-running processes are spawned directly
 * with these arrays (src/media/supervisor.ts) and never through a shell.
 */
import type { Region } from '../core/types.js';

/** Where a recorder reads from. */
export type RecordInput =
  | { kind: 'rtsp'; url: string }
  | { kind: 'simulated'; width: number; height: number; fps: number; audio: boolean };

export interface SegmentOutput {
  /** Directory of the camera's ring buffer. */
  dir: string;
  /** Unique per ffmpeg run, so a restart never overwrites segments still in the ring. */
  runId: string;
  /** Target segment length; real cuts happen at keyframes, so it follows the camera's GOP. */
  segmentSeconds: number;
  /** Keep the first audio track (when the input has one). */
  audio: boolean;
}

/** RTSP socket I/O timeout: a camera that stops sending makes ffmpeg exit instead of hanging. */
export const RTSP_TIMEOUT_US = 10_000_000;

const QUIET = ['-nostdin', '-hide_banner', '-loglevel', 'warning'];

function rtspInput(url: string): string[] {
  // TCP interleaving: no UDP port pairs to open, survives NAT/firewalls, no packet loss on Wi-Fi.
  return ['-rtsp_transport', 'tcp', '-timeout', String(RTSP_TIMEOUT_US), '-i', url];
}

/**
 * The segment muxer writes its list (csv: `name,start,end`) to stdout, one flushed line per
 * FINISHED segment. That line is how the daemon learns a segment's exact start/end and that
 * ffmpeg has closed it; a segment without its line is never read.
 */
function segmentOutput(out: SegmentOutput): string[] {
  return [
    '-f', 'segment',
    '-segment_time', String(out.segmentSeconds),
    // A keyframe a few ms before the boundary still cuts there, so a 2 s GOP gives 2 s segments.
    '-segment_time_delta', '0.25',
    // MPEG-TS: self-contained segments with continuous timestamps; concatenation is exact.
    '-segment_format', 'mpegts',
    '-segment_list', 'pipe:1',
    '-segment_list_type', 'csv',
    `${out.dir}/${out.runId}-%06d.ts`,
  ];
}

/** Recording a real camera: stream copy only, never a re-encode (about 1% of a core per 1080p camera). */
export function recordArgs(input: RecordInput, out: SegmentOutput): string[] {
  if (input.kind === 'simulated') return simulatedArgs(input, out);
  const maps = ['-map', '0:v:0'];
  if (out.audio) maps.push('-map', '0:a:0?');
  return [...QUIET, ...rtspInput(input.url), ...maps, '-c', 'copy', ...segmentOutput(out)];
}

/**
 * The simulated camera: a moving test pattern and a sine tone, encoded once (low resolution,
 * ultrafast, one thread) with a 2 s GOP, written into the same ring as a real camera. `-re`
 * paces the synthetic inputs at real time, so segment timestamps follow the wall clock.
 */
export function simulatedArgs(input: Extract<RecordInput, { kind: 'simulated' }>, out: SegmentOutput): string[] {
  const gop = String(input.fps * 2);
  const args = [...QUIET, '-re', '-f', 'lavfi', '-i', `testsrc2=size=${input.width}x${input.height}:rate=${input.fps}`];
  const withAudio = input.audio && out.audio;
  if (withAudio) args.push('-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000');
  args.push('-map', '0:v');
  if (withAudio) args.push('-map', '1:a');
  args.push(
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
    '-pix_fmt', 'yuv420p', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-b:v', '300k', '-threads', '1',
  );
  if (withAudio) args.push('-c:a', 'aac', '-b:a', '32k', '-ac', '1');
  return [...args, ...segmentOutput(out)];
}

export interface DetectFrame {
  width: number;
  height: number;
  fps: number;
}

/** Motion detection: decode the sub stream to small grayscale frames on stdout (rawvideo, 1 byte/pixel). */
export function detectArgs(url: string, frame: DetectFrame): string[] {
  return [
    ...QUIET,
    '-fflags', 'nobuffer', '-flags', 'low_delay',
    ...rtspInput(url),
    '-an', '-sn', '-dn',
    '-vf', `fps=${frame.fps},scale=${frame.width}:${frame.height}:flags=area,format=gray`,
    '-f', 'rawvideo', 'pipe:1',
  ];
}

/** Joins finished segments (listed in a concat file) into one mp4 with stream copy; moov first for browsers. */
export function concatArgs(listFile: string, outFile: string): string[] {
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-f', 'concat', '-safe', '0', '-i', listFile,
    '-map', '0', '-c', 'copy', '-movflags', '+faststart',
    '-f', 'mp4', '-y', outFile,
  ];
}

/** One line of an ffmpeg concat list; quotes in the path are escaped as the demuxer requires. */
export function concatListLine(file: string): string {
  return `file '${file.replace(/'/g, "'\\''")}'`;
}

/** A JPEG thumbnail from `atSeconds` into the clip, 480 px wide. */
export function thumbnailArgs(inFile: string, outFile: string, atSeconds: number): string[] {
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-ss', atSeconds.toFixed(3), '-i', inFile,
    '-frames:v', '1', '-vf', 'scale=480:-2', '-q:v', '4',
    '-f', 'mjpeg', '-y', outFile,
  ];
}

/**
 * One drawbox per privacy mask, filled black: the pixels under a mask are gone, not softened.
 * Edges are widened to whole pixels outwards (floor the start, ceil the end), so the mask is
 * covered whatever the image size. Drawn in RGB: in a YUV format drawbox's black is limited-range
 * (Y=16), which a full-range JPEG shows as dark grey; RGB black encodes as 0.
 */
export function maskBoxesFilter(masks: readonly Region[]): string {
  if (masks.length === 0) return 'null';
  const n = (v: number): string => Number(v.toFixed(6)).toString();
  return masks
    .map((m) => {
      const x = `floor(iw*${n(m.x)})`;
      const y = `floor(ih*${n(m.y)})`;
      const w = `ceil(iw*${n(m.x + m.width)})-${x}`;
      const h = `ceil(ih*${n(m.y + m.height)})-${y}`;
      return `drawbox=x=${x}:y=${y}:w=${w}:h=${h}:color=black:t=fill`;
    })
    .reduce((graph, box) => `${graph},${box}`, 'format=rgb24');
}

/** A still (the clip's thumbnail) with the camera's privacy masks blacked out, as a metadata-free JPEG. */
export function maskedSnapshotArgs(inFile: string, outFile: string, masks: readonly Region[]): string[] {
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-i', inFile,
    '-frames:v', '1', '-vf', maskBoxesFilter(masks), '-q:v', '4',
    '-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact',
    '-f', 'mjpeg', '-y', outFile,
  ];
}

export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
}

/**
 * Where a child reads the file it was handed as stdin. Opening /proc/self/fd/0 reopens that very
 * file (whatever its name is now) with a read position of its own, so demuxers that need to seek
 * (mp4 with its index at the end) work, which a pipe would not allow.
 */
export const STDIN_FILE = 'file:/proc/self/fd/0';

/**
 * Input options for a file clipgate does not trust (an inbox drop) handed over as stdin: the file
 * protocol only, and only the listed demuxers, so a playlist or reference format (hls, concat,
 * dash, image sequences) cannot make ffmpeg read any other file; probing refuses everything else
 * ("Format not on whitelist"). `format` forces the demuxer a probe chose; for mov, external data
 * references stay off explicitly.
 */
export function containedInputArgs(demuxers: readonly string[], format?: string): string[] {
  const forced = format === undefined ? [] : ['-f', format, ...(format === 'mov' ? ['-enable_drefs', '0'] : [])];
  return ['-protocol_whitelist', 'file', '-format_whitelist', demuxers.join(','), ...forced, '-i', STDIN_FILE];
}

/** probeArgs for a contained input (see containedInputArgs). */
export function containedProbeArgs(demuxers: readonly string[]): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...containedInputArgs(demuxers)];
}
