import { version } from '../core/version.js';
import { UsageError } from './args.js';
import { checkConfig } from './check-config.js';
import { clips } from './clips.js';
import type { Io } from './context.js';
import { discover } from './discover.js';
import { ledger } from './ledger.js';
import { passwd } from './passwd.js';
import { start } from './start.js';
import { token } from './token.js';

type Command = (argv: string[], io: Io) => number | Promise<number>;

/** Registered commands; later modules add theirs here (discover, ledger, clips). */
export const COMMANDS: Record<string, { run: Command; usage: string }> = {
  start: { run: start, usage: 'start [--config FILE]            run the daemon (demo when no config file exists)' },
  'check-config': { run: checkConfig, usage: 'check-config [--config FILE]     validate the config; exit 1 listing every error' },
  passwd: { run: passwd, usage: 'passwd [--config FILE]           set the owner password (stdin when not a TTY)' },
  token: { run: token, usage: 'token create NAME | list | revoke NAME   API tokens for automation' },
  discover: { run: discover, usage: 'discover [--timeout S] [--target HOST] [--username U]   find ONVIF cameras (password: $CLIPGATE_ONVIF_PASSWORD)' },
  clips: { run: clips, usage: 'clips list [--status S] | approve ID [--keep-audio] [--trim START:END] [--blur x,y,w,h]... [--caption TEXT] [--send] | send ID | cancel ID | reject ID | delete ID | retry ID' },
  ledger: { run: ledger, usage: 'ledger verify [--bundle FILE [--key FP]] | list | key | export FILE   check the signed share ledger (exit 1 at the first bad entry)' },
};

export function helpText(): string {
  const lines = Object.values(COMMANDS).map((c) => `  clipgate ${c.usage}`);
  return [
    `clipgate ${version()} — privacy-first camera bridge`,
    '',
    'Usage:',
    ...lines,
    '  clipgate --version | --help',
    '',
    'Every command accepts --config FILE (default config/clipgate.yml, or $CLIPGATE_CONFIG).',
  ].join('\n');
}

/** Returns the exit code; main.ts is the only place that calls process.exit. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`clipgate: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`clipgate ${name}: ${err.message}\nusage: clipgate ${command.usage}`);
      return 2;
    }
    throw err;
  }
}
