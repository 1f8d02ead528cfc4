import { describe, expect, it } from 'vitest';
import { clipStartTime, parseFilenameTime } from '../../../src/inbox/filename-time.js';

const NOW = Date.UTC(2026, 11, 1, 0, 0, 0);
/** Local wall time, as the camera meant it (the test runs in whatever TZ the machine has). */
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => new Date(y, mo - 1, d, h, mi, s).getTime();

describe('parseFilenameTime', () => {
  it.each([
    ['20261129123045.mp4', local(2026, 11, 29, 12, 30, 45)],
    ['2026-11-29_12-30-45.mkv', local(2026, 11, 29, 12, 30, 45)],
    ['RecM01_20261129_123045_123100_6A4B000_5F2D1.mp4', local(2026, 11, 29, 12, 30, 45)],
    ['ch01_20261129-123045.avi', local(2026, 11, 29, 12, 30, 45)],
    ['front 2026.11.29 12.30.45.mov', local(2026, 11, 29, 12, 30, 45)],
    ['2026-11-29T12:30:45.mp4', local(2026, 11, 29, 12, 30, 45)],
  ])('reads %s as local time', (name, expected) => {
    const r = parseFilenameTime(name, NOW);
    expect(r?.at.getTime()).toBe(expected);
    expect(r?.utc).toBe(false);
  });

  it('reads a trailing Z as UTC', () => {
    expect(parseFilenameTime('cam_20261129T123045Z.mp4', NOW)?.at.toISOString()).toBe('2026-11-29T12:30:45.000Z');
    expect(parseFilenameTime('20261129123045Z.ts', NOW)?.utc).toBe(true);
  });

  it('keeps milliseconds when the name has them', () => {
    expect(parseFilenameTime('2026-11-29_12-30-45.250Z.mp4', NOW)?.at.toISOString()).toBe('2026-11-29T12:30:45.250Z');
  });

  it.each([
    ['clip.mp4', 'no stamp'],
    ['20261329123045.mp4', 'month 13'],
    ['20260231123045.mp4', 'February 31st rolls over'],
    ['20261129253045.mp4', 'hour 25'],
    ['120261129123045.mp4', 'part of a longer number'],
    ['2026-11-29_12-30.mp4', 'no seconds'],
    ['2026-11_29-12-30-45.mp4', 'mixed date separators'],
    ['20291129123045.mp4', 'years in the future'],
    ['12.30.45-12.31.10[M][0@0][0].mp4', 'time without a date'],
  ])('ignores %s (%s)', (name) => {
    expect(parseFilenameTime(name, NOW)).toBeUndefined();
  });

  it('falls back to the mtime when the name has no plausible stamp', () => {
    const mtime = Date.UTC(2026, 10, 30, 8, 0, 0);
    expect(clipStartTime('doorbell.mp4', mtime, NOW)).toEqual({ at: new Date(mtime), source: 'mtime' });
    expect(clipStartTime('20261129123045.mp4', mtime, NOW).source).toBe('filename');
  });
});
