// The frame source against real ffmpeg: frame k is t = k / fps on the clip's zero-based timeline
// even when the container starts late (stream-copied clips do), letterboxing, abort and bad input.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrames, type TimedFrame } from '../../../src/detect/frames.js';
import { letterbox } from '../../../src/detect/letterbox.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';

let tmp: TempDir;
let clip: string;

beforeAll(async () => {
  tmp = await makeTempDir('cg-detect-frames-');
  clip = path.join(tmp.path, 'red-blue.mp4');
  // 1 s red then 1 s blue, 320×180 at 15 fps, stored with a container start time of 3 s.
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=320x180:r=15:d=1', '-f', 'lavfi', '-i', 'color=c=blue:s=320x180:r=15:d=1',
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-output_ts_offset', '3', clip]);
}, 60_000);

afterAll(async () => tmp?.cleanup());

async function collect(it: AsyncIterable<TimedFrame>): Promise<TimedFrame[]> {
  const out: TimedFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('readFrames', () => {
  it('gives frame k at t = k / fps from the first frame, letterboxed with black below the picture', async () => {
    const start = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', clip], { encoding: 'utf8' }));
    expect(start).toBeGreaterThan(2.9);
    const box = letterbox(320, 180, 64);
    const frames = await collect(readFrames({ file: clip, fps: 10, letterbox: box, threads: 1 }));
    expect(frames).toHaveLength(20);
    expect(frames.map((f) => f.t)).toEqual(Array.from({ length: 20 }, (_, k) => k / 10));
    const colour = (f: TimedFrame): string => {
      const d = f.frame.data;
      return d[0]! > 150 && d[2]! < 100 ? 'red' : d[2]! > 150 && d[0]! < 100 ? 'blue' : 'other';
    };
    expect(frames.map(colour)).toEqual([...Array<string>(10).fill('red'), ...Array<string>(10).fill('blue')]);
    // the padding under the 64×36 picture is black
    const last = frames[19]!.frame.data;
    expect([...last.subarray((63 * 64) * 3, (63 * 64) * 3 + 3)]).toEqual([0, 0, 0]);
    expect(frames[0]!.frame.width).toBe(64);
  });

  it('stops at maxFrames, and an abort ends the decode with the abort error', async () => {
    const box = letterbox(320, 180, 64);
    expect(await collect(readFrames({ file: clip, fps: 10, letterbox: box, threads: 1, maxFrames: 5 }))).toHaveLength(5);
    const ctl = new AbortController();
    const seen: number[] = [];
    const run = async (): Promise<void> => {
      for await (const f of readFrames({ file: clip, fps: 10, letterbox: box, threads: 1, signal: ctl.signal })) {
        seen.push(f.index);
        if (f.index === 2) ctl.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([0, 1, 2]);
  });

  it('a file that is not video is MEDIA_FAILED with ffmpeg\'s reason', async () => {
    const junk = path.join(tmp.path, 'junk.mp4');
    writeFileSync(junk, Buffer.alloc(4096, 7));
    await expect(collect(readFrames({ file: junk, fps: 10, letterbox: letterbox(320, 180, 64), threads: 1 }))).rejects.toMatchObject({ code: 'MEDIA_FAILED', message: expect.stringMatching(/could not decode/) as unknown });
  });
});
