import Database from 'better-sqlite3';
import pino from 'pino';
import { describe, expect, it, afterEach } from 'vitest';
import { createRepos, openDatabase } from '../../../src/db/index.js';
import { canonicalJson, entryHash, GENESIS_HASH, Ledger } from '../../../src/ledger/index.js';
import { checkHead } from '../../../src/ledger/chain.js';
import { makeEnv, type ReviewEnv } from '../review/env.js';

let env: ReviewEnv | undefined;
afterEach(() => env?.cleanup());

/** Five entries written through the real ledger, each in its own transaction. */
function fiveEntries(e: ReviewEnv): void {
  for (let i = 1; i <= 5; i++) {
    e.ledger.write(() => e.ledger.append({ action: i % 2 ? 'deleted' : 'rejected', clipId: `c${i}`, shareId: i % 2 ? `s${i}` : null, sha256: 'f'.repeat(64), options: { b: [1, 2], a: i } }, `2026-11-29T12:00:0${i}.000Z`));
  }
}

/** Tamper with the SQLite file through a separate connection, as someone with file access would. */
function tamper(e: ReviewEnv, sql: string): void {
  const raw = new Database(e.dbFile);
  raw.exec(sql);
  raw.close();
}

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: 1, x: [3, { q: 1, p: 2 }] } }, '{"z":{"x":[3,{"p":2,"q":1}],"y":1}}'],
    [{ a: undefined, b: null }, '{"b":null}'],
    [[1, 'x', true, null], '[1,"x",true,null]'],
    ['é"\n', '"é\\"\\n"'],
  ])('%j → %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow();
    expect(() => canonicalJson({ a: () => 1 })).toThrow();
  });
});

describe('ledger', () => {
  it('chains entries from the genesis hash, signs each, and verifies a clean chain', async () => {
    env = makeEnv();
    fiveEntries(env);
    const entries = env.ledger.list();
    expect(entries.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    const first = entries[0]!;
    expect(first.hash).toBe(entryHash(GENESIS_HASH, first));
    expect(first.signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(await env.ledger.verify()).toEqual({ ok: true, entries: 5, notes: [] });
  });

  it('an empty ledger verifies', async () => {
    env = makeEnv();
    expect(await env.ledger.verify()).toEqual({ ok: true, entries: 0, notes: [] });
  });

  it('refuses to append outside a transaction', () => {
    env = makeEnv();
    expect(() => env!.ledger.append({ action: 'approved', clipId: 'c' }, '2026-01-01T00:00:00.000Z')).toThrow(/transaction/);
  });

  it.each([
    ['an edited field', 'UPDATE ledger SET clip_id = \'other\' WHERE seq = 3', 3],
    ['edited options', 'UPDATE ledger SET options_json = \'{"a":4,"b":[1,2,3]}\' WHERE seq = 4', 4],
    ['an edited time', 'UPDATE ledger SET at = \'2020-01-01T00:00:00.000Z\' WHERE seq = 2', 2],
    ['a deleted row', 'DELETE FROM ledger WHERE seq = 3', 3],
    ['the first row deleted', 'DELETE FROM ledger WHERE seq = 1', 1],
    ['the last row deleted', 'DELETE FROM ledger WHERE seq = 5', 5],
    [
      'two swapped rows',
      `CREATE TEMP TABLE t AS SELECT * FROM ledger WHERE seq IN (2, 4);
       UPDATE ledger SET at = (SELECT at FROM t WHERE seq = 4), action = (SELECT action FROM t WHERE seq = 4), clip_id = (SELECT clip_id FROM t WHERE seq = 4),
         share_id = (SELECT share_id FROM t WHERE seq = 4), options_json = (SELECT options_json FROM t WHERE seq = 4),
         prev_hash = (SELECT prev_hash FROM t WHERE seq = 4), hash = (SELECT hash FROM t WHERE seq = 4) WHERE seq = 2;
       UPDATE ledger SET at = (SELECT at FROM t WHERE seq = 2), action = (SELECT action FROM t WHERE seq = 2), clip_id = (SELECT clip_id FROM t WHERE seq = 2),
         share_id = (SELECT share_id FROM t WHERE seq = 2), options_json = (SELECT options_json FROM t WHERE seq = 2),
         prev_hash = (SELECT prev_hash FROM t WHERE seq = 2), hash = (SELECT hash FROM t WHERE seq = 2) WHERE seq = 4;`,
      2,
    ],
    ['swapped seq numbers', 'UPDATE ledger SET seq = 100 WHERE seq = 2; UPDATE ledger SET seq = 2 WHERE seq = 3; UPDATE ledger SET seq = 3 WHERE seq = 100;', 2],
  ])('detects %s at the right entry', async (_what, sql, firstBad) => {
    env = makeEnv();
    fiveEntries(env);
    env.db.close();
    tamper(env, sql);
    const reopened = makeEnvOn(env);
    const result = await reopened.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(firstBad);
    expect(result.reason).toBeTruthy();
  });

  it('an edit that also recomputes the entry hash is caught at that entry (its signature) and the next', async () => {
    env = makeEnv();
    fiveEntries(env);
    const e3 = env.ledger.list()[2]!;
    const forged = { ...e3, clipId: 'forged' };
    const hash = entryHash(forged.prevHash, forged);
    env.db.close();
    tamper(env, `UPDATE ledger SET clip_id = 'forged', hash = '${hash}' WHERE seq = 3`);
    const result = await makeEnvOn(env).verify();
    expect(result).toMatchObject({ ok: false, firstBadSeq: 3 });
    expect(result.reason).toMatch(/signature the device key did not make/);
  });

  it('a head record that disagrees with the chain is reported', () => {
    expect(checkHead([], { seq: 2, hash: 'x' })).toMatchObject({ seq: 1 });
  });
});

/** Verify through the real Ledger on a fresh connection to the (tampered) file, as `clipgate ledger verify` does. */
function makeEnvOn(e: ReviewEnv) {
  return {
    async verify() {
      const db = openDatabase(e.dbFile);
      try {
        return await new Ledger({ db, repos: createRepos(db), dataDir: e.dataDir, log: pino({ level: 'silent' }) }).verify();
      } finally {
        db.close();
      }
    },
  };
}
