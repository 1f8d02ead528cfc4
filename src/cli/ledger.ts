import { createReview } from '../review/index.js';
import { parse, UsageError } from './args.js';
import { loadConfigForCommand, type Io } from './context.js';
import { withCore } from './db-command.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

export const ledgerCommand = {
  name: 'ledger',
  summary: 'The share ledger: a signed hash chain of every approval, upload, revocation, rejection and deletion.',
  flags: CONFIG_FLAG,
  subcommands: [
    { name: 'verify', summary: 'exit 0 when the hash chain is intact, else 1 naming the first bad entry' },
    { name: 'list', summary: 'print every entry (seq, time, action, clip, share, hash)' },
  ],
  run: (argv, io) => ledger(argv, io),
} satisfies CommandSpec;

/** `clipgate ledger verify | list`: exit 0 when the hash chain is intact, else 1 naming the first bad entry. */
export function ledger(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, ledgerCommand.flags);
  const [action, ...extra] = positionals;
  if ((action !== 'verify' && action !== 'list') || extra.length > 0) throw new UsageError('ledger verify | list');
  const loaded = loadConfigForCommand(values.config, io);
  if (!loaded.ok) return 1;
  return withCore(loaded.config, (core) => {
    const chain = createReview(core).ledger;
    if (action === 'list') {
      for (const e of chain.list()) io.out([e.seq, e.at, e.action, e.clipId, e.shareId ?? '-', e.hash].join('\t'));
      return 0;
    }
    const result = chain.verify();
    if (result.ok) {
      io.out(`ledger intact: ${result.entries} entries`);
      return 0;
    }
    io.out(`ledger BROKEN at entry ${result.firstBadSeq}: ${result.reason ?? 'chain mismatch'} (${result.entries} entries read)`);
    return 1;
  });
}
