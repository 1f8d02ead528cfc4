// Test footage with known faces: the group photos shipped in @vladmandic/face-api's npm tarball
// (demo/sample1..6.jpg, 22 faces), turned into moving 1080p clips by ffmpeg with a KNOWN pan, so the
// true box of every face in every frame follows from its box in the still photo.
//
// Geometry of a pan clip: the photo is scaled to `scaledWidth` (aspect kept), and a 1920×1080
// window slides right at a constant speed, `panPx` pixels over the whole clip, at a fixed top `top`.
// A face at photo fractions (fx, fy, fw, fh) sits in frame pixels at
//   x = fx·W − offset(t),  y = fy·H − top,   offset(t) = 2·floor(panPx·t/duration / 2)
// (crop keeps 4:2:0 positions even).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Box } from '../../src/detect/types.js';

export const FRAME_W = 1920;
export const FRAME_H = 1080;

export function samplePhoto(n: number): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', `sample${n}.jpg`);
}

export function photoSize(file: string): { width: number; height: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const [w, h] = out.trim().split(',').map(Number);
  return { width: w!, height: h! };
}

export interface PanClip {
  file: string;
  durationSec: number;
  fps: number;
  scaledWidth: number;
  scaledHeight: number;
  top: number;
  panPx: number;
}

/** Window offset (pixels) at time t, exactly as ffmpeg's crop computes it. */
export function panOffset(clip: PanClip, t: number): number {
  const raw = Math.min(clip.panPx, (clip.panPx * t) / clip.durationSec);
  return Math.floor(raw / 2) * 2;
}

/** A face's true box in frame fractions at time t; `photoBox` is in fractions of the photo. */
export function trueBox(clip: PanClip, photoBox: Box, t: number): Box {
  const x = photoBox.x * clip.scaledWidth - panOffset(clip, t);
  const y = photoBox.y * clip.scaledHeight - clip.top;
  return { x: x / FRAME_W, y: y / FRAME_H, width: (photoBox.width * clip.scaledWidth) / FRAME_W, height: (photoBox.height * clip.scaledHeight) / FRAME_H };
}

export function fullyInside(b: Box): boolean {
  return b.x >= 0 && b.y >= 0 && b.x + b.width <= 1 && b.y + b.height <= 1;
}

/**
 * Encode a pan clip of `photo` (H.264, yuv420p, CRF 18 so the source itself is clean). The window's
 * top is chosen so the band `faceSpan` (top and bottom, fractions of the photo) sits in the middle
 * of the frame; the window starts at the left.
 */
export function buildPanClip(photo: string, out: string, opts: { scale: number; durationSec: number; fps?: number; panPx: number; faceSpan: [number, number] }): PanClip {
  const size = photoSize(photo);
  const scaledWidth = Math.round((FRAME_W * opts.scale) / 2) * 2;
  const scaledHeight = Math.round((size.height * scaledWidth) / size.width / 2) * 2;
  if (scaledHeight < FRAME_H || scaledWidth < FRAME_W + opts.panPx) throw new Error('photo too small for that window and pan');
  const mid = ((opts.faceSpan[0] + opts.faceSpan[1]) / 2) * scaledHeight;
  const top = Math.max(0, Math.min(scaledHeight - FRAME_H, Math.round((mid - FRAME_H / 2) / 2) * 2));
  const fps = opts.fps ?? 15;
  const d = opts.durationSec;
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-framerate', String(fps), '-i', photo,
    '-vf', `scale=${scaledWidth}:${scaledHeight},crop=${FRAME_W}:${FRAME_H}:x='min(${opts.panPx},${opts.panPx}*t/${d})':y=${top},format=yuv420p`,
    '-t', String(d), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', String(fps * 2), '-an', out,
  ]);
  return { file: out, durationSec: d, fps, scaledWidth, scaledHeight, top, panPx: opts.panPx };
}

/** A clip of moving colour bars (ffmpeg testsrc2, like the demo camera): no person in it. */
export function buildBarsClip(out: string, durationSec: number): string {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${FRAME_W}x${FRAME_H}:rate=15`, '-t', String(durationSec),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/** Luma (Y) of the frame nearest t, full size, as one byte per pixel. */
export function lumaAt(file: string, t: number): Uint8Array {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', t.toFixed(3), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 64 << 20 });
}
