import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childPids, waitFor } from '../../support/index.js';

const MAIN = path.resolve('dist/src/main.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('clipgate start (built CLI)', () => {
  it('with no config runs the demo, serves /api/health, and exits 0 on SIGTERM leaving no children', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'cg-start-'));
    dirs.push(cwd);
    // The demo listens on 8080, or on a free port when 8080 is taken (as it may be on a CI box).
    const child = spawn(process.execPath, [MAIN, 'start'], { cwd, env: { ...process.env, CLIPGATE_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await waitFor('the web port in the log', () => {
        const m = /"port":(\d+),"url":"[^"]*","msg":"web server listening"/.exec(output);
        return m ? Number(m[1]) : undefined;
      }, 30_000, 200);
      expect(output).toMatch(/no config found at .*running the DEMO/);
      const health = await waitFor('/api/health', async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).json() as Promise<{ status: string; version: string }>, 10_000, 200);
      expect(health.status).toBe('ok');
      expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
      const kids = childPids(child.pid!);
      child.kill('SIGTERM');
      const code = await exited;
      expect(code).toBe(0);
      for (const pid of kids) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
