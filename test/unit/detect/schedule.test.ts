import { describe, expect, it } from 'vitest';
import { onSchedule } from '../../../src/detect/analyse.js';
import { frameArgs } from '../../../src/detect/frames.js';
import { letterbox } from '../../../src/detect/letterbox.js';
import { parseWorkerConfig } from '../../../src/detect/protocol.js';

describe('frame source argv', () => {
  it('decodes the first video stream only, at the analysis rate from t=0, letterboxed, as raw RGB on stdout', () => {
    expect(frameArgs({ file: '/d/clips/a b.mp4', fps: 10, letterbox: letterbox(1920, 1080, 512), threads: 1 })).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-threads', '1', '-i', '/d/clips/a b.mp4',
      '-map', '0:v:0', '-an', '-sn', '-dn', '-filter_threads', '1',
      '-vf', 'fps=fps=10:start_time=0,scale=512:288:flags=area,pad=512:512:0:0:black',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ]);
  });

  it('caps the number of frames when asked', () => {
    const args = frameArgs({ file: 'x.mp4', fps: 1, letterbox: letterbox(640, 480, 256), threads: 2, maxFrames: 3601 });
    expect(args.slice(args.indexOf('-frames:v'), args.indexOf('-frames:v') + 2)).toEqual(['-frames:v', '3601']);
    expect(args.slice(4, 6)).toEqual(['-threads', '2']);
  });
});

describe('model schedules on a shared decode', () => {
  const hits = (decodeFps: number, fps: number, n: number): number[] => Array.from({ length: n }, (_, k) => k).filter((k) => onSchedule(k, decodeFps, fps));
  it.each([
    [10, 10, 12, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]],
    [10, 1, 25, [0, 10, 20]],
    [10, 2, 12, [0, 5, 10]],
    [10, 3, 10, [0, 4, 7]],
    [10, 0, 5, []],
    [5, 10, 3, [0, 1, 2]],
  ])('decode %i fps, model at %i fps', (decodeFps, fps, n, expected) => {
    expect(hits(decodeFps, fps, n)).toEqual(expected);
  });
});

describe('worker config', () => {
  it('takes sane values and defaults the rest', () => {
    expect(parseWorkerConfig(JSON.stringify({ threads: 2, labels: false, faceModelFile: '/m.onnx' }))).toEqual({ threads: 2, labels: false, faceModelFile: '/m.onnx' });
    expect(parseWorkerConfig(undefined)).toEqual({ threads: 1, labels: true });
    expect(parseWorkerConfig(JSON.stringify({ threads: 0 })).threads).toBe(1);
    expect(parseWorkerConfig(JSON.stringify({ threads: 'many' })).threads).toBe(1);
  });
});
