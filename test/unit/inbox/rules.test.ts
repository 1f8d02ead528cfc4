import { describe, expect, it } from 'vitest';
import { remuxArgs, remuxPlan } from '../../../src/inbox/remux.js';
import { allowedDemuxer, checkEntry, isFormatRefusal, isIgnoredName, isWatchable, needsRemux } from '../../../src/inbox/rules.js';

const file = { name: 'a.mp4', isFile: true, isDirectory: false, isSymbolicLink: false, size: 1000 };

describe('inbox rules', () => {
  it.each(['.hidden.mp4', 'clip.mp4.part', 'clip.mp4~', 'clip.tmp', 'CLIP.MP4.FILEPART', 'x.crdownload', ''])('ignores %s until it is renamed', (name) => {
    expect(isIgnoredName(name)).toBe(true);
  });

  it.each(['clip.mp4', 'clip.MKV', 'notes.txt', 'part.mp4'])('looks at %s', (name) => {
    expect(isIgnoredName(name)).toBe(false);
  });

  it('never looks inside .rejected or outside the inbox', () => {
    expect(isWatchable('/in', '/in')).toBe(true);
    expect(isWatchable('/in', '/in/a.mp4')).toBe(true);
    expect(isWatchable('/in', '/in/.rejected')).toBe(false);
    expect(isWatchable('/in', '/in/.rejected/a.mp4')).toBe(false);
    expect(isWatchable('/in', '/other/a.mp4')).toBe(false);
  });

  it.each([
    [{ isSymbolicLink: true, isFile: false }, 'symlink'],
    [{ isDirectory: true, isFile: false }, 'directory'],
    [{ isFile: false }, 'special-file'],
    [{ name: 'snapshot.jpg' }, 'unsupported-type'],
    [{ name: 'noext' }, 'unsupported-type'],
    [{ size: 2001 }, 'too-large'],
  ])('refuses %o as %s', (over, code) => {
    expect(checkEntry({ ...file, ...over }, 2000)?.code).toBe(code);
  });

  it.each(['a.mp4', 'a.MKV', 'a.avi', 'a.ts', 'a.mov', 'a.m4v'])('accepts %s', (name) => {
    expect(checkEntry({ ...file, name }, 2000)).toBeUndefined();
  });

  it('remuxes everything but mp4 that really is mp4', () => {
    const mov = 'mov,mp4,m4a,3gp,3g2,mj2';
    expect(needsRemux('a.mp4', mov)).toBe(false);
    expect(needsRemux('a.M4V', mov)).toBe(false);
    expect(needsRemux('a.mkv', 'matroska,webm')).toBe(true);
    expect(needsRemux('a.mov', mov)).toBe(true);
    // MPEG-TS (or anything else) under an .mp4 name is remuxed, never stored as it is.
    expect(needsRemux('a.mp4', 'mpegts')).toBe(true);
    expect(needsRemux('a.mp4', 'hls')).toBe(true);
  });

  it.each([
    ['mov,mp4,m4a,3gp,3g2,mj2', 'mov'],
    ['matroska,webm', 'matroska'],
    ['mpegts', 'mpegts'],
    ['avi', 'avi'],
    ['h264', 'h264'],
    ['hevc', 'hevc'],
    ['hls', undefined],
    ['concat', undefined],
    ['image2', undefined],
    ['mp4', undefined],
    ['', undefined],
  ])('the demuxer of format %s is %s on the allow-list', (format, want) => {
    expect(allowedDemuxer(format)).toBe(want);
  });

  it('recognises ffprobe refusing a format outside the allow-list', () => {
    expect(isFormatRefusal("ffprobe failed: [hls @ 0x55] Format not on whitelist 'mov,mpegts'")).toBe(true);
    expect(isFormatRefusal('ffprobe failed: file:/proc/self/fd/0: Invalid data found when processing input')).toBe(false);
  });
});

describe('remux plan and argv', () => {
  it('copies H.264 + AAC without re-encoding', () => {
    const plan = remuxPlan({ videoCodec: 'h264', audioCodec: 'aac' });
    expect(plan).toEqual({ copyVideo: true, audio: 'copy' });
    expect(remuxArgs('matroska', 'out.mp4', plan)).toEqual([
      '-nostdin', '-hide_banner', '-loglevel', 'error',
      '-protocol_whitelist', 'file', '-format_whitelist', 'mov,mpegts,matroska,avi,h264,hevc', '-f', 'matroska', '-i', 'file:/proc/self/fd/0',
      '-map', '0:v:0', '-map', '0:a:0',
      '-c:v', 'copy', '-c:a', 'copy', '-sn', '-dn', '-fflags', '+bitexact', '-movflags', '+faststart', '-f', 'mp4', '-y', 'out.mp4',
    ]);
  });

  it('transcodes only G.711/PCM audio, which mp4 cannot hold', () => {
    const plan = remuxPlan({ videoCodec: 'hevc', audioCodec: 'pcm_alaw' });
    expect(plan).toEqual({ copyVideo: true, audio: 'aac' });
    const args = remuxArgs('avi', 'out.mp4', plan);
    expect(args).toEqual(expect.arrayContaining(['-c:v', 'copy', '-c:a', 'aac']));
  });

  it('re-encodes video only for codecs browsers cannot play, and maps no audio when there is none', () => {
    const plan = remuxPlan({ videoCodec: 'mjpeg', audioCodec: null });
    expect(plan).toEqual({ copyVideo: false, audio: 'none' });
    const args = remuxArgs('avi', 'out.mp4', plan);
    expect(args).toContain('libx264');
    expect(args).not.toContain('0:a:0');
  });
});
