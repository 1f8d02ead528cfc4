import { systemClock } from '../core/clock.js';
import { generateToken, hashToken } from '../web/auth/tokens.js';
import { parse, UsageError } from './args.js';
import { loadConfigForCommand, type Io } from './context.js';
import { withCore } from './db-command.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

export const tokenCommand = {
  name: 'token',
  summary: 'API tokens for automation (Authorization: Bearer). A new token is printed once, alone on the last line, and stored hashed.',
  flags: CONFIG_FLAG,
  subcommands: [
    { name: 'create', args: 'NAME', summary: 'create a token (NAME: 1-64 of A-Z a-z 0-9 . _ -) and print it once' },
    { name: 'list', summary: 'list token names, when each was created and last used' },
    { name: 'revoke', args: 'NAME', summary: 'revoke a token at once' },
  ],
  run: (argv, io) => token(argv, io),
} satisfies CommandSpec;

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** `clipgate token create NAME | list | revoke NAME`. A new token is printed once, alone on the last line. */
export function token(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, tokenCommand.flags);
  const [action, name] = positionals;
  const loaded = loadConfigForCommand(values.config, io);
  if (!loaded.ok) return 1;
  return withCore(loaded.config, ({ repos }) => {
    switch (action) {
      case 'create': {
        if (!name || !NAME.test(name)) throw new UsageError('token create NAME: NAME must be 1-64 of A-Z a-z 0-9 . _ -');
        const value = generateToken();
        if (!repos.tokens.insert(name, hashToken(value), systemClock.iso())) {
          io.err(`clipgate: a token named "${name}" already exists (revoke it first)`);
          return 1;
        }
        io.out(`token "${name}" created; it is shown only this once:`);
        io.out(value);
        return 0;
      }
      case 'list': {
        const rows = repos.tokens.list();
        if (rows.length === 0) io.out('no tokens');
        for (const r of rows) io.out(`${r.name}\tcreated ${r.createdAt}\tlast used ${r.lastUsedAt ?? 'never'}`);
        return 0;
      }
      case 'revoke': {
        if (!name) throw new UsageError('token revoke NAME');
        if (!repos.tokens.delete(name)) {
          io.err(`clipgate: no token named "${name}"`);
          return 1;
        }
        io.out(`token "${name}" revoked`);
        return 0;
      }
      default:
        throw new UsageError('token create NAME | list | revoke NAME');
    }
  });
}
