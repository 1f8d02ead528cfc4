import path from 'node:path';
import { loadConfigFile, resolveConfigPath } from '../config/load.js';
import { parse } from './args.js';
import type { Io } from './context.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

export const checkConfigCommand = {
  name: 'check-config',
  summary: 'Validate the config; exit 0, or exit 1 printing every error as `path.to.key: message`.',
  args: '[FILE]',
  flags: CONFIG_FLAG,
  run: (argv, io) => checkConfig(argv, io),
} satisfies CommandSpec;

/** `clipgate check-config [--config FILE]`: exit 0 when valid, else 1 with every error on its own line. */
export function checkConfig(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, checkConfigCommand.flags);
  // `check-config FILE` is accepted too, since that is how people type it.
  const file = path.resolve(io.cwd, values.config ?? positionals[0] ?? resolveConfigPath(undefined, io.env));
  const result = loadConfigFile(file, io.env);
  if (!result.ok) {
    for (const line of result.errors) io.out(line);
    io.err(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
    return 1;
  }
  io.out(`${file}: ok (${result.config.cameras.length} camera${result.config.cameras.length === 1 ? '' : 's'})`);
  return 0;
}
