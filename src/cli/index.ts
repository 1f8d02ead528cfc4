import { version } from '../core/version.js';
import { addonConfigSpec } from './addon-config.js';
import { UsageError } from './args.js';
import { checkConfigCommand } from './check-config.js';
import { clipsCommand } from './clips.js';
import type { Io } from './context.js';
import { discoverCommand } from './discover.js';
import { ledgerCommand } from './ledger.js';
import { passwdCommand } from './passwd.js';
import { commandHelp, subcommandHelp, usageLine, type CommandSpec } from './spec.js';
import { startCommand } from './start.js';
import { tokenCommand } from './token.js';

/** Every command, in the order `clipgate --help` lists them. Help and parsing both come from these specs. */
export const COMMANDS: readonly CommandSpec[] = [startCommand, checkConfigCommand, passwdCommand, tokenCommand, discoverCommand, clipsCommand, ledgerCommand, addonConfigSpec];

export function helpText(): string {
  const lines = COMMANDS.map((c) => `  clipgate ${usageLine(c)}`);
  return [
    `clipgate ${version()} — privacy-first camera bridge`,
    '',
    'Usage:',
    ...lines,
    '  clipgate --version | --help',
    '',
    'Every command accepts --config FILE (default config/clipgate.yml, or $CLIPGATE_CONFIG).',
    '`clipgate <command> --help` (or `clipgate help <command>`) shows a command and all its options.',
  ].join('\n');
}

function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

const wantsHelp = (args: string[]): boolean => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

/** Help for `clipgate <command> [<subcommand>] --help`. */
function help(command: CommandSpec, rest: string[]): string {
  const sub = command.subcommands?.find((s) => s.name === rest[0]);
  return sub ? subcommandHelp(command, sub) : commandHelp(command);
}

/** Returns the exit code; main.ts is the only place that calls process.exit. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const target = rest[0] === undefined ? undefined : findCommand(rest[0]);
    if (rest[0] !== undefined && !target) {
      io.err(`clipgate: unknown command "${rest[0]}"\n\n${helpText()}`);
      return 2;
    }
    io.out(target ? help(target, rest.slice(1)) : helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    io.err(`clipgate: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    io.out(help(command, rest));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`clipgate ${name}: ${err.message}\nusage: clipgate ${usageLine(command)}\n(\`clipgate ${name} --help\` lists every option)`);
      return 2;
    }
    throw err;
  }
}
