// A stand-in machine for scripts/install.sh: a temp root (CLIPGATE_INSTALL_ROOT), a copy of the
// installer next to the real unit file and package.json, and small shell stand-ins for apt-get,
// apt-cache, dpkg, curl, gpg, systemctl, journalctl, id, useradd, chown, sleep, node and npm on a
// PATH that holds nothing else but ordinary file tools. Every stand-in appends its argv to a log,
// so a test reads back the installer's decisions. Nothing touches the network or the real system.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Real programs the installer may use besides the stand-ins. */
const REAL_TOOLS = [
  'bash', 'sh', 'sed', 'awk', 'sort', 'head', 'tar', 'mktemp', 'install', 'chmod', 'cp', 'mv', 'rm', 'mkdir', 'cat',
  'dirname', 'seq', 'grep', 'uname', 'readlink', 'touch', 'cut', 'tr', 'ls', 'basename', 'tee',
];

export interface Machine {
  /** Version of the `node` first on PATH before the install, or null for none. */
  node: string | null;
  /** Where that node lives: the stand-in /usr/bin (default) or a path under the temp root. */
  nodeDir?: string;
  /** Debian's nodejs candidate version (`apt-cache policy nodejs`), or null when there is none. */
  distroNode: string | null;
  /** better-sqlite3's prebuilt binary downloads and loads. */
  prebuilt: boolean;
  arch?: string;
  uid?: number;
  /** `systemctl is-active` answer. */
  active?: boolean;
}

export interface RunOptions {
  args?: string[];
  /** Run on a terminal (through `script`), typing this answer. */
  tty?: string;
}

export interface RunResult {
  code: number;
  output: string;
  /** One line per stand-in call: "name arg arg ...". */
  log: string[];
}

const NODESOURCE_VERSION = '22.12.0';

function stub(file: string, body: string): void {
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  chmodSync(file, 0o755);
}

export class InstallRig {
  readonly root: string;
  readonly bin: string;
  readonly state: string;
  readonly src: string;
  private readonly sys: string;
  private readonly tmp: string;

  constructor(readonly dir: string, repo: string, readonly machine: Machine) {
    this.root = path.join(dir, 'root');
    this.bin = path.join(this.root, 'usr', 'bin');
    this.state = path.join(dir, 'state');
    this.src = path.join(dir, 'src');
    this.sys = path.join(dir, 'sys');
    this.tmp = path.join(dir, 'tmp');
    for (const d of [this.bin, this.state, this.sys, this.tmp, path.join(this.src, 'scripts'), path.join(this.src, 'config'), path.join(this.root, 'run/systemd/system')]) {
      mkdirSync(d, { recursive: true });
    }
    for (const f of ['scripts/install.sh', 'scripts/clipgate.service', 'package.json', 'README.md', 'config/clipgate.example.yml']) {
      copyFileSync(path.join(repo, f), path.join(this.src, f));
    }
    for (const t of REAL_TOOLS) {
      const real = ['/usr/bin', '/bin'].map((d) => path.join(d, t)).find((p) => existsSync(p));
      if (!real) throw new Error(`the installer test needs ${t}`);
      symlinkSync(real, path.join(this.sys, t));
    }
    writeFileSync(path.join(this.state, 'log'), '');
    this.writeStubs();
  }

  /** Path of the node the machine starts with. */
  get nodePath(): string {
    return path.join(this.machine.nodeDir ? path.join(this.root, this.machine.nodeDir) : this.bin, 'node');
  }

  private writeStubs(): void {
    const m = this.machine;
    const s = this.state;
    const log = (name: string): string => `echo "${name} $*" >> ${s}/log`;
    // node reports the version written next to it; -e (the better-sqlite3 load check) succeeds once a native module exists.
    stub(path.join(s, 'node'), [
      `echo "node $*" >> ${s}/log`,
      'v=$(cat "$0.version")',
      'case "$1" in -p) echo "$v" ;; -v|--version) echo "v$v" ;; -e) [ -f ' + s + '/native ] ;; esac',
    ].join('\n'));
    stub(path.join(s, 'npm'), 'exec npm-stub "$@"');
    // put-node DIR VERSION: a node (and npm beside it) in DIR
    stub(path.join(s, 'put-node'), `mkdir -p "$1"; cp ${s}/node "$1/node"; echo "$2" > "$1/node.version"; cp ${s}/npm "$1/npm"`);
    if (m.node) spawnSync(path.join(s, 'put-node'), [path.dirname(this.nodePath), m.node]);
    const list = path.join(this.root, 'etc/apt/sources.list.d/nodesource.list');
    stub(path.join(this.bin, 'apt-get'), [
      log('apt-get'),
      '[ "$1" = install ] || exit 0',
      'for p in "$@"; do',
      '  case "$p" in',
      // NodeSource's nodejs bundles npm; Debian's does not (its npm is a package of its own).
      `    nodejs) if [ -f ${list} ]; then ${s}/put-node ${this.bin} ${NODESOURCE_VERSION};`,
      `            elif [ -n "${m.distroNode ?? ''}" ]; then ${s}/put-node ${this.bin} ${m.distroNode ?? ''}; rm ${this.bin}/npm;`,
      '            else echo "E: Unable to locate package nodejs" >&2; exit 100; fi ;;',
      `    npm) cp ${s}/npm ${this.bin}/npm ;;`,
      `    g++) printf '#!/bin/bash\\nexit 0\\n' > ${this.bin}/g++; chmod +x ${this.bin}/g++ ;;`,
      '  esac',
      'done',
    ].join('\n'));
    stub(path.join(this.bin, 'apt-cache'), [
      log('apt-cache'),
      `if [ -f ${list} ]; then c=${NODESOURCE_VERSION}-1nodesource1; else c='${m.distroNode ? `${m.distroNode}+dfsg-1~deb` : '(none)'}'; fi`,
      'printf "nodejs:\\n  Installed: (none)\\n  Candidate: %s\\n" "$c"',
    ].join('\n'));
    stub(path.join(this.bin, 'npm-stub'), [
      'echo "npm $*" >> ' + `${s}/log`,
      'case "$1" in',
      '  ci) mkdir -p node_modules/better-sqlite3 ;;',
      `  rebuild) if [ ${m.prebuilt ? 1 : 0} = 1 ] || command -v g++ >/dev/null; then touch ${s}/native; else echo "gyp ERR! stack Error: not found: make" >&2; exit 1; fi ;;`,
      '  run) mkdir -p dist/src && echo "// built" > dist/src/main.js ;;',
      'esac',
    ].join('\n'));
    stub(path.join(this.bin, 'dpkg'), `${log('dpkg')}\necho ${m.arch ?? 'arm64'}`);
    stub(path.join(this.bin, 'curl'), `${log('curl')}\necho "-----BEGIN PGP PUBLIC KEY BLOCK----- (stand-in)"`);
    stub(path.join(this.bin, 'gpg'), `${log('gpg')}\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && { cat > "$2"; exit 0; }; shift; done; exit 2`);
    stub(path.join(this.bin, 'systemctl'), `${log('systemctl')}\n[ "$1" != is-active ] || exit ${m.active === false ? 3 : 0}`);
    stub(path.join(this.bin, 'journalctl'), `${log('journalctl')}\necho "-- clipgate log (stand-in) --"`);
    stub(path.join(this.bin, 'id'), `${log('id')}\nif [ "$1" = -u ]; then echo ${m.uid ?? 0}; else [ -f ${s}/user ]; fi`);
    stub(path.join(this.bin, 'useradd'), `${log('useradd')}\ntouch ${s}/user`);
    stub(path.join(this.bin, 'chown'), log('chown'));
    stub(path.join(this.bin, 'sleep'), log('sleep'));
  }

  run(opts: RunOptions = {}): RunResult {
    const before = this.log().length;
    const dirs = [this.machine.nodeDir ? path.dirname(this.nodePath) : undefined, this.bin, this.sys].filter(Boolean);
    const env = { PATH: dirs.join(':'), CLIPGATE_INSTALL_ROOT: this.root, TMPDIR: this.tmp, HOME: this.dir, LANG: 'C.UTF-8' };
    const cmd = ['/bin/bash', path.join(this.src, 'scripts/install.sh'), ...(opts.args ?? [])];
    const r = opts.tty === undefined
      ? spawnSync(cmd[0]!, cmd.slice(1), { env, encoding: 'utf8', input: '', timeout: 60_000 })
      : spawnSync('/usr/bin/script', ['-qec', cmd.join(' '), '/dev/null'], { env, encoding: 'utf8', input: `${opts.tty}\n`, timeout: 60_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}`.replace(/\r/g, ''), log: this.log().slice(before) };
  }

  log(): string[] {
    return readFileSync(path.join(this.state, 'log'), 'utf8').split('\n').filter(Boolean);
  }

  file(rel: string): string | undefined {
    const p = path.join(this.root, rel);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }
}
