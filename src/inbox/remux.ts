import { AppError } from '../core/errors.js';
import { containedInputArgs } from '../media/args.js';
import type { MediaInfo } from '../media/probe.js';
import { runMediaChecked } from '../media/run.js';
import { ALLOWED_DEMUXERS, allowedDemuxer } from './rules.js';

/** Video codecs an mp4 holds and browsers play: these are stream-copied, never re-encoded. */
const COPY_VIDEO = new Set(['h264', 'hevc', 'av1', 'vp9']);
/** Audio codecs an mp4 holds; G.711/PCM (common on cameras) is not one of them and becomes AAC. */
const COPY_AUDIO = new Set(['aac', 'mp3', 'opus']);

export interface RemuxPlan {
  copyVideo: boolean;
  /** 'copy', 'aac' (transcode: cheap, audio only) or 'none' (the input has no audio). */
  audio: 'copy' | 'aac' | 'none';
}

/** Copy whatever an mp4 can carry; re-encode only what it cannot (old MJPEG cameras, PCM audio). */
export function remuxPlan(info: Pick<MediaInfo, 'videoCodec' | 'audioCodec'>): RemuxPlan {
  const audio = info.audioCodec === null ? 'none' : COPY_AUDIO.has(info.audioCodec) ? 'copy' : 'aac';
  return { copyVideo: COPY_VIDEO.has(info.videoCodec), audio };
}

/**
 * ffmpeg argv turning a camera's mkv/avi/ts/mov into an mp4 (index first, for browsers). The
 * input is the drop handed over as stdin, read only by the demuxer the probe chose from the
 * allow-list. Bitexact flags make the output a pure function of the input, so the same file
 * dropped twice hashes the same after remuxing and the duplicate check still catches it.
 */
export function remuxArgs(demuxer: string, output: string, plan: RemuxPlan): string[] {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', ...containedInputArgs(ALLOWED_DEMUXERS, demuxer), '-map', '0:v:0'];
  if (plan.audio !== 'none') args.push('-map', '0:a:0');
  // One thread and ultrafast: a fallback for rare codecs on a Pi that is also recording.
  args.push(...(plan.copyVideo ? ['-c:v', 'copy'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-threads', '1']));
  if (plan.audio === 'copy') args.push('-c:a', 'copy');
  if (plan.audio === 'aac') args.push('-c:a', 'aac', '-b:a', '64k', '-flags:a', '+bitexact');
  if (!plan.copyVideo) args.push('-flags:v', '+bitexact');
  args.push('-sn', '-dn', '-fflags', '+bitexact', '-movflags', '+faststart', '-f', 'mp4', '-y', output);
  return args;
}

/**
 * Remux (or, for codecs an mp4 cannot carry, transcode) the open file `inputFd` into `output`;
 * throws MEDIA_FAILED, also when the probed format is not on the allow-list.
 */
export async function remuxToMp4(inputFd: number, output: string, info: MediaInfo, signal?: AbortSignal): Promise<RemuxPlan> {
  const demuxer = allowedDemuxer(info.format);
  if (!demuxer) throw new AppError('MEDIA_FAILED', `the format ${info.format || '(unknown)'} is not one clipgate reads`);
  const plan = remuxPlan(info);
  // A full re-encode of a long clip on a Pi takes a while; a copy takes seconds.
  const timeoutMs = plan.copyVideo ? 120_000 : Math.max(300_000, info.durationMs * 4);
  await runMediaChecked('ffmpeg', remuxArgs(demuxer, output, plan), { timeoutMs, signal, stdin: inputFd });
  return plan;
}
