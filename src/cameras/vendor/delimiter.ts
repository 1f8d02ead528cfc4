/**
 * Byte-level framing of the multipart event streams: where a delimiter line starts and ends, and
 * which bytes around a part are only line breaks. Pure functions over the parser's queued bytes;
 * each call looks at each byte a bounded number of times.
 */

export const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
/** How far past a delimiter we look for its line end before deciding it was not one. */
export const MAX_DELIMITER_TAIL = 128;

export type Found = { kind: 'found'; at: number; next: number; close: boolean } | { kind: 'more'; at: number } | { kind: 'none' };

/**
 * First delimiter line starting in [from, limit) of `view`: `delimiter` at a line start, then an
 * optional `--` (the closing delimiter), blanks and the line end. `frontStartsLine` says whether
 * view[0] starts a line (what came before it is gone from the view). `more` means the line may
 * still be one once more bytes arrive.
 */
export function findDelimiter(view: Buffer, delimiter: Buffer, from: number, limit: number, frontStartsLine: boolean): Found {
  for (let at = view.indexOf(delimiter, from); at >= 0 && at < limit; at = view.indexOf(delimiter, at + 1)) {
    if (at > 0 ? view[at - 1] !== LF : !frontStartsLine) continue;
    const line = delimiterLine(view, at + delimiter.length);
    if (line === 'more') return { kind: 'more', at };
    if (line) return { kind: 'found', at, ...line };
  }
  return { kind: 'none' };
}

/** The rest of a delimiter line from `i` (just past the delimiter): where the next line starts, and whether it closed the stream. */
function delimiterLine(view: Buffer, i: number): { next: number; close: boolean } | 'more' | undefined {
  const end = Math.min(view.length, i + MAX_DELIMITER_TAIL);
  if (i + 1 >= view.length) return 'more';
  const close = view[i] === DASH && view[i + 1] === DASH;
  if (close) i += 2;
  for (; i < end; i++) {
    const c = view[i];
    if (c === LF) return { next: i + 1, close };
    if (c !== CR && c !== 0x20 && c !== 0x09) return undefined;
  }
  return end === view.length ? 'more' : undefined;
}

/** How many bytes at the front of `view` are blanks or line breaks. */
export function leadingBlanks(view: Buffer): number {
  let i = 0;
  while (i < view.length && isBlankByte(view[i])) i++;
  return i;
}

export function isBlank(view: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isBlankByte(view[i])) return false;
  return true;
}

function isBlankByte(c: number | undefined): boolean {
  return c === CR || c === LF || c === 0x20 || c === 0x09;
}

/** A part body without the line break that belongs to the delimiter after it. */
export function trimLineBreak(body: Buffer): Buffer {
  let end = body.length;
  if (end > 0 && body[end - 1] === LF) end--;
  if (end > 0 && body[end - 1] === CR) end--;
  return body.subarray(0, end);
}
