// The tampering table of issue 18: each way someone with access to the data dir might rewrite the
// history, and the seq at which `clipgate ledger verify` (the real command, on the real files)
// reports it. The ledger is written by the real review service; tampering goes through a separate
// SQLite connection and plain file writes, as an attacker's would.
import Database from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import { runCli } from '../../../src/cli/index.js';
import { entryLine, mirrorPath, signEntryHash } from '../../../src/ledger/index.js';
import { makeEnv, type ReviewEnv } from '../review/env.js';
import { writeHistory } from './history.js';

let env: ReviewEnv | undefined;
afterEach(() => env?.cleanup());

interface Files {
  db: Database.Database;
  mirror: string;
}

function sqlTamper(sql: string): (f: Files) => void {
  return (f) => f.db.exec(sql);
}

/** Rewrite one mirror line with `edit` applied to its entry object. */
function mirrorLine(seq: number, edit: (e: Record<string, unknown>) => void): (f: Files) => void {
  return (f) => {
    const lines = readFileSync(f.mirror, 'utf8').split('\n');
    const e = JSON.parse(lines[seq - 1] ?? '{}') as Record<string, unknown>;
    edit(e);
    lines[seq - 1] = JSON.stringify(e);
    writeFileSync(f.mirror, lines.join('\n'));
  };
}

const SWAP_2_5 = ['at', 'action', 'clip_id', 'share_id', 'sha256', 'export_sha256', 'request_id', 'options_json', 'prev_hash', 'hash', 'signature']
  .map((c) => `${c} = (SELECT ${c} FROM t WHERE t.seq = CASE ledger.seq WHEN 2 THEN 5 ELSE 2 END)`)
  .join(', ');

/** An entry re-signed by a key that is not the device's: everything else (hash, chain, mirror) made consistent. */
function forgeSignature(seq: number): (f: Files) => void {
  return (f) => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const row = f.db.prepare('SELECT hash FROM ledger WHERE seq = ?').get(seq) as { hash: string };
    const sig = signEntryHash(other, row.hash);
    f.db.prepare('UPDATE ledger SET signature = ? WHERE seq = ?').run(sig, seq);
    mirrorLine(seq, (e) => {
      e.signature = sig;
    })(f);
    // The mirror holds canonical lines; keep the forged one canonical too, so only the signature is wrong.
    const lines = readFileSync(f.mirror, 'utf8').split('\n');
    lines[seq - 1] = entryLine(JSON.parse(lines[seq - 1] ?? '{}') as never);
    writeFileSync(f.mirror, lines.join('\n'));
  };
}

const CASES: { what: string; tamper: (f: Files) => void; seq: number }[] = [
  { what: 'edit a row (clip id of entry 4)', tamper: sqlTamper("UPDATE ledger SET clip_id = 'someone-else' WHERE seq = 4"), seq: 4 },
  { what: 'delete a middle row (entry 4)', tamper: sqlTamper('DELETE FROM ledger WHERE seq = 4'), seq: 4 },
  { what: 'swap two rows (entries 2 and 5)', tamper: sqlTamper(`CREATE TEMP TABLE t AS SELECT * FROM ledger WHERE seq IN (2, 5); UPDATE ledger SET ${SWAP_2_5} WHERE seq IN (2, 5);`), seq: 2 },
  { what: 'drop the tail (7, 8), head intact', tamper: sqlTamper('DELETE FROM ledger WHERE seq >= 7'), seq: 7 },
  { what: 'drop the tail (7, 8) and delete the head row', tamper: sqlTamper("DELETE FROM ledger WHERE seq >= 7; DELETE FROM settings WHERE key = 'ledger.head'"), seq: 7 },
  {
    what: 'drop the tail (7, 8), rewrite the head to entry 6',
    tamper: sqlTamper("DELETE FROM ledger WHERE seq >= 7; UPDATE settings SET value = (SELECT json_object('seq', seq, 'hash', hash) FROM ledger WHERE seq = 6) WHERE key = 'ledger.head'"),
    seq: 7,
  },
  { what: 'delete the whole ledger and head (uploaded shares exist)', tamper: sqlTamper("DELETE FROM ledger; DELETE FROM settings WHERE key = 'ledger.head'"), seq: 1 },
  {
    what: '…and the mirror and its record too',
    tamper: (f) => {
      sqlTamper("DELETE FROM ledger; DELETE FROM settings WHERE key IN ('ledger.head', 'ledger.mirror')")(f);
      rmSync(f.mirror);
    },
    seq: 2,
  },
  { what: 'edit the JSONL mirror (time of entry 3)', tamper: mirrorLine(3, (e) => (e.at = '2020-01-01T00:00:00.000Z')), seq: 3 },
  { what: 'cut the mirror (last 2 lines)', tamper: (f) => writeFileSync(f.mirror, readFileSync(f.mirror, 'utf8').split('\n').slice(0, 6).join('\n') + '\n'), seq: 7 },
  { what: 'forge a signature (entry 5, another key)', tamper: forgeSignature(5), seq: 5 },
];

function io(cwd: string): Io & { stdout: string[] } {
  const stdout: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stdout.push(l), stdin: Readable.from(['']), env: {}, cwd, stdout };
}

const printed: string[] = [];
afterAll(() => {
  // The table the issue asks to see, as `clipgate ledger verify` reported each case.
  console.log(['tampering                                                  | caught at | clipgate ledger verify', ...printed].join('\n'));
});

describe('clipgate ledger verify catches every tampering at the right entry', () => {
  it('an untouched history of 8 entries is intact', async () => {
    env = makeEnv();
    writeHistory(env);
    const config = path.join(env.dir, 'clipgate.yml');
    writeFileSync(config, `dataDir: ${env.dataDir}\ncacheDir: ${env.dir}/cache\n`);
    const out = io(env.dir);
    expect(await runCli(['ledger', 'verify', '--config', config], out)).toBe(0);
    expect(out.stdout.join('\n')).toMatch(/ledger intact: 8 entries/);
  });

  it.each(CASES)('$what → entry $seq', async ({ what, tamper, seq }) => {
    env = makeEnv();
    writeHistory(env);
    expect(env.ledger.list()).toHaveLength(8);
    const config = path.join(env.dir, 'clipgate.yml');
    writeFileSync(config, `dataDir: ${env.dataDir}\ncacheDir: ${env.dir}/cache\n`);
    env.db.close();
    const db = new Database(env.dbFile);
    try {
      tamper({ db, mirror: mirrorPath(env.dataDir) });
    } finally {
      db.close();
    }
    const out = io(env.dir);
    expect(await runCli(['ledger', 'verify', '--config', config], out)).toBe(1);
    const line = out.stdout.find((l) => l.startsWith('ledger BROKEN')) ?? '';
    printed.push(`${what.padEnd(58)} | ${String(seq).padStart(9)} | ${line}`);
    expect(line).toMatch(new RegExp(`^ledger BROKEN at entry ${seq}: `));
  });
});
