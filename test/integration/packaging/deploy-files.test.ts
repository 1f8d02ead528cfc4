import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function systemdAnalyze(): string | undefined {
  for (const p of ['/usr/bin/systemd-analyze', '/bin/systemd-analyze']) if (existsSync(p)) return p;
  return undefined;
}

describe('systemd unit', () => {
  const unit = readFileSync('scripts/clipgate.service', 'utf8');

  it('is hardened as documented and does not forbid the JIT', () => {
    // Private files (invariant 7): the unit's folders and umask match what clipgate enforces itself.
    for (const line of ['Restart=on-failure', 'User=clipgate', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'ProtectProc=invisible', 'RuntimeDirectory=clipgate',
      'UMask=0077', 'StateDirectoryMode=0700', 'RuntimeDirectoryMode=0700']) {
      expect(unit).toContain(line);
    }
    expect(unit).toMatch(/^ReadWritePaths=.*\/var\/lib\/clipgate/m);
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
  });

  it('passes systemd-analyze verify', (ctx) => {
    const tool = systemdAnalyze();
    if (!tool) {
      console.log('skipped: systemd-analyze is not installed on this machine');
      ctx.skip();
      return;
    }
    // verify prints problems on stderr and exits non-zero for errors in the unit itself.
    const out = execFileSync(tool, ['verify', 'scripts/clipgate.service'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).not.toMatch(/clipgate\.service:\d+:/);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync('Dockerfile', 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [cmd = '', ...rest] = l.split(/\s+/);
      return { cmd: cmd.toUpperCase(), args: rest.join(' ') };
    });

  it('is multi-stage with a slim Node 22 Debian runtime that installs ffmpeg from apt', () => {
    const froms = instructions.filter((i) => i.cmd === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.at(-1)!.args).toMatch(/^node:22-[a-z]+-slim\b/);
    const runtimeStart = instructions.lastIndexOf(froms.at(-1)!);
    const runtime = instructions.slice(runtimeStart);
    expect(runtime.some((i) => i.cmd === 'RUN' && /apt-get install .*\bffmpeg\b/.test(i.args))).toBe(true);
  });

  it('runs as a non-root user with a health check on /api/health and volumes for config and data', () => {
    const users = instructions.filter((i) => i.cmd === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
    const health = instructions.find((i) => i.cmd === 'HEALTHCHECK');
    expect(health?.args).toContain('/api/health');
    const volume = instructions.find((i) => i.cmd === 'VOLUME');
    expect(volume?.args).toContain('/config');
    expect(volume?.args).toContain('/data');
    // no architecture-specific steps, so the same file builds for amd64 and arm64
    const body = instructions.map((i) => `${i.cmd} ${i.args}`).join('\n');
    expect(body).not.toMatch(/amd64|x86_64|aarch64|arm64|--platform/);
  });

  it('compose file mounts the cache on tmpfs', () => {
    expect(readFileSync('compose.yaml', 'utf8')).toMatch(/tmpfs:\s*\n\s*- \/cache/);
  });
});
