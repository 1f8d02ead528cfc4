import { cleanLine } from './text.js';

/** How log lines are written: `auto` is readable lines on a terminal and JSON lines anywhere else (journald, files, pipes). */
export type LogFormat = 'auto' | 'pretty' | 'json';

/** `auto` decided for this process: pretty only when stdout is a terminal. */
export function resolveLogFormat(format: LogFormat, stdoutIsTty: boolean): 'pretty' | 'json' {
  if (format === 'auto') return stdoutIsTty ? 'pretty' : 'json';
  return format;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export function useColour(stdoutIsTty: boolean, env: NodeJS.ProcessEnv): boolean {
  return stdoutIsTty && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: '\u001b[90m' },
  20: { name: 'DEBUG', colour: '\u001b[34m' },
  30: { name: 'INFO ', colour: '\u001b[32m' },
  40: { name: 'WARN ', colour: '\u001b[33m' },
  50: { name: 'ERROR', colour: '\u001b[31m' },
  60: { name: 'FATAL', colour: '\u001b[1;35m' },
};
const RESET = '\u001b[0m';
const DIM = '\u001b[2m';
const CYAN = '\u001b[36m';

/** Fields shown in the line's fixed columns (or never shown): the rest become `key=value`. */
const FIXED = new Set(['level', 'time', 'name', 'msg', 'module', 'camera', 'pid', 'hostname', 'err']);
/** A field's value longer than this is cut (a peer's 10 kB answer must not flood the terminal). */
const MAX_VALUE = 240;

export interface PrettyOptions {
  colour: boolean;
  /** The logger writes debug lines: an error's first stack frame is added to its line. */
  debug: boolean;
}

function two(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** HH:MM:SS.mmm in the machine's local time: what a person compares with the clock on the wall. */
function localTime(value: unknown): string {
  const d = new Date(typeof value === 'string' || typeof value === 'number' ? value : Date.now());
  if (Number.isNaN(d.getTime())) return '??:??:??.???';
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${two(d.getMilliseconds(), 3)}`;
}

/** A value as it reads after `key=`: bare when it can be, else JSON-quoted; no control characters either way. */
function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    const s = cleanLine(value);
    text = s === '' || /[\s="\\]/.test(s) ? JSON.stringify(s) : s;
  } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    text = String(value);
  } else {
    // Parsed from JSON, so nothing else reaches here but arrays and objects (JSON.stringify never returns undefined for them).
    text = cleanLine(JSON.stringify(value) ?? '');
  }
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** Nested objects one level deep become `req.method=GET`; deeper ones stay compact JSON. */
function pairs(record: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (FIXED.has(key) || value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) out.push(`${key}.${inner}=${show(v)}`);
    } else {
      out.push(`${key}=${show(value)}`);
    }
  }
  return out;
}

/** `err="message"` (with its code), plus where it was thrown when the log is at debug. */
function errorPart(err: unknown, debug: boolean): string[] {
  if (err === undefined || err === null) return [];
  if (typeof err !== 'object') return [`err=${show(err)}`];
  const e = err as { message?: unknown; code?: unknown; stack?: unknown };
  const out = [`err=${show(typeof e.message === 'string' ? e.message : JSON.stringify(err))}`];
  if (typeof e.code === 'string' || typeof e.code === 'number') out.push(`code=${show(e.code)}`);
  if (debug && typeof e.stack === 'string') {
    const frame = e.stack.split('\n').find((l) => /^\s*at /.test(l));
    if (frame) out.push(`at=${show(frame.trim().replace(/^at /, ''))}`);
  }
  return out;
}

/**
 * One pino JSON record as one readable line:
 * `14:03:07.412 WARN  recorder/front-door segment late gapMs=2100`.
 * Text from peers (a camera's error, a file name) is shown without control characters, so a
 * hostile string cannot move the cursor or recolour the terminal.
 */
export function prettyLine(record: Record<string, unknown>, opts: PrettyOptions): string {
  const level = LEVELS[typeof record.level === 'number' ? record.level : 30] ?? { name: String(record.level).toUpperCase().padEnd(5), colour: '' };
  // A line without a module comes from the daemon itself (`clipgate started`): it shows the logger's name.
  const where = [record.module, record.camera].filter((v): v is string => typeof v === 'string' && v !== '').map(cleanLine).join('/') ||
    (typeof record.name === 'string' ? cleanLine(record.name) : '-');
  const message = typeof record.msg === 'string' ? cleanLine(record.msg) : '';
  const rest = [...errorPart(record.err, opts.debug), ...pairs(record)].join(' ');
  const time = localTime(record.time);
  if (!opts.colour) return [time, level.name, where, message, rest].filter((p) => p !== '').join(' ') + '\n';
  return [`${DIM}${time}${RESET}`, `${level.colour}${level.name}${RESET}`, `${CYAN}${where}${RESET}`, message, rest ? `${DIM}${rest}${RESET}` : '']
    .filter((p) => p !== '')
    .join(' ') + '\n';
}
