import { describe, expect, it } from 'vitest';
import {
  blockSize, canStreamCopy, copyArgs, encodeArgs, finishArgs, hevcCopyArgs, hevcFinishArgs, parseKeyframes, pixelRect, ProgressParser, redactionGraph, seconds,
  STRIP_CONTAINER, STRIP_METADATA, type ExportSpec,
} from '../../../src/media/export-args.js';

const base: ExportSpec = { input: '/d/clips/a.mp4', videoCodec: 'h264', width: 1920, height: 1080, stripAudio: true, regions: [] };

describe('pixelRect', () => {
  it.each([
    [{ x: 0, y: 0, width: 1, height: 1 }, { x: 0, y: 0, w: 1920, h: 1080 }],
    [{ x: 0.7, y: 0, width: 0.3, height: 0.4 }, { x: 1344, y: 0, w: 576, h: 432 }],
    // odd pixel edges grow outwards to even ones, so the region is never smaller than asked
    [{ x: 0.1, y: 0.1, width: 0.1, height: 0.1 }, { x: 192, y: 108, w: 192, h: 108 }],
    [{ x: 0.0001, y: 0.0001, width: 0.0001, height: 0.0001 }, { x: 0, y: 0, w: 2, h: 2 }],
    [{ x: 0.999, y: 0.999, width: 0.001, height: 0.001 }, { x: 1918, y: 1078, w: 2, h: 2 }],
  ])('%j → %j', (region, rect) => {
    expect(pixelRect(region, 1920, 1080)).toEqual(rect);
  });
});

describe('redactionGraph', () => {
  it('one region: split, crop, shrink to blocks, grow back, overlay', () => {
    expect(redactionGraph([{ x: 0.1, y: 0.1, width: 0.1, height: 0.1 }], 1920, 1080)).toBe(
      '[0:v]split=2[base][c0];[c0]crop=192:108:192:108,scale=4:2:flags=area,scale=192:108:flags=bilinear[r0];[base][r0]overlay=192:108[vout]',
    );
  });

  it('two regions chain their overlays', () => {
    const g = redactionGraph([{ x: 0, y: 0, width: 0.5, height: 0.5 }, { x: 0.5, y: 0.5, width: 0.5, height: 0.5 }], 1920, 1080);
    expect(g).toBe(
      '[0:v]split=3[base][c0][c1];' +
        '[c0]crop=960:540:0:0,scale=11:6:flags=area,scale=960:540:flags=bilinear[r0];' +
        '[c1]crop=960:540:960:540,scale=11:6:flags=area,scale=960:540:flags=bilinear[r1];' +
        '[base][r0]overlay=0:0[o0];[o0][r1]overlay=960:540[vout]',
    );
  });

  it('block size follows the frame height with a floor', () => {
    expect(blockSize(1080)).toBe(45);
    expect(blockSize(360)).toBe(16);
  });
});

describe('argv', () => {
  it('copy: one run, explicit maps, metadata stripped, faststart, progress on fd 3', () => {
    expect(copyArgs({ ...base, trim: { startMs: 2000, endMs: 5500 } }, '/d/exports/.s.tmp.mp4')).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-y',
      '-ss', '2.000', '-i', '/d/clips/a.mp4', '-t', '3.500',
      '-map', '0:v:0', '-an', '-c:v', 'copy', '-sn', '-dn', '-avoid_negative_ts', 'make_zero',
      ...STRIP_METADATA, '-movflags', '+faststart', '-progress', 'pipe:3', '-nostats', '-f', 'mp4', '/d/exports/.s.tmp.mp4',
    ]);
  });

  it('copy keeping audio maps the first audio stream if there is one and re-encodes it', () => {
    const args = copyArgs({ ...base, stripAudio: false }, 'o.mp4');
    expect(args).not.toContain('-an');
    expect(args.join(' ')).toContain('-map 0:v:0 -map 0:a:0? -c:a aac -b:a 128k -c:v copy');
    expect(args).not.toContain('-ss');
  });

  it('encode: redaction graph, libx264, aac when audio is kept, into the intermediate', () => {
    const args = encodeArgs({ ...base, stripAudio: false, regions: [{ x: 0.1, y: 0.1, width: 0.1, height: 0.1 }] }, 'o.mp4.stage1.mp4');
    const text = args.join(' ');
    expect(text).toContain('-filter_complex [0:v]split=2');
    expect(text).toContain('-map [vout] -map 0:a:0? -c:a aac -b:a 128k -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p');
    expect(args.slice(-3)).toEqual(['-f', 'mp4', 'o.mp4.stage1.mp4']);
  });

  it('encode without regions (a frame-exact trim) maps the video directly', () => {
    const args = encodeArgs({ ...base, trim: { startMs: 1234, endMs: 4000 } }, 'x');
    expect(args.join(' ')).toContain('-ss 1.234 -i /d/clips/a.mp4 -t 2.766 -map 0:v:0 -an -c:v libx264');
    expect(args).not.toContain('-filter_complex');
  });

  it('finish: stream copy of everything, metadata stripped again, faststart', () => {
    expect(finishArgs('i.mp4', 'o.mp4')).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', 'i.mp4', '-map', '0', '-c', 'copy', ...STRIP_METADATA, '-movflags', '+faststart', '-f', 'mp4', 'o.mp4',
    ]);
  });

  it('H.265 copy: Annex B with SEI (39, 40) dropped into MPEG-TS, then mp4 with parameter sets only in hvcC, tagged hvc1', () => {
    expect(hevcCopyArgs({ ...base, videoCodec: 'hevc' }, 'o.mp4.stage1.ts')).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', '/d/clips/a.mp4',
      '-map', '0:v:0', '-an', '-c:v', 'copy', '-sn', '-dn', '-avoid_negative_ts', 'make_zero',
      ...STRIP_CONTAINER, '-bsf:v', 'hevc_mp4toannexb,filter_units=remove_types=39|40', '-progress', 'pipe:3', '-nostats', '-f', 'mpegts', 'o.mp4.stage1.ts',
    ]);
    expect(hevcFinishArgs('i.ts', 'o.mp4')).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', 'i.ts', '-map', '0', '-c', 'copy', ...STRIP_CONTAINER,
      '-bsf:v', 'filter_units=remove_types=32|33|34|35|39|40', '-tag:v', 'hvc1', '-movflags', '+faststart', '-f', 'mp4', 'o.mp4',
    ]);
    // Type 6 is an H.264 SEI but an H.265 slice: the H.264 filter must never reach an H.265 stream.
    expect(hevcCopyArgs({ ...base, videoCodec: 'hevc' }, 'x').join(' ')).not.toContain('remove_types=6');
  });

  it('strips every metadata source the spec names', () => {
    const text = STRIP_METADATA.join(' ');
    for (const part of ['-map_metadata -1', '-map_chapters -1', '-fflags +bitexact', '-flags:v +bitexact', '-flags:a +bitexact', 'filter_units=remove_types=6']) {
      expect(text).toContain(part);
    }
  });

  it.each([[0, '0.000'], [1500, '1.500'], [1234.6, '1.235'], [61000, '61.000']])('seconds(%d) = %s', (ms, s) => {
    expect(seconds(ms)).toBe(s);
  });
});

describe('canStreamCopy', () => {
  const kf = [0, 2000, 4000];
  it.each([
    [{ regions: [] }, true],
    [{ regions: [], trim: { startMs: 0, endMs: 3000 } }, true],
    [{ regions: [], trim: { startMs: 2000, endMs: 3000 } }, true],
    [{ regions: [], trim: { startMs: 2030, endMs: 3000 } }, true],
    [{ regions: [], trim: { startMs: 2040, endMs: 3000 } }, false],
    [{ regions: [], trim: { startMs: 1000, endMs: 3000 } }, false],
    [{ regions: [{ x: 0, y: 0, width: 0.1, height: 0.1 }] }, false],
  ])('%j → %s (keyframes every 2 s, 15 fps)', (spec, expected) => {
    expect(canStreamCopy({ ...spec, videoCodec: 'h264' }, kf, 15)).toBe(expected);
  });

  it.each([['h264', true], ['hevc', true], ['mpeg4', false], ['mjpeg', false], ['vp9', false]])('codec %s may be copied: %s (anything else is re-encoded, so no unknown metadata passes)', (codec, expected) => {
    expect(canStreamCopy({ regions: [], videoCodec: codec }, kf, 15)).toBe(expected);
  });
});

describe('parseKeyframes', () => {
  it('keeps keyframe packets only, sorted, in ms', () => {
    expect(parseKeyframes('2.000000,K__\n0.066667,___\n0.000000,K_\n\nN/A,K__\n4.000000,K__\n')).toEqual([0, 2000, 4000]);
  });
});

describe('ProgressParser', () => {
  it('turns out_time_us into whole percents, only when they advance, across chunk boundaries', () => {
    const p = new ProgressParser(10_000);
    expect(p.push('frame=1\nout_time_us=10000')).toBeUndefined();
    expect(p.push('00\nprogress=continue\n')).toBe(10);
    expect(p.push('out_time_us=1000000\n')).toBeUndefined();
    expect(p.push('out_time_us=5500000\nout_time_us=N/A\n')).toBe(55);
    expect(p.push('out_time_us=99000000\n')).toBe(100);
    expect(p.push('progress=end\n')).toBeUndefined();
  });

  it('reports 100 at progress=end', () => {
    const p = new ProgressParser(0);
    expect(p.push('out_time_us=5\nprogress=end\n')).toBe(100);
  });
});
