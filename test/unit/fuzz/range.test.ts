import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/web/range.js';
import { fuzz } from './settings.js';

/** Sizes of real files: empty, tiny, typical clips, and up to the largest safe integer. */
const size = fc.oneof(fc.constantFrom(0, 1, 2), fc.nat({ max: 10_000 }), fc.maxSafeNat());

/** Digits as a client might send them: small, huge, with leading zeros, or longer than any number. */
const digits = fc.oneof(fc.nat({ max: 20_000 }).map(String), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), fc.stringMatching(/^0{0,5}\d{0,25}$/));

const rangeLike = fc
  .tuple(
    fc.constantFrom('bytes', 'Bytes', 'BYTES', 'items', 'bytes ', ' bytes', ''),
    fc.constantFrom('=', ' = ', '', ':'),
    fc.array(fc.tuple(fc.option(digits), fc.constantFrom('-', '--', '', ' - '), fc.option(digits)), { minLength: 1, maxLength: 3 }),
    fc.constantFrom(',', ', ', ';'),
    fc.constantFrom('', ' ', '\t', '\n', 'x'),
  )
  .map(([unit, eq, specs, sep, tail]) => `${unit}${eq}${specs.map(([a, dash, b]) => `${a ?? ''}${dash}${b ?? ''}`).join(sep)}${tail}`);

describe('fuzz: HTTP Range parser', () => {
  it('never throws, and a partial answer always lies inside the file', () => {
    const header = fc.oneof(rangeLike, fc.string({ unit: 'binary', maxLength: 40 }), fc.constant(undefined));
    fuzz('range: random headers', 2000, fc.property(header, size, (h, n) => {
      const r = parseRange(h, n);
      expect(['full', 'partial', 'unsatisfiable']).toContain(r.kind);
      if (r.kind !== 'partial') return;
      expect(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end)).toBe(true);
      expect(r.start).toBeGreaterThanOrEqual(0);
      expect(r.start).toBeLessThanOrEqual(r.end);
      expect(r.end).toBeLessThan(n);
    }));
  });

  it('serves exactly the bytes a well-formed single range asks for', () => {
    const request = size.filter((n) => n > 0).chain((n) => fc.tuple(fc.constant(n), fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })));
    fuzz('range: bytes=a-b inside the file', 1000, fc.property(request, ([n, x, y]) => {
      const [a, b] = x <= y ? [x, y] : [y, x];
      expect(parseRange(`bytes=${a}-${b}`, n)).toEqual({ kind: 'partial', start: a, end: b });
      expect(parseRange(`bytes=${a}-`, n)).toEqual({ kind: 'partial', start: a, end: n - 1 });
      expect(parseRange(`bytes=-${b + 1}`, n)).toEqual({ kind: 'partial', start: n - b - 1, end: n - 1 });
      expect(parseRange(`bytes=${n}-`, n)).toEqual({ kind: 'unsatisfiable' });
    }));
  });
});
