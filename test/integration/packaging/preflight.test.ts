import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = path.resolve('dist/src/main.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cg-pre-'));
  dirs.push(d);
  return d;
}

function start(configText: string, env: NodeJS.ProcessEnv = process.env) {
  const dir = tmp();
  const file = path.join(dir, 'c.yml');
  writeFileSync(file, configText);
  return spawnSync(process.execPath, [MAIN, 'start', '--config', file], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
}

describe('start-up checks', () => {
  it('ffmpeg missing from PATH: clear message, exit 1', () => {
    const bin = tmp();
    // A PATH holding only node, so ffmpeg/ffprobe cannot be found.
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const r = start(`dataDir: ${tmp()}\n`, { ...process.env, PATH: bin });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ffmpeg was not found on PATH; install it/);
  });

  it('unwritable data dir: clear message naming dataDir, exit 1', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'file'), 'x');
    // Root can write anywhere, so use a path that cannot be a directory at all.
    const r = start(`dataDir: ${path.join(dir, 'file', 'data')}\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/dataDir .* is not writable: ENOTDIR/);
  });

  it('port in use: clear message naming web.port, exit 1', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const data = tmp();
      mkdirSync(data, { recursive: true });
      const r = start(`dataDir: ${data}\nweb: { host: 127.0.0.1, port: ${port} }\n`);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use \\(web\\.port\\)`));
    } finally {
      server.close();
    }
  });
});
