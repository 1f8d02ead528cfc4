// Real media for the review integration tests: clips made by ffmpeg, SSIM measured by ffmpeg.
import { runChecked, runProcess } from '../../support/index.js';
import type { PixelRect } from '../../../src/media/export-args.js';

/** A 1080p clip with moving detail (testsrc2 + grid) and a tone, keyframe every `gopSeconds`, like a camera's stream. */
export async function makeClip(file: string, opts: { seconds?: number; fps?: number; gopSeconds?: number; audio?: boolean; size?: string } = {}): Promise<void> {
  const fps = opts.fps ?? 15;
  const seconds = opts.seconds ?? 6;
  // A fine grid over the moving pattern gives every area the high-frequency detail a face or a
  // plate has; flat test-pattern colour would look "similar" to any blur and prove nothing.
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${opts.size ?? '1920x1080'}:rate=${fps},drawgrid=w=12:h=12:t=2:c=black@0.8`];
  if (opts.audio !== false) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(fps * (opts.gopSeconds ?? 2)), '-pix_fmt', 'yuv420p');
  if (opts.audio !== false) args.push('-c:a', 'aac');
  // Identifying metadata a camera or an earlier tool might leave behind; the export must drop all of it.
  args.push('-metadata', 'creation_time=2026-11-29T11:00:00Z', '-metadata', 'comment=front door', '-metadata', 'location=+35.3700-119.0200/', '-metadata', 'title=home', file);
  await runChecked('ffmpeg', args, { timeoutMs: 120_000 });
}

/** SSIM ("All") of the same rectangle cropped from two videos, over every frame. */
export async function cropSsim(a: string, b: string, r: PixelRect): Promise<number> {
  const crop = `crop=${r.w}:${r.h}:${r.x}:${r.y}`;
  const res = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-i', a, '-i', b, '-filter_complex', `[0:v]${crop}[a];[1:v]${crop}[b];[a][b]ssim`, '-f', 'null', '-'], { timeoutMs: 120_000 });
  const m = /SSIM .*All:([0-9.]+)/.exec(res.stderr);
  if (res.code !== 0 || !m?.[1]) throw new Error(`ssim failed: ${res.stderr.slice(-500)}`);
  return Number(m[1]);
}

/** Count decoded video frames. */
export async function frameCount(file: string): Promise<number> {
  const r = await runChecked('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
  return Number(r.stdout.trim());
}

/** Tags that identify nothing (container brand, track handler/language) are all an export may carry. */
export const ALLOWED_FORMAT_TAGS = ['major_brand', 'minor_version', 'compatible_brands'];
export const ALLOWED_STREAM_TAGS = ['language', 'handler_name', 'vendor_id'];
