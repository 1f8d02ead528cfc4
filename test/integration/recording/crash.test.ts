// kill -9 of the real built daemon during clip assembly: no partial clip visible, no row without a
// file; the next start removes temp files. Needs `npx tsc -p tsconfig.build.json` (dist/).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive, makeTempDir, type TempDir } from '../../support/index.js';
import { waitUntil } from '../../support/wait.js';

const MAIN = path.resolve('dist/src/main.js');

interface Daemon {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

function startDaemon(configFile: string, cwd: string): Daemon {
  const child = spawn(process.execPath, [MAIN, 'start', '--config', configFile], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, output: () => out, exited };
}

/** Direct children, from ps by parent PID (never by name). */
async function childPids(pid: number): Promise<number[]> {
  const { execFileSync } = await import('node:child_process');
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('crash safety of the clip store (real daemon, kill -9)', () => {
  let tmp: TempDir | undefined;
  const orphans: number[] = [];

  afterEach(async () => {
    for (const pid of orphans.splice(0)) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
    await tmp?.cleanup();
  });

  it('leaves no visible partial clip and no row without a file; the next start cleans temp files', async () => {
    expect(existsSync(MAIN), 'build dist first: npx tsc -p tsconfig.build.json').toBe(true);
    tmp = await makeTempDir('cg-crash-');
    const dataDir = path.join(tmp.path, 'data');
    const config = path.join(tmp.path, 'clipgate.yml');
    await writeFile(
      config,
      [
        `dataDir: ${dataDir}`,
        `cacheDir: ${path.join(tmp.path, 'cache')}`,
        'web: { host: 127.0.0.1, port: 0 }',
        'logging: { level: debug }',
        'cameras:',
        '  - id: sim',
        '    simulated: { motionEverySeconds: 5, width: 320, height: 180, fps: 10 }',
        '    record: { preSeconds: 2, postSeconds: 1, maxSeconds: 30 }',
      ].join('\n') + '\n',
    );
    const first = startDaemon(config, tmp.path);
    orphans.push(first.child.pid ?? -1);
    // Kill the moment a clip's assembly begins (concat, probe, hash, thumbnail, rename, insert follow).
    await waitUntil('assembly to begin', () => first.output().includes('"msg":"assembling clip"'), 60_000);
    const kids = await childPids(first.child.pid ?? -1);
    orphans.push(...kids);
    first.child.kill('SIGKILL');
    await first.exited;
    for (const pid of kids) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');

    const clipsDir = path.join(dataDir, 'clips');
    const rows = (): { file_path: string; thumb_path: string | null }[] => {
      const db = new Database(path.join(dataDir, 'clipgate.db'), { readonly: true });
      try {
        return db.prepare('SELECT file_path, thumb_path FROM clips WHERE deleted_at IS NULL AND file_deleted_at IS NULL').all() as { file_path: string; thumb_path: string | null }[];
      } finally {
        db.close();
      }
    };
    const afterKill = await listFiles(clipsDir);
    const visible = afterKill.filter((f) => f.endsWith('.mp4') && !path.basename(f).startsWith('.'));
    const rowFiles = rows().map((r) => path.relative('clips', r.file_path));
    // Every visible mp4 is a complete clip with its row, and every row has its file.
    for (const f of visible) expect(rowFiles).toContain(f);
    for (const f of rowFiles) expect(afterKill).toContain(f);

    // Plant the kind of leftovers a kill at another moment leaves, so cleaning is really exercised.
    const day = path.join(clipsDir, 'sim', '2026-01-01');
    await mkdir(day, { recursive: true });
    await writeFile(path.join(day, '.half.mp4.tmp'), 'partial');
    await writeFile(path.join(day, 'no-row.mp4'), 'renamed but never inserted');
    await mkdir(path.join(dataDir, 'tmp', 'clips'), { recursive: true });
    await writeFile(path.join(dataDir, 'tmp', 'clips', 'concat.mp4'), 'scratch');

    const second = startDaemon(config, tmp.path);
    orphans.push(second.child.pid ?? -1);
    try {
      await waitUntil('restart', () => second.output().includes('"msg":"clipgate started"'), 60_000);
      const files = await listFiles(clipsDir);
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(files).not.toContain(path.join('sim', '2026-01-01', 'no-row.mp4'));
      expect(await listFiles(path.join(dataDir, 'tmp', 'clips'))).toEqual([]);
      const live = rows();
      for (const r of live) expect(files).toContain(path.relative('clips', r.file_path));
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 150_000);
});
