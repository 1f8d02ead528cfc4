import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { cleanLine, cleanMultiline } from '../../../src/core/text.js';

const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];
const C0 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\t' && c !== '\n' && c !== '\r');
const C1 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i));

describe('text sanitiser', () => {
  it.each([...BIDI, ...C0, ...C1, '\u007F'].map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, c]))('removes %s', (_name, c) => {
    expect(cleanLine(`a${c}b`)).toBe('ab');
    expect(cleanMultiline(`a${c}b`)).toBe('ab');
  });

  it.each<[string, string, string, string]>([
    ['a right-to-left override caption', 'Parcel \u202Egpj.exe\u202C taken', 'Parcel gpj.exe taken', 'Parcel gpj.exe taken'],
    ['line breaks of every kind', 'one\r\ntwo\rthree\u2028four\u2029five', 'one two three four five', 'one\ntwo\nthree\nfour\nfive'],
    ['tabs', 'a\tb', 'a b', 'a\tb'],
    ['an ANSI escape', 'red\u001b[31m!', 'red[31m!', 'red[31m!'],
    ['surrounding space', '  x  ', 'x', 'x'],
    ['an emoji with a zero-width joiner (kept)', 'family 👨\u200D👩\u200D👧', 'family 👨\u200D👩\u200D👧', 'family 👨\u200D👩\u200D👧'],
    ['accented and right-to-left letters (kept)', 'Café שלום', 'Café שלום', 'Café שלום'],
  ])('%s', (_what, input, line, multi) => {
    expect(cleanLine(input)).toBe(line);
    expect(cleanMultiline(input)).toBe(multi);
  });

  it('camera names from the config are cleaned, and a name of only control characters is an error', () => {
    const cfg = configSchema.parse({ cameras: [{ id: 'gate', name: 'Gate\u202E kcab\u0000', simulated: {} }] });
    expect(cfg.cameras[0]?.name).toBe('Gate kcab');
    const bad = configSchema.safeParse({ cameras: [{ id: 'gate', name: '\u202E\u200F', simulated: {} }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['cameras', 0, 'name']);
  });
});
