import { pino, type Logger, type LevelWithSilent } from 'pino';

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

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const stream = { write: (line: string) => write(opts.secrets.scrub(line)) };
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
