import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reapOrphan } from '../../../src/recorder/orphans.js';
import { waitUntil } from '../../support/wait.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function exited(c: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => c.once('exit', (_code, signal) => resolve(signal)));
}

describe('reapOrphan', () => {
  it('kills the ffmpeg that writes into the ring folder, and nothing else', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cg-orphan-'));
    dirs.push(root);
    const ring = path.join(root, 'cam');
    mkdirSync(ring);
    const ffmpeg = spawn('ffmpeg', ['-nostdin', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=5', '-f', 'segment', '-segment_time', '1', path.join(ring, 'x-%03d.ts')], { stdio: 'ignore' });
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(ffmpeg, bystander);
    const ffmpegExit = exited(ffmpeg);
    // The check reads /proc/<pid>/cmdline, which names ffmpeg only once the exec has happened.
    const cmdline = (pid: number | undefined): string => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };
    await waitUntil('ffmpeg to be exec\'d', () => cmdline(ffmpeg.pid).includes(`${ring}/`), 10_000, 20);

    // A PID file naming an unrelated process is ignored (PIDs are reused).
    writeFileSync(`${ring}.ffmpeg.pid`, `${bystander.pid}\n`);
    expect(await reapOrphan(`${ring}.ffmpeg.pid`, ring)).toBeUndefined();
    expect(bystander.exitCode).toBeNull();

    writeFileSync(`${ring}.ffmpeg.pid`, `${ffmpeg.pid}\n`);
    expect(await reapOrphan(`${ring}.ffmpeg.pid`, ring)).toBe(ffmpeg.pid);
    expect(await ffmpegExit).toBe('SIGKILL');
    // The note is consumed either way.
    expect(await reapOrphan(`${ring}.ffmpeg.pid`, ring)).toBeUndefined();
  });
});
