// `clipgate ledger export FILE` and `clipgate ledger verify --bundle FILE`: the bundle verifies
// with the data dir (database, key, mirror) deleted, and one flipped byte fails naming the entry.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import { runCli } from '../../../src/cli/index.js';
import { groupFingerprint, verifyBundle } from '../../../src/ledger/index.js';
import { makeEnv, type ReviewEnv } from '../review/env.js';
import { writeHistory } from './history.js';

let env: ReviewEnv | undefined;
afterEach(() => env?.cleanup());

function io(cwd: string): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), stdin: Readable.from(['']), env: {}, cwd, stdout, stderr };
}

/** Export the history of 8 entries, then delete the whole data dir; returns the bundle's path. */
async function exportedBundle(): Promise<{ bundle: string; fingerprint: string; out: string[] }> {
  env = makeEnv();
  writeHistory(env);
  const config = path.join(env.dir, 'clipgate.yml');
  writeFileSync(config, `dataDir: ${env.dataDir}\ncacheDir: ${env.dir}/cache\n`);
  const key = io(env.dir);
  expect(await runCli(['ledger', 'key', '--config', config], key)).toBe(0);
  const fingerprint = env.ledger.keyView().fingerprint;
  expect(key.stdout).toContain(`fingerprint: ${groupFingerprint(fingerprint)}`);
  const bundle = path.join(env.dir, 'ledger-bundle.json');
  const x = io(env.dir);
  expect(await runCli(['ledger', 'export', bundle, '--config', config], x)).toBe(0);
  expect(x.stdout.join('\n')).toMatch(/exported 8 entries/);
  env.db.close();
  rmSync(env.dataDir, { recursive: true, force: true });
  rmSync(config);
  return { bundle, fingerprint, out: x.stdout };
}

/** Flip one byte of the bundle text inside entry `seq`'s `field` value (the first character of it). */
function flipInEntry(text: string, seq: number, field: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(`"seq":${seq},`));
  const line = lines[i] ?? '';
  const at = line.indexOf(`"${field}":"`) + field.length + 4;
  const ch = line[at] ?? 'a';
  lines[i] = line.slice(0, at) + (ch === 'a' ? 'b' : 'a') + line.slice(at + 1);
  return lines.join('\n');
}

describe('ledger bundle', () => {
  it('verifies with the data dir gone, naming the device key; --key pins it', async () => {
    const { bundle, fingerprint } = await exportedBundle();
    const ok = io(path.dirname(bundle));
    expect(await runCli(['ledger', 'verify', '--bundle', bundle], ok)).toBe(0);
    console.log(['$ clipgate ledger verify --bundle ledger-bundle.json   # data dir deleted', ...ok.stdout].join('\n'));
    expect(ok.stdout).toEqual([
      `signed by device key ${groupFingerprint(fingerprint)} (compare it with one you trust, or pass --key)`,
      'bundle intact: 8 entries, every signature valid',
    ]);
    expect(await runCli(['ledger', 'verify', '--bundle', bundle, '--key', groupFingerprint(fingerprint)], io(path.dirname(bundle)))).toBe(0);
    const wrong = io(path.dirname(bundle));
    expect(await runCli(['ledger', 'verify', '--bundle', bundle, '--key', 'ab'.repeat(32)], wrong)).toBe(1);
    expect(wrong.stdout.join('\n')).toMatch(/not by the expected key/);
  });

  it.each([
    [5, 'clipId', /entry 5 was altered \(hash mismatch\)/],
    [3, 'at', /entry 3 was altered/],
    [6, 'signature', /entry 6 has a signature the device key did not make/],
    [2, 'hash', /entry 2 was altered/],
  ])('one flipped byte in entry %i (%s) fails naming that entry', async (seq, field, reason) => {
    const { bundle } = await exportedBundle();
    writeFileSync(bundle, flipInEntry(readFileSync(bundle, 'utf8'), seq, field));
    const out = io(path.dirname(bundle));
    expect(await runCli(['ledger', 'verify', '--bundle', bundle], out)).toBe(1);
    const line = out.stdout.at(-1) ?? '';
    console.log(`flipped a byte of entry ${seq}.${field}: ${line}`);
    expect(line).toMatch(new RegExp(`^bundle BROKEN at entry ${seq}: `));
    expect(line).toMatch(reason);
  });

  it('a byte that breaks the JSON still names the entry it sits in; a dropped entry names the gap', async () => {
    const { bundle } = await exportedBundle();
    const text = readFileSync(bundle, 'utf8');
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('"seq":4,'));
    lines[i] = (lines[i] ?? '').replace('"action":', '"action"');
    expect(await verifyBundle(lines.join('\n'))).toMatchObject({ ok: false, firstBadSeq: 4 });
    const dropped = text.split('\n').filter((l) => !l.includes('"seq":4,')).join('\n');
    expect(await verifyBundle(dropped)).toMatchObject({ ok: false, firstBadSeq: 4 });
    const lastCut = text.split('\n').filter((l) => !l.includes('"seq":8,')).join('\n').replace(/,\n ]/, '\n ]');
    expect(await verifyBundle(lastCut)).toMatchObject({ ok: false, firstBadSeq: 8 });
  });

  it('refuses what is not a bundle', async () => {
    expect(await verifyBundle('{"format":"something else"}')).toMatchObject({ ok: false });
    expect(await verifyBundle('not json')).toMatchObject({ ok: false });
  });
});
