// Real small videos for the inbox tests: ffmpeg lavfi, 1 s at 320x240, a different hue and tone
// per seed so every file has its own bytes (and SHA-256).
import { runProcess } from '../../support/index.js';

export type Container = 'mp4' | 'mkv' | 'avi' | 'ts' | 'mov';

/** The muxer for each container (the file name's extension may lie: tests drop a .ts that is not MPEG-TS). */
const MUXER: Record<Container, string> = { mp4: 'mp4', mkv: 'matroska', avi: 'avi', ts: 'mpegts', mov: 'mov' };

export interface VideoOptions {
  seed: number;
  container: Container;
  /** Index at the end (no faststart): a truncated copy then has no index and cannot be read. */
  indexLast?: boolean;
  /** PCM audio, as many cameras write in mkv/avi: mp4 cannot carry it, so ingest transcodes the audio only. */
  pcmAudio?: boolean;
  /**
   * A byte pattern carried inside the H.264 stream (an unregistered-user-data SEI) and the
   * container's title, so it survives a stream copy into any container: a file holding it was made
   * from this video.
   */
  marker?: string;
}

export async function makeVideo(file: string, o: VideoOptions): Promise<void> {
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=10,hue=h=${(o.seed * 37) % 360}`,
    '-f', 'lavfi', '-i', `sine=frequency=${200 + o.seed * 10}:sample_rate=16000`,
    '-t', '1', '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', '-threads', '1',
    '-c:a', o.pcmAudio ? 'pcm_s16le' : 'aac',
  ];
  if (o.marker) args.push('-bsf:v', `h264_metadata=sei_user_data=0d9f3a6c-1b2e-4c5d-8e7f-a1b2c3d4e5f6+${o.marker}`, '-metadata', `title=${o.marker}`);
  if ((o.container === 'mp4' || o.container === 'mov') && !o.indexLast) args.push('-movflags', '+faststart');
  args.push('-f', MUXER[o.container], '-y', file);
  const r = await runProcess('ffmpeg', args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ffmpeg could not make ${file}: ${r.stderr}`);
}

/** Run `jobs` with at most `n` at a time (2 cores, other suites running too). */
export async function limited<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
