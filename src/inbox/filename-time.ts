/**
 * Start time of a camera-made clip, read from its file name. Cameras that drop clips on an
 * FTP/SMB share name them after the recording start in the camera's own clock, almost always
 * local time without a zone: `20261129123045.mp4` (many OEM firmwares),
 * `2026-11-29_12-30-45.mkv`, `RecM01_20261129_123045_123100_...mp4` (Reolink),
 * `ch01_20261129-123045.avi` (Hikvision-like). A `Z` right after the seconds means UTC.
 * Anything that does not parse to a plausible instant returns undefined and the caller falls
 * back to the file's mtime.
 */

// Date and time, each with one optional separator used consistently inside the date and
// inside the time; the digits must not be part of a longer number.
const STAMP =
  /(?<!\d)((?:19|20)\d{2})([-_.]?)(\d{2})\2(\d{2})(?:[T_ -]|(?=\d))(\d{2})([-_.:]?)(\d{2})\6(\d{2})(?:[.,](\d{1,3}))?(Z)?(?!\d)/;

/** How far a parsed time may lie ahead of now (camera clock drift, time zones) before it is distrusted. */
const MAX_FUTURE_MS = 36 * 3600_000;

export interface ParsedStart {
  at: Date;
  /** True when the name carried a `Z`; otherwise the digits were taken as local time. */
  utc: boolean;
}

export function parseFilenameTime(fileName: string, now: number): ParsedStart | undefined {
  const m = STAMP.exec(fileName);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[3], m[4], m[5], m[7], m[8]].map(Number) as [number, number, number, number, number, number];
  const ms = m[9] ? Number(m[9].padEnd(3, '0')) : 0;
  if (!validParts(year, month, day, hour, minute, second)) return undefined;
  const utc = m[10] === 'Z';
  const at = utc
    ? new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms))
    : new Date(year, month - 1, day, hour, minute, second, ms);
  // Date rolls 2026-02-31 over into March; a rolled date is not what the camera meant.
  const dayOk = utc ? at.getUTCDate() === day : at.getDate() === day;
  if (!dayOk || Number.isNaN(at.getTime())) return undefined;
  if (at.getTime() > now + MAX_FUTURE_MS) return undefined;
  return { at, utc };
}

function validParts(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return year >= 1990 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
}

/** The clip's start: from the name when it carries a plausible stamp, else the file's mtime. */
export function clipStartTime(fileName: string, mtimeMs: number, now: number): { at: Date; source: 'filename' | 'mtime' } {
  const parsed = parseFilenameTime(fileName, now);
  if (parsed) return { at: parsed.at, source: 'filename' };
  return { at: new Date(mtimeMs), source: 'mtime' };
}
