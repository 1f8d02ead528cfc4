import { describe, expect, it } from 'vitest';
import { parseFfmpegVersion } from '../../../src/cli/preflight.js';

describe('parseFfmpegVersion', () => {
  it.each([
    ['ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers', { major: 5, minor: 1 }],
    ['ffmpeg version n6.1.1 Copyright', { major: 6, minor: 1 }],
    ['ffprobe version 4.3.6-0+deb11u1', { major: 4, minor: 3 }],
    ['ffmpeg version N-112345-gabcdef Copyright', undefined],
  ])('%s', (line, expected) => {
    expect(parseFfmpegVersion(line)).toEqual(expected);
  });
});
