import Database from 'better-sqlite3';
import { describe, expect, it, afterEach } from 'vitest';
import { createRepos, openDatabase } from '../../../src/db/index.js';
import { canonicalJson, entryHash, GENESIS_HASH, Ledger, verifyChain } from '../../../src/review/ledger.js';
import { makeEnv, type ReviewEnv } from './env.js';

let env: ReviewEnv | undefined;
afterEach(() => env?.cleanup());

/** Five entries written through the real ledger, each in its own transaction. */
function fiveEntries(e: ReviewEnv): void {
  for (let i = 1; i <= 5; i++) {
    e.db.transaction(() => e.ledger.append({ action: i % 2 ? 'approved' : 'rejected', clipId: `c${i}`, shareId: i % 2 ? `s${i}` : null, sha256: 'f'.repeat(64), options: { b: [1, 2], a: i } }, `2026-11-29T12:00:0${i}.000Z`)).immediate();
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
  it('chains entries from the genesis hash and verifies a clean chain', () => {
    env = makeEnv();
    fiveEntries(env);
    const entries = env.ledger.list();
    expect(entries.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    const first = entries[0]!;
    expect(first.hash).toBe(entryHash(GENESIS_HASH, first));
    expect(env.ledger.verify()).toEqual({ ok: true, entries: 5 });
  });

  it('an empty ledger verifies', () => {
    env = makeEnv();
    expect(env.ledger.verify()).toEqual({ ok: true, entries: 0 });
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
  ])('detects %s at the right entry', (_what, sql, firstBad) => {
    env = makeEnv();
    fiveEntries(env);
    env.db.close();
    tamper(env, sql);
    const reopened = makeEnvOn(env);
    const result = reopened.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(firstBad);
    expect(result.reason).toBeTruthy();
  });

  it('an edit that also recomputes the entry hash is caught at the next entry', () => {
    env = makeEnv();
    fiveEntries(env);
    const e3 = env.ledger.list()[2]!;
    const forged = { ...e3, clipId: 'forged' };
    const hash = entryHash(forged.prevHash, forged);
    env.db.close();
    tamper(env, `UPDATE ledger SET clip_id = 'forged', hash = '${hash}' WHERE seq = 3`);
    expect(makeEnvOn(env).verify().firstBadSeq).toBe(4);
  });

  it('a head record that disagrees with the chain is reported', () => {
    const result = verifyChain([], { seq: 2, hash: 'x' });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 1 });
  });
});

/** Verify through the real Ledger on a fresh connection to the (tampered) file, as `clipgate ledger verify` does. */
function makeEnvOn(e: ReviewEnv) {
  return {
    verify() {
      const db = openDatabase(e.dbFile);
      try {
        return new Ledger({ db, repos: createRepos(db) }).verify();
      } finally {
        db.close();
      }
    },
  };
}
