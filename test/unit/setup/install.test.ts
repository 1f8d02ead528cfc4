// scripts/install.sh's decisions on stand-in machines (see install-rig.ts): which Node.js it uses
// or installs, whether it adds NodeSource's repository (asking first), whether it installs build
// tools, and which node the unit's ExecStart runs. Prints the decision table at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InstallRig, type Machine, type RunOptions, type RunResult } from './install-rig.js';

const BOOKWORM = '18.19.0';
const TRIXIE = '20.19.2';
const dirs: string[] = [];
const table: string[][] = [];

function rig(machine: Machine): InstallRig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clipgate-install-'));
  dirs.push(dir);
  return new InstallRig(dir, process.cwd(), machine);
}

interface Decisions {
  asked: boolean;
  repository: boolean;
  buildTools: boolean;
  execStart: string | undefined;
}

function decisions(r: InstallRig, res: RunResult): Decisions {
  const unit = r.file('etc/systemd/system/clipgate.service');
  return {
    asked: res.output.includes("Add NodeSource's repository and install Node.js 22 LTS? [y/N]"),
    repository: res.log.some((l) => l.startsWith('gpg ')) && r.file('etc/apt/sources.list.d/nodesource.list') !== undefined,
    buildTools: res.log.some((l) => /^apt-get install .*\bg\+\+/.test(l)),
    execStart: /^ExecStart=(\S+) /m.exec(unit ?? '')?.[1],
  };
}

function record(name: string, m: Machine, opts: RunOptions, r: InstallRig, res: RunResult): Decisions {
  const d = decisions(r, res);
  const short = (p: string | undefined): string => (p ? p.replace(r.root, '') : '-');
  table.push([
    name, m.node ?? 'none', m.distroNode ?? 'none', opts.args?.includes('--yes') ? 'yes' : 'no',
    opts.tty === undefined ? 'no' : `"${opts.tty}"`, m.prebuilt ? 'yes' : 'no',
    d.asked ? 'asked' : '-', d.repository ? 'added' : '-', d.buildTools ? 'installed' : '-', short(d.execStart), String(res.code),
  ]);
  return d;
}

function install(name: string, m: Machine, opts: RunOptions = {}): { r: InstallRig; res: RunResult; d: Decisions } {
  const r = rig(m);
  const res = r.run(opts);
  return { r, res, d: record(name, m, opts, r, res) };
}

afterAll(() => {
  const head = ['case', 'node on PATH', 'Debian nodejs', '--yes', 'terminal', 'prebuilt', 'prompt', 'NodeSource', 'build tools', 'ExecStart node', 'exit'];
  const rows = [head, ...table];
  const widths = head.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log(`install.sh decisions:\n${rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')).join('\n')}`);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('install.sh', () => {
  it('Bookworm (Node 18) with --yes: adds NodeSource the documented way, installs Node 22, runs the unit with it', () => {
    const m: Machine = { node: BOOKWORM, distroNode: BOOKWORM, prebuilt: true };
    const { r, res, d } = install('bookworm --yes', m, { args: ['--yes'] });
    expect(res.code, res.output).toBe(0);
    expect(d).toEqual({ asked: false, repository: true, buildTools: false, execStart: r.nodePath });
    expect(r.file('etc/apt/sources.list.d/nodesource.list')).toBe('deb [arch=arm64 signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_22.x nodistro main\n');
    expect(r.file('etc/apt/keyrings/nodesource.gpg')).toContain('PGP PUBLIC KEY');
    expect(r.file('etc/apt/preferences.d/nodesource')).toContain('Pin: origin deb.nodesource.com');
    // curl | gpg run together, so either may log first; both come before the update that precedes `install nodejs`.
    const order = (re: RegExp): number => res.log.findIndex((l) => re.test(l));
    const curl = order(/^curl -fsSL https:\/\/deb\.nodesource\.com\/gpgkey\/nodesource-repo\.gpg\.key$/);
    const gpg = order(/^gpg --dearmor --yes -o .*\/etc\/apt\/keyrings\/nodesource\.gpg$/);
    expect(Math.min(curl, gpg)).toBeGreaterThan(-1);
    const update = res.log.findIndex((l, i) => i > Math.max(curl, gpg) && l.startsWith('apt-get update'));
    expect(update).toBeGreaterThan(-1);
    expect(order(/^apt-get install .* nodejs$/)).toBeGreaterThan(update);
    expect(res.output).toContain('install: using Node.js 22.12.0 at');
    const unit = r.file('etc/systemd/system/clipgate.service')!;
    expect(unit).toContain(`ExecStartPre=${r.nodePath} /opt/clipgate/dist/src/main.js check-config`);
    expect(unit).toContain(`ExecStart=${r.nodePath} /opt/clipgate/dist/src/main.js start`);
    expect(res.log).toEqual(expect.arrayContaining(['systemctl daemon-reload', 'systemctl enable clipgate.service', 'systemctl restart clipgate.service']));
    expect(r.file('opt/clipgate/dist/src/main.js')).toBeDefined();
    expect(r.file('etc/clipgate/clipgate.yml')).toContain('dataDir: /var/lib/clipgate');
  });

  it('Bookworm without --yes and without a terminal: refuses before changing anything, naming the command to re-run', () => {
    const { r, res, d } = install('bookworm, no tty', { node: BOOKWORM, distroNode: BOOKWORM, prebuilt: true });
    expect(res.code).toBe(1);
    expect(res.output).toContain(`sudo bash ${path.join(r.src, 'scripts/install.sh')} --yes`);
    expect(d).toEqual({ asked: false, repository: false, buildTools: false, execStart: undefined });
    expect(res.log.filter((l) => /^(curl|gpg|useradd|npm|systemctl) /.test(l))).toEqual([]);
  });

  it.each([['y', 0, true], ['n', 1, false]] as const)('Bookworm on a terminal: asks, and answer %s decides', (answer, code, added) => {
    const { r, res, d } = install(`bookworm, tty ${answer}`, { node: BOOKWORM, distroNode: BOOKWORM, prebuilt: true }, { tty: answer });
    expect(res.code, res.output).toBe(code);
    expect(d.asked).toBe(true);
    expect(d.repository).toBe(added);
    expect(d.execStart).toBe(added ? r.nodePath : undefined);
    if (!added) expect(r.file('etc/apt/sources.list.d/nodesource.list')).toBeUndefined();
  });

  it.each([
    ['node 20.18 --yes, no prebuilt', { node: '20.18.1', distroNode: BOOKWORM, prebuilt: false }, ['--yes'], true, true],
    ['node 20.19, no prebuilt', { node: '20.19.0', distroNode: BOOKWORM, prebuilt: false }, [], false, true],
    ['node 22, prebuilt', { node: '22.12.0', distroNode: BOOKWORM, prebuilt: true }, [], false, false],
    ['no node, Bookworm --yes, no prebuilt', { node: null, distroNode: BOOKWORM, prebuilt: false }, ['--yes'], true, true],
  ] as const)('%s', (name, machine, args, repository, buildTools) => {
    const { r, res, d } = install(name, machine, { args: [...args] });
    expect(res.code, res.output).toBe(0);
    expect(d).toEqual({ asked: false, repository, buildTools, execStart: r.nodePath });
    // Build tools only after the first try failed, and then the native module is built again.
    const rebuilds = res.log.filter((l) => l.startsWith('npm rebuild')).length;
    expect(rebuilds).toBe(buildTools ? 2 : 1);
    expect(res.log.some((l) => l === 'npm ci --ignore-scripts --include=dev --no-audit --no-fund --loglevel=error')).toBe(true);
  });

  it('Trixie without node: the distribution nodejs (20.19) and its npm, no repository', () => {
    const { r, res, d } = install('trixie, no node', { node: null, distroNode: TRIXIE, prebuilt: true });
    expect(res.code, res.output).toBe(0);
    expect(d).toEqual({ asked: false, repository: false, buildTools: false, execStart: r.nodePath });
    expect(res.log).toEqual(expect.arrayContaining([expect.stringMatching(/^apt-get install .* nodejs$/), expect.stringMatching(/^apt-get install .* npm$/)]));
    expect(res.output).toContain('install: using Node.js 20.19.2');
  });

  it('a system-wide nvm node (/opt/nvm) is used where it is', () => {
    const m: Machine = { node: '22.12.0', nodeDir: 'opt/nvm/versions/node/v22.12.0/bin', distroNode: BOOKWORM, prebuilt: true };
    const { r, res, d } = install('nvm in /opt', m);
    expect(res.code, res.output).toBe(0);
    expect(d).toEqual({ asked: false, repository: false, buildTools: false, execStart: r.nodePath });
    expect(d.execStart).toMatch(/\/opt\/nvm\/versions\/node\/v22\.12\.0\/bin\/node$/);
    // The adapted unit is still one systemd accepts (where systemd-analyze exists).
    const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
    if (analyze) {
      const v = spawnSync(analyze, ['verify', path.join(r.root, 'etc/systemd/system/clipgate.service')], { encoding: 'utf8' });
      expect(`${v.stdout}${v.stderr}`).not.toMatch(/clipgate\.service:\d+:|not executable|not absolute/);
    }
  });

  it('an nvm node in a home directory is passed over (the service may not read homes)', () => {
    const m: Machine = { node: '22.12.0', nodeDir: 'home/pi/.nvm/versions/node/v22.12.0/bin', distroNode: BOOKWORM, prebuilt: true };
    const { r, res, d } = install('nvm in /home --yes', m, { args: ['--yes'] });
    expect(res.code, res.output).toBe(0);
    expect(res.output).toMatch(/passing over .*\/home\/pi\/\.nvm\/.*ProtectHome/);
    expect(d).toEqual({ asked: false, repository: true, buildTools: false, execStart: path.join(r.bin, 'node') });
  });

  it('is idempotent: a second run asks nothing, adds nothing, keeps the config and the user', () => {
    const m: Machine = { node: BOOKWORM, distroNode: BOOKWORM, prebuilt: true };
    const r = rig(m);
    expect(r.run({ args: ['--yes'] }).code).toBe(0);
    writeFileSync(path.join(r.root, 'etc/clipgate/clipgate.yml'), 'cameras: [] # edited by the owner\n');
    const again = r.run();
    const d = record('second run', { ...m, node: '22.12.0' }, {}, r, again);
    expect(again.code, again.output).toBe(0);
    expect(d).toEqual({ asked: false, repository: false, buildTools: false, execStart: r.nodePath });
    expect(again.log.filter((l) => /^(curl|gpg|useradd) /.test(l) || /^apt-get install .*nodejs/.test(l))).toEqual([]);
    expect(r.file('etc/clipgate/clipgate.yml')).toBe('cameras: [] # edited by the owner\n');
  });

  it('refuses on an architecture NodeSource does not build for, naming it', () => {
    const { res, d } = install('riscv64 --yes', { node: BOOKWORM, distroNode: BOOKWORM, prebuilt: true, arch: 'riscv64' }, { args: ['--yes'] });
    expect(res.code).toBe(1);
    expect(res.output).toContain('NodeSource has no packages for riscv64');
    expect(d.repository).toBe(false);
  });

  it('refuses without root, before touching apt', () => {
    const { res } = install('not root', { node: '22.12.0', distroNode: BOOKWORM, prebuilt: true, uid: 1000 });
    expect(res.code).toBe(1);
    expect(res.output).toContain('run as root');
    expect(res.log.filter((l) => l.startsWith('apt-get'))).toEqual([]);
  });

  it('fails loudly, with the journal, when the service does not stay running', () => {
    const { res } = install('service fails', { node: '22.12.0', distroNode: BOOKWORM, prebuilt: true, active: false });
    expect(res.code).toBe(1);
    expect(res.log).toContain('journalctl -u clipgate.service -n 30 --no-pager');
    expect(res.output).toContain('clipgate did not stay running');
  });
});
