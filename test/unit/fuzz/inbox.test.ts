import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipStartTime, parseFilenameTime } from '../../../src/inbox/filename-time.js';
import { checkEntry, InboxRejection, isIgnoredName, isWatchable, needsRemux, SUPPORTED_EXTENSIONS } from '../../../src/inbox/rules.js';
import { fuzz } from './settings.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** File names as cameras, uploaders and attackers write them: stamps, separators, dots, junk. */
const PIECES = ['2026', '11', '29', '12', '30', '45', '20261129', '123045', '1989', '2099', '-', '_', '.', ':', 'T', 'Z', ' ', '.mp4', '.MKV', '.ts', '.part', '~', '.', '..', '/', 'RecM01_', 'ch01_', '0', '9', '99', '60', '\u0000', 'é'];
/** Two digits, mostly inside the field's range [min, max] and sometimes anywhere in 00-99. */
const twoDigits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.oneof({ weight: 6, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }) }).map((n) => String(n).padStart(2, '0'));
/** Stamp-shaped names with any digits in each field: valid, impossible (month 13, 25:61) and far future. */
const stampLike = fc
  .tuple(
    fc.constantFrom('', 'cam_', 'x9', '1', 'RecM01_'),
    fc.integer({ min: 1985, max: 2030 }),
    fc.constantFrom('', '-', '_', '.'),
    fc.tuple(twoDigits(1, 12), twoDigits(1, 31), twoDigits(0, 23), twoDigits(0, 59), twoDigits(0, 59)),
    fc.constantFrom('T', '_', ' ', '-', ''),
    fc.constantFrom('', '-', ':', '.'),
    fc.constantFrom('', 'Z', '.5', ',123Z', '.1234'),
    fc.constantFrom('', '.mp4', '7.ts', '_1.mkv'),
  )
  .map(([pre, y, ds, [mo, d, h, mi, sec], j, ts, tail, ext]) => `${pre}${y}${ds}${mo}${ds}${d}${j}${h}${ts}${mi}${ts}${sec}${tail}${ext}`);
const fileName = fc.oneof(
  { weight: 3, arbitrary: stampLike },
  fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) }), { maxLength: 16 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

describe('fuzz: inbox file-name time', () => {
  it('never throws; a parsed time is a valid instant, not in the future, written as ISO 8601', () => {
    let parsedCount = 0;
    fuzz('inbox: file-name times', 2000, fc.property(fileName, fc.integer({ min: 0, max: NOW }), (name, mtime) => {
      const parsed = parseFilenameTime(name, NOW);
      if (parsed) {
        parsedCount++;
        expect(Number.isNaN(parsed.at.getTime())).toBe(false);
        expect(parsed.at.toISOString()).toMatch(ISO);
        expect(parsed.at.getTime()).toBeLessThanOrEqual(NOW + 36 * 3600_000);
        expect(parsed.at.getUTCFullYear()).toBeGreaterThanOrEqual(1989);
      }
      const start = clipStartTime(name, mtime, NOW);
      expect(start.at.toISOString()).toMatch(ISO);
      expect(start.source === 'filename').toBe(parsed !== undefined);
      if (!parsed) expect(start.at.getTime()).toBe(mtime);
    }));
    // The names must reach the parsing branch often enough for the property to mean something.
    expect(parsedCount).toBeGreaterThan(200);
    console.log(`fuzz: inbox: file-name times: ${parsedCount} names parsed to a time`);
  });

  it('reads back any UTC stamp it is given, with any consistent separators', () => {
    const stamp = fc.record({
      at: fc.integer({ min: Date.UTC(1990, 0, 1), max: NOW }),
      dateSep: fc.constantFrom('', '-', '_', '.'),
      join: fc.constantFrom('T', '_', ' ', '-', ''),
      timeSep: fc.constantFrom('', '-', '_', '.', ':'),
      prefix: fc.constantFrom('', 'cam_', 'RecM01_', 'front door '),
      suffix: fc.constantFrom('.mp4', '_123100.mkv', '.ts', ''),
      millis: fc.boolean(),
    });
    fuzz('inbox: UTC stamps read back', 1000, fc.property(stamp, (s) => {
      const iso = new Date(s.at).toISOString();
      const [date = '', time = ''] = iso.slice(0, 19).split('T');
      const ms = iso.slice(20, 23);
      const name = `${s.prefix}${date.replaceAll('-', s.dateSep)}${s.join}${time.replaceAll(':', s.timeSep)}${s.millis ? `.${ms}` : ''}Z${s.suffix}`;
      const parsed = parseFilenameTime(name, NOW);
      expect(parsed?.utc, name).toBe(true);
      expect(parsed?.at.toISOString(), name).toBe(s.millis ? iso : `${iso.slice(0, 19)}.000Z`);
    }));
  });

  it('refuses dates that do not exist instead of rolling them over', () => {
    const bad = fc.tuple(fc.integer({ min: 1990, max: 2025 }), fc.constantFrom(['02', '30'], ['02', '31'], ['04', '31'], ['13', '01'], ['00', '10'], ['06', '00'], ['06', '32']));
    fuzz('inbox: impossible dates', 300, fc.property(bad, ([year, [month, day]]) => {
      expect(parseFilenameTime(`${year}${month}${day}120000Z.mp4`, NOW)).toBeUndefined();
    }));
  });
});

const segment = fc.oneof(fc.constantFrom('..', '.', '', '.hidden', 'a.part', 'clip.mp4', 'x~', 'sub', '.rejected', 'a..b'), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }));

describe('fuzz: inbox file-name rules', () => {
  it('watches only paths inside the inbox whose every part is a plain, finished name', () => {
    const paths = fc.tuple(fc.array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 3 }), fc.array(segment, { maxLength: 4 }));
    let watched = 0;
    fuzz('inbox: watchable paths', 2000, fc.property(paths, ([dirParts, rest]) => {
      const dir = path.join('/', ...dirParts);
      const file = [dir, ...rest].join(path.sep);
      if (!isWatchable(dir, file)) return;
      watched++;
      const rel = path.relative(dir, file);
      expect(path.resolve(file) === path.resolve(dir) || path.resolve(file).startsWith(path.resolve(dir) + path.sep), file).toBe(true);
      for (const part of rel === '' ? [] : rel.split(path.sep)) expect(isIgnoredName(part), file).toBe(false);
    }));
    expect(watched).toBeGreaterThan(200);
  });

  it('passes an entry only when it is a regular file of a supported type within the size limit', () => {
    const facts = fc.record({
      name: fileName,
      isFile: fc.boolean(),
      isDirectory: fc.boolean(),
      isSymbolicLink: fc.boolean(),
      size: fc.oneof(fc.nat({ max: 100 }), fc.maxSafeNat()),
    });
    fuzz('inbox: entry checks', 2000, fc.property(facts, fc.nat({ max: 200 }), (f, max) => {
      const verdict = checkEntry(f, max);
      const ext = path.extname(f.name).toLowerCase();
      if (verdict === undefined) {
        expect(f.isFile && !f.isDirectory && !f.isSymbolicLink && f.size <= max && SUPPORTED_EXTENSIONS.has(ext)).toBe(true);
      } else {
        expect(verdict).toBeInstanceOf(InboxRejection);
        expect(verdict.message.length).toBeGreaterThan(0);
      }
      if (f.isSymbolicLink) expect(verdict?.code).toBe('symlink');
      // Stored byte for byte only when the name says mp4 AND ffprobe found the mov/mp4 demuxer.
      expect(needsRemux(f.name, 'mov,mp4,m4a,3gp,3g2,mj2')).toBe(ext !== '.mp4' && ext !== '.m4v');
      expect(needsRemux(f.name, 'matroska,webm')).toBe(true);
      expect(typeof isIgnoredName(f.name)).toBe('boolean');
    }));
  });
});
