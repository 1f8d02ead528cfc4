import { pino, type Logger, type LevelWithSilent } from 'pino';
import { prettyLine } from './log-format.js';

export type { Logger };

/** `scheme://user:pass@host` → `scheme://user:***@host`, wherever it appears in a log line. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s/:@"'<>]+):([^\s@"'<>/]+)@/gi;

export function maskUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@');
}

/**
 * Known secret values (camera passwords, tokens, MQTT password) registered at start-up. Every
 * log line is scrubbed of them after serialisation, so a secret that slipped into an error
 * message or a child-process stderr line is caught too.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: string | undefined | null): void {
    // Very short values would mask ordinary words; a 1-3 character password is not worth hiding
    // at the cost of unreadable logs, and config validation warns about them anyway.
    if (value && value.length >= 4) {
      this.values.add(value);
      this.values.add(encodeURIComponent(value));
      // As it appears inside a JSON string (a password with a quote or a backslash in it).
      this.values.add(JSON.stringify(value).slice(1, -1));
    }
  }

  scrub(text: string): string {
    let out = maskUrlCredentials(text);
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join('***');
    }
    return out;
  }
}

export interface LoggerOptions {
  level: LevelWithSilent;
  secrets: SecretRegistry;
  /** Where lines go; stdout by default. Tests pass a collector. */
  write?: (line: string) => void;
  /** JSON lines (default), or one readable line per event for a person at a terminal (see log-format.ts). */
  format?: 'json' | 'pretty';
  /** ANSI colours in pretty lines (the caller decides: a terminal, and NO_COLOR not set). */
  colour?: boolean;
}

/** Paths pino blanks out before serialising; the registry scrub is the second line of defence. */
const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/**
 * pino writes into an in-process stream (no worker-thread transport). A pretty line is built from
 * the already scrubbed JSON and scrubbed again as final text, so a secret is masked whichever way
 * it is formatted, and a cut field value can never leave half a secret behind.
 */
function outputStream(opts: LoggerOptions): { write(line: string): void } {
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const scrub = (line: string): string => opts.secrets.scrub(line);
  if (opts.format !== 'pretty') return { write: (line) => write(scrub(line)) };
  const pretty = { colour: opts.colour === true, debug: opts.level === 'debug' || opts.level === 'trace' };
  return {
    write: (line) => {
      const json = scrub(line);
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(json) as Record<string, unknown>;
      } catch {
        write(json);
        return;
      }
      write(scrub(prettyLine(record, pretty)));
    },
  };
}

export function createLogger(opts: LoggerOptions): Logger {
  const stream = outputStream(opts);
  return pino(
    {
      level: opts.level,
      base: { name: 'clipgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '***' },
    },
    stream,
  );
}
