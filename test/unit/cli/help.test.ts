// `--help` on every command and subcommand, derived from the CLI's own command table: a command
// added to COMMANDS is covered without touching this file, and a flag the parser accepts is one
// the help lists (both read the same spec).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import { COMMANDS, helpText, runCli } from '../../../src/cli/index.js';

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), stdin: Readable.from(['']), env: {}, cwd: '/nonexistent', stdout, stderr };
}

async function help(argv: string[]): Promise<string> {
  const x = io();
  const code = await runCli(argv, x);
  expect(code, `${argv.join(' ')} → exit ${code}: ${x.stderr.join('\n')}`).toBe(0);
  expect(x.stderr).toEqual([]);
  return x.stdout.join('\n');
}

describe('clipgate <command> --help', () => {
  it('covers the commands the top-level help lists', () => {
    const top = helpText();
    expect(COMMANDS.length).toBeGreaterThanOrEqual(7);
    for (const c of COMMANDS) expect(top).toContain(`clipgate ${c.name}`);
  });

  for (const command of COMMANDS) {
    it(`${command.name} --help and -h exit 0 and list every flag`, async () => {
      for (const flag of ['--help', '-h']) {
        const text = await help([command.name, flag]);
        expect(text).toMatch(new RegExp(`^usage: clipgate ${command.name}\\b`));
        for (const name of Object.keys(command.flags)) expect(text, `--${name} in ${command.name} --help`).toContain(`--${name}`);
        // Every command that reads the config says so; addon-config writes one instead and takes no --config.
        if ('config' in command.flags) expect(text).toContain('--config FILE');
        else expect(text).not.toContain('--config');
        for (const sub of command.subcommands ?? []) expect(text).toContain(sub.name);
      }
      expect(await help(['help', command.name])).toBe(await help([command.name, '--help']));
    });

    for (const sub of command.subcommands ?? []) {
      it(`${command.name} ${sub.name} --help exits 0 and lists its flags`, async () => {
        const text = await help([command.name, sub.name, '--help']);
        expect(text).toMatch(new RegExp(`^usage: clipgate ${command.name} ${sub.name}\\b`));
        for (const name of ['config', ...(sub.flags ?? [])]) expect(text, `--${name} in ${command.name} ${sub.name} --help`).toContain(`--${name}`);
        // Flags of other subcommands are not offered here.
        const others = Object.keys(command.flags).filter((f) => f !== 'config' && !(sub.flags ?? []).includes(f));
        for (const name of others) expect(text).not.toContain(`--${name} `);
      });
    }
  }

  it("discover's usage names every way to reach a camera", async () => {
    const usage = (await help(['discover', '--help'])).split('\n')[0] ?? '';
    for (const flag of ['--port', '--username', '--password', '--verbose', '--timeout', '--target']) expect(usage).toContain(flag);
  });

  it('a bad flag is still a usage error (exit 2) that points at --help', async () => {
    const x = io();
    expect(await runCli(['discover', '--nope'], x)).toBe(2);
    expect(x.stderr.join('\n')).toMatch(/Unknown option '--nope'[\s\S]*clipgate discover --help/);
    expect(await runCli(['help', 'frobnicate'], io())).toBe(2);
  });
});
