// `clipgate addon-config`: files in, clipgate.yml out (0600, loadable), errors as `option: message`.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import { runCli } from '../../../src/cli/index.js';
import { loadConfigFile } from '../../../src/config/load.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(options: unknown): { dir: string; options: string; out: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-addon-'));
  dirs.push(dir);
  const file = path.join(dir, 'options.json');
  writeFileSync(file, typeof options === 'string' ? options : JSON.stringify(options));
  return { dir, options: file, out: path.join(dir, 'clipgate.yml') };
}

function io(dir: string, stdin = ''): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), stdin: Readable.from([stdin]), env: {}, cwd: dir, stdout, stderr };
}

const OPTIONS = { cameras: [{ id: 'gate', rtsp_main: 'rtsp://u:p@10.0.0.9/s' }], retention: { pending_days: 7 }, log_level: 'info', allowed_hosts: [] };
const MQTT = JSON.stringify({ result: 'ok', data: { host: 'core-mosquitto', port: 1883, username: 'addons', password: 'secret-pw' } });

describe('clipgate addon-config', () => {
  it.each([
    ['stdin', ['--mqtt', '-'], MQTT],
    ['an argument', ['--mqtt', MQTT], ''],
    ['a file', ['--mqtt', '@mqtt.json'], ''],
  ])('writes a private clipgate.yml that clipgate loads, with the MQTT service from %s', async (_from, flags, stdin) => {
    const s = setup(OPTIONS);
    writeFileSync(path.join(s.dir, 'mqtt.json'), MQTT);
    const o = io(s.dir, stdin);
    expect(await runCli(['addon-config', '--options', s.options, ...flags, '--out', s.out], o)).toBe(0);
    expect(o.stdout).toEqual([`wrote ${s.out} (1 camera, MQTT on, platform off)`]);
    expect(statSync(s.out).mode & 0o777).toBe(0o600);
    expect(readFileSync(s.out, 'utf8')).toMatch(/^# Written by `clipgate addon-config`/);
    const loaded = loadConfigFile(s.out, {});
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.config.mqtt).toMatchObject({ url: 'mqtt://core-mosquitto:1883', username: 'addons', password: 'secret-pw' });
    expect(loaded.config.web.ingress).toBe(true);
  });

  it('without --mqtt, or with an empty answer, nothing is published', async () => {
    const s = setup(OPTIONS);
    expect(await runCli(['addon-config', '--options', s.options, '--mqtt', '-', '--out', s.out], io(s.dir, ''))).toBe(0);
    const loaded = loadConfigFile(s.out, {});
    expect(loaded.ok && loaded.config.mqtt).toBeUndefined();
  });

  it('bad options: exit 1, every problem named by its option, nothing written', async () => {
    const s = setup({ ...OPTIONS, cameras: [{ id: 'Gate' }], log_level: 'loud' });
    const o = io(s.dir);
    expect(await runCli(['addon-config', '--options', s.options, '--out', s.out], o)).toBe(1);
    expect(o.stderr.slice(0, -1)).toEqual(['cameras.0.id: must match [a-z0-9-]+ (lower-case letters, digits, dashes)', 'log_level: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"']);
    expect(o.stderr.at(-1)).toContain('clipgate.yml was not written');
    expect(() => statSync(s.out)).toThrow();
  });

  it.each([
    ['options that are not JSON', '{"cameras": [', [], 2],
    ['a missing --out', OPTIONS, ['--no-out'], 2],
  ])('%s is a usage error', async (_what, options, extra, code) => {
    const s = setup(options);
    const args = extra[0] === '--no-out' ? ['addon-config', '--options', s.options] : ['addon-config', '--options', s.options, '--out', s.out];
    const o = io(s.dir);
    expect(await runCli(args, o)).toBe(code);
    expect(o.stderr.join('\n')).toMatch(/^clipgate addon-config: /);
  });

  it('an options file over 1 MiB is refused without reading it whole', async () => {
    const s = setup(JSON.stringify({ ...OPTIONS, pad: 'x'.repeat(2 * 1024 * 1024) }));
    const o = io(s.dir);
    expect(await runCli(['addon-config', '--options', s.options, '--out', s.out], o)).toBe(2);
    expect(o.stderr.join('\n')).toContain('larger than 1048576 bytes');
  });
});
