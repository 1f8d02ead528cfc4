import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/index.js';
import type { Io } from '../../../src/cli/context.js';
import { createRepos, openDatabase } from '../../../src/db/index.js';
import { SETTING } from '../../../src/db/repos/settings.js';
import { verifyPassword } from '../../../src/web/auth/password.js';
import { hashToken } from '../../../src/web/auth/tokens.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(configText?: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-cli-'));
  dirs.push(dir);
  const file = path.join(dir, 'clipgate.yml');
  writeFileSync(file, configText ?? `dataDir: ${dir}/data\n`);
  return { dir, file };
}

function io(dir: string, stdin = ''): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), stdin: Readable.from([stdin]), env: {}, cwd: dir, stdout, stderr };
}

describe('cli', () => {
  it('check-config prints every error and exits 1, exits 0 on a valid file', async () => {
    const { dir, file } = setup('web: {port: -1}\ncameras: [{id: "A"}]\nlogging: {level: loud}\n');
    const bad = io(dir);
    expect(await runCli(['check-config', '--config', file], bad)).toBe(1);
    expect(bad.stdout).toEqual(
      expect.arrayContaining([expect.stringMatching(/^web\.port: /), expect.stringMatching(/^cameras\.0\.id: /), expect.stringMatching(/^logging\.level: /)]),
    );
    const good = setup();
    const ok = io(good.dir);
    expect(await runCli(['check-config', '--config', good.file], ok)).toBe(0);
  });

  it('a missing explicit config is an error, not the demo', async () => {
    const { dir } = setup();
    const x = io(dir);
    expect(await runCli(['token', 'list', '--config', path.join(dir, 'nope.yml')], x)).toBe(1);
    expect(x.stderr.join('\n')).toMatch(/config file not found/);
  });

  it('passwd reads one line from stdin, rejects short passwords, stores a scrypt hash', async () => {
    const { dir, file } = setup();
    const short = io(dir, 'short\n');
    expect(await runCli(['passwd', '--config', file], short)).toBe(1);
    expect(short.stderr.join()).toMatch(/at least 10 characters/);
    expect(await runCli(['passwd', '--config', file], io(dir, 'correct horse battery\n'))).toBe(0);
    const db = openDatabase(path.join(dir, 'data', 'clipgate.db'));
    const stored = createRepos(db).settings.get(SETTING.ownerPasswordHash)!;
    db.close();
    expect(stored).toMatch(/^scrypt\$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('wrong horse battery', stored)).toBe(false);
  });

  it('token create prints the token once on the last line and stores only its hash', async () => {
    const { dir, file } = setup();
    const created = io(dir);
    expect(await runCli(['token', 'create', 'ha', '--config', file], created)).toBe(0);
    const token = created.stdout.at(-1)!;
    expect(token).toMatch(/^cg_[A-Za-z0-9_-]{40,}$/);
    const db = openDatabase(path.join(dir, 'data', 'clipgate.db'));
    const raw = db.prepare('SELECT hash FROM api_tokens').all();
    db.close();
    expect(raw).toEqual([{ hash: hashToken(token) }]);
    expect(await runCli(['token', 'create', 'ha', '--config', file], io(dir))).toBe(1);
    const listed = io(dir);
    expect(await runCli(['token', 'list', '--config', file], listed)).toBe(0);
    expect(listed.stdout.join('\n')).toMatch(/^ha\t/);
    expect(listed.stdout.join('\n')).not.toContain(token);
    expect(await runCli(['token', 'revoke', 'ha', '--config', file], io(dir))).toBe(0);
    expect(await runCli(['token', 'revoke', 'ha', '--config', file], io(dir))).toBe(1);
  });

  it('unknown commands and bad flags are usage errors (exit 2)', async () => {
    const { dir } = setup();
    expect(await runCli(['frobnicate'], io(dir))).toBe(2);
    expect(await runCli(['check-config', '--nope'], io(dir))).toBe(2);
    const v = io(dir);
    expect(await runCli(['--version'], v)).toBe(0);
    expect(v.stdout[0]).toMatch(/^\d+\.\d+\.\d+/);
  });
});
