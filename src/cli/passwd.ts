import { SETTING } from '../db/repos/settings.js';
import { hashPassword, validatePasswordStrength } from '../web/auth/password.js';
import { parse } from './args.js';
import { loadConfigForCommand, type Io } from './context.js';
import { withCore } from './db-command.js';
import { readPassword } from './read-secret.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

export const passwdCommand = {
  name: 'passwd',
  summary: 'Set the owner password (at least 10 characters): one line from stdin when it is not a terminal, else asked twice. Signs out every session.',
  flags: CONFIG_FLAG,
  run: (argv, io) => passwd(argv, io),
} satisfies CommandSpec;

/** `clipgate passwd`: set the owner password; every existing session is signed out. */
export async function passwd(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, passwdCommand.flags);
  const loaded = loadConfigForCommand(values.config, io);
  if (!loaded.ok) return 1;
  const password = await readPassword(io);
  if (password === undefined) {
    io.err('clipgate: no password given');
    return 1;
  }
  const weak = validatePasswordStrength(password);
  if (weak) {
    io.err(`clipgate: ${weak}`);
    return 1;
  }
  const hash = await hashPassword(password);
  const signedOut = withCore(loaded.config, ({ repos }) => {
    repos.settings.set(SETTING.ownerPasswordHash, hash);
    repos.settings.delete(SETTING.setupCodeHash);
    return repos.sessions.deleteAll();
  });
  io.out(`owner password set${signedOut > 0 ? `; ${signedOut} session(s) signed out` : ''}`);
  return 0;
}
