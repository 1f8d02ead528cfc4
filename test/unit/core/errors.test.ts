import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES } from '../../../src/core/errors.js';

describe('error codes', () => {
  it('the README lists exactly the codes in ERROR_CODES, with their HTTP status', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.split('<!-- error-codes:start -->')[1]?.split('<!-- error-codes:end -->')[0] ?? '';
    const documented: Record<string, number> = Object.fromEntries([...block.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|$/gm)].map((m): [string, number] => [m[1] ?? '', Number(m[2])]));
    expect(documented).toEqual(ERROR_CODES);
  });

  it('AppError carries code and status', () => {
    const e = new AppError('CLIP_NOT_FOUND', 'no clip x');
    expect(e.status).toBe(404);
    expect(e.code).toBe('CLIP_NOT_FOUND');
  });
});
