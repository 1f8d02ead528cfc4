// The ledger's mirror (dataDir/ledger.jsonl) and device key: written after the commit under the
// database's write lock, repaired after a crash without rewriting a line, never rebuilt once
// lines were lost; the key created once, 0600, and entries from before it signed exactly once.
import Database from 'better-sqlite3';
import { appendFileSync, chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepos, openDatabase } from '../../../src/db/index.js';
import { deviceKeyPath, entryHash, entryLine, GENESIS_HASH, Ledger, MIRROR_PROBLEM, mirrorPath, readDevicePublicKey, verifyEntrySignature } from '../../../src/ledger/index.js';
import { makeEnv, type ReviewEnv } from '../review/env.js';
import { writeHistory } from './history.js';

let env: ReviewEnv | undefined;
afterEach(() => env?.cleanup());

function mirrorLines(e: ReviewEnv): string[] {
  return readFileSync(mirrorPath(e.dataDir), 'utf8').split('\n').filter((l) => l !== '');
}

describe('ledger mirror', () => {
  it('holds every entry, in order, exactly as the database (canonical lines with signatures); files are 0600', async () => {
    env = makeEnv();
    writeHistory(env);
    const entries = env.ledger.list();
    expect(mirrorLines(env)).toEqual(entries.map(entryLine));
    expect(statSync(mirrorPath(env.dataDir)).mode & 0o777).toBe(0o600);
    expect(statSync(deviceKeyPath(env.dataDir)).mode & 0o777).toBe(0o600);
    expect((await env.ledger.verify()).ok).toBe(true);
  });

  it('a crash between the commit and the mirror append leaves it behind; the next start appends the rest', async () => {
    env = makeEnv();
    writeHistory(env);
    // The commit happened; the process died before write() reached the mirror.
    env.db.transaction(() => env!.ledger.append({ action: 'rejected', clipId: 'late' }, env!.clock.iso())).immediate();
    const behind = await env.ledger.verify();
    expect(behind.ok).toBe(true);
    expect(behind.notes.join(' ')).toMatch(/1 entries behind/);
    const before = readFileSync(mirrorPath(env.dataDir), 'utf8');
    await env.ledger.start();
    const after = readFileSync(mirrorPath(env.dataDir), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(mirrorLines(env)).toHaveLength(9);
    expect(await env.ledger.verify()).toEqual({ ok: true, entries: 9, notes: [] });
  });

  it('a line torn by a power cut is dropped and written whole', async () => {
    env = makeEnv();
    writeHistory(env);
    env.db.transaction(() => env!.ledger.append({ action: 'rejected', clipId: 'torn' }, env!.clock.iso())).immediate();
    const ninth = entryLine(env.ledger.list()[8]!);
    appendFileSync(mirrorPath(env.dataDir), ninth.slice(0, 40));
    expect((await env.ledger.verify()).notes.join(' ')).toMatch(/unfinished line/);
    expect(env.ledger.syncMirror()).toBe(true);
    expect(mirrorLines(env).at(-1)).toBe(ninth);
    expect(await env.ledger.verify()).toEqual({ ok: true, entries: 9, notes: [] });
  });

  it('a mirror that lost lines is reported, never rebuilt from the database', async () => {
    env = makeEnv();
    writeHistory(env);
    rmSync(mirrorPath(env.dataDir));
    env.review.reject(env.insertClip().id);
    expect(() => readFileSync(mirrorPath(env!.dataDir))).toThrow(/ENOENT/);
    const result = await env.ledger.verify();
    expect(result).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(result.reason).toMatch(/mirror ledger\.jsonl is missing/);
  });

  it('raises the ledger.mirror problem when the mirror diverged, and clears it once it agrees again', () => {
    env = makeEnv();
    writeHistory(env);
    const file = mirrorPath(env.dataDir);
    const good = readFileSync(file, 'utf8');
    appendFileSync(file, '{"seq":99}\n');
    const problems: string[] = [];
    env.bus.on('test', 'problem.raised', ({ problem }) => void problems.push(problem.id));
    expect(env.ledger.syncMirror()).toBe(false);
    expect(problems).toEqual([MIRROR_PROBLEM]);
    // Nothing was appended after the bad line.
    expect(readFileSync(file, 'utf8')).toBe(`${good}{"seq":99}\n`);
  });

  it('two processes writing at once never interleave or duplicate lines', async () => {
    env = makeEnv();
    const log = pino({ level: 'silent' });
    const db2 = openDatabase(env.dbFile);
    const other = new Ledger({ db: db2, repos: createRepos(db2), dataDir: env.dataDir, log });
    for (let i = 0; i < 20; i++) {
      const [a, b] = i % 2 ? [env.ledger, other] : [other, env.ledger];
      a.write(() => a.append({ action: 'rejected', clipId: `a${i}` }, env!.clock.iso()));
      b.write(() => b.append({ action: 'rejected', clipId: `b${i}` }, env!.clock.iso()));
    }
    db2.close();
    const lines = mirrorLines(env);
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await env.ledger.verify()).toEqual({ ok: true, entries: 40, notes: [] });
  });
});

describe('device key', () => {
  it('is created once and reused by every process; its signatures verify with the public key alone', () => {
    env = makeEnv();
    const first = env.ledger.deviceKey();
    const db2 = openDatabase(env.dbFile);
    const second = new Ledger({ db: db2, repos: createRepos(db2), dataDir: env.dataDir, log: pino({ level: 'silent' }) }).deviceKey();
    db2.close();
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.created).toBe(false);
    env.review.reject(env.insertClip().id);
    const [entry] = env.ledger.list();
    const pub = readDevicePublicKey(env.dataDir)!;
    expect(verifyEntrySignature(pub.publicKey, entry!.hash, entry!.signature)).toBe(true);
    expect(verifyEntrySignature(pub.publicKey, entry!.prevHash, entry!.signature)).toBe(false);
  });

  it('entries written before the key existed (an upgraded database) are signed once, at the first start', async () => {
    env = makeEnv();
    env.db.close();
    // Two entries as the previous version wrote them: hashed, unsigned.
    const raw = new Database(env.dbFile);
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 2; seq++) {
      const body = { seq, at: `2026-01-0${seq}T00:00:00.000Z`, action: 'rejected' as const, clipId: `old${seq}`, shareId: null, sha256: null, exportSha256: null, requestId: null, options: null };
      const hash = entryHash(prev, body);
      raw.prepare('INSERT INTO ledger (seq, at, action, clip_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)').run(seq, body.at, body.action, body.clipId, prev, hash);
      raw.prepare("INSERT INTO settings (key, value) VALUES ('ledger.head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify({ seq, hash }));
      prev = hash;
    }
    raw.close();
    const db = openDatabase(env.dbFile);
    const ledger = new Ledger({ db, repos: createRepos(db), dataDir: env.dataDir, log: pino({ level: 'silent' }) });
    const unsigned = await ledger.verify();
    expect(unsigned).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(unsigned.reason).toMatch(/signed when the daemon first starts/);
    await ledger.start();
    expect(await ledger.verify()).toEqual({ ok: true, entries: 2, notes: [] });
    // Once signed, an entry whose signature is removed is a failure: there is no second backfill.
    db.prepare('UPDATE ledger SET signature = NULL WHERE seq = 2').run();
    const again = new Ledger({ db, repos: createRepos(db), dataDir: env.dataDir, log: pino({ level: 'silent' }) });
    await again.start();
    expect(await again.verify()).toMatchObject({ ok: false, firstBadSeq: 2 });
    db.close();
  });

  it('refuses a key file others can read', () => {
    env = makeEnv();
    env.ledger.deviceKey();
    const db2 = openDatabase(env.dbFile);
    const fresh = new Ledger({ db: db2, repos: createRepos(db2), dataDir: env.dataDir, log: pino({ level: 'silent' }) });
    chmodSync(deviceKeyPath(env.dataDir), 0o644);
    expect(() => fresh.deviceKey()).toThrow(/readable by others/);
    db2.close();
  });
});
