import { renameSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { groupFingerprint, MAX_BUNDLE_BYTES, verifyBundle } from '../ledger/index.js';
import { createReview } from '../review/index.js';
import { parse, UsageError } from './args.js';
import { loadConfigForCommand, type Io } from './context.js';
import { withCore, withCoreAsync } from './db-command.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

const USAGE = 'ledger verify [--bundle FILE [--key FINGERPRINT]] | list | key | export FILE';

export const ledgerCommand = {
  name: 'ledger',
  summary: 'The share ledger: a signed hash chain of every consent, upload, withdrawal, revocation, rejection and deletion, mirrored to ledger.jsonl.',
  flags: {
    ...CONFIG_FLAG,
    bundle: { type: 'string', value: 'FILE', help: 'verify this exported bundle instead of the database (no config or data dir needed)' },
    key: { type: 'string', value: 'FINGERPRINT', help: 'with --bundle: the device key fingerprint you trust' },
  },
  subcommands: [
    { name: 'verify', summary: 'exit 0 when signatures, chain, head, mirror and shares agree, else 1 naming the first bad entry', flags: ['bundle', 'key'] },
    { name: 'list', summary: 'print every entry (seq, time, action, clip, share, hash)' },
    { name: 'key', summary: "print the device's Ed25519 public key and its fingerprint" },
    { name: 'export', args: 'FILE', summary: 'write a self-contained signed bundle of the ledger' },
  ],
  run: (argv, io) => ledger(argv, io),
} satisfies CommandSpec;

/**
 * `clipgate ledger verify | list | key | export FILE`. verify exits 0 when signatures, chain,
 * head, mirror and shares agree, else 1 naming the first bad entry; `verify --bundle FILE`
 * checks an exported bundle with no config, database or data dir at all.
 */
export async function ledger(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, ledgerCommand.flags);
  const [action, file, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(USAGE);
  if (action === 'verify' && values.bundle !== undefined) {
    if (file !== undefined) throw new UsageError(USAGE);
    return verifyBundleFile(path.resolve(io.cwd, values.bundle), values.key, io);
  }
  if (values.bundle !== undefined || values.key !== undefined) throw new UsageError('--bundle and --key go with ledger verify');
  if (action === 'export' ? file === undefined : file !== undefined) throw new UsageError(USAGE);
  if (action !== 'verify' && action !== 'list' && action !== 'key' && action !== 'export') throw new UsageError(USAGE);
  const loaded = loadConfigForCommand(values.config, io);
  if (!loaded.ok) return 1;
  if (action === 'verify') {
    return withCoreAsync(loaded.config, async (core) => {
      const result = await createReview(core).ledger.verify();
      for (const note of result.notes) io.out(`note: ${note}`);
      if (result.ok) {
        io.out(`ledger intact: ${result.entries} entries; signatures, mirror and shares agree`);
        return 0;
      }
      io.out(`ledger BROKEN at entry ${result.firstBadSeq}: ${result.reason ?? 'chain mismatch'} (${result.entries} entries read)`);
      return 1;
    });
  }
  return withCore(loaded.config, (core) => {
    const chain = createReview(core).ledger;
    if (action === 'list') {
      for (const e of chain.list()) io.out([e.seq, e.at, e.action, e.clipId, e.shareId ?? '-', e.exportSha256 ?? '-', e.hash].join('\t'));
      return 0;
    }
    if (action === 'key') {
      const k = chain.keyView();
      io.out(`algorithm:   ${k.algorithm}`);
      io.out(`public key:  ${k.publicKey}`);
      io.out(`fingerprint: ${groupFingerprint(k.fingerprint)}`);
      return 0;
    }
    const target = path.resolve(io.cwd, file ?? '');
    const bundle = chain.exportBundle(core.clock.iso());
    // Whole or not at all: a half-written bundle would fail verification for the wrong reason.
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, bundle, { mode: 0o600 });
    renameSync(temp, target);
    const k = chain.keyView();
    io.out(`exported ${chain.list().length} entries to ${target}`);
    io.out(`device key fingerprint: ${groupFingerprint(k.fingerprint)}`);
    return 0;
  });
}

async function verifyBundleFile(file: string, key: string | undefined, io: Io): Promise<number> {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_BUNDLE_BYTES) {
      io.err(`clipgate: ${file} is ${size} bytes, more than a ledger bundle may be (${MAX_BUNDLE_BYTES})`);
      return 1;
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    io.err(`clipgate: cannot read ${file}: ${(err as Error).message}`);
    return 1;
  }
  const r = await verifyBundle(text, key);
  if (r.fingerprint) io.out(`signed by device key ${groupFingerprint(r.fingerprint)}${key === undefined ? ' (compare it with one you trust, or pass --key)' : ''}`);
  if (r.ok) {
    io.out(`bundle intact: ${r.entries} entries, every signature valid`);
    return 0;
  }
  io.out(`bundle BROKEN${r.firstBadSeq !== undefined ? ` at entry ${r.firstBadSeq}` : ''}: ${r.reason ?? 'unknown'}`);
  return 1;
}
