// Invariant 7, private files: `clipgate start` run with umask 022 (a shell, cron, Docker without
// the systemd unit) still leaves every file under the data and clips folders 0600 and every
// folder 0700, tightens what an older run left open with a warning naming it, never follows a
// symlink, and in the cache touches only its own camera folders.
import { chmodSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, spawnProcess, waitFor, type ManagedProcess, type TempDir } from '../../support/index.js';

const MAIN = path.resolve('dist/src/main.js');
const mode = (p: string): string => (lstatSync(p).mode & 0o7777).toString(8).padStart(4, '0');

function walk(root: string): { path: string; dir: boolean; link: boolean }[] {
  const out: { path: string; dir: boolean; link: boolean }[] = [{ path: root, dir: true, link: false }];
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    out.push({ path: path.join(e.parentPath, e.name), dir: e.isDirectory(), link: e.isSymbolicLink() });
  }
  return out;
}

function writeLoose(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, text, { mode: 0o644 });
  chmodSync(file, 0o644);
}

describe('clipgate start with umask 022', () => {
  let tmp: TempDir;
  let daemon: ManagedProcess | undefined;
  let log = '';
  let dirs: { data: string; clips: string; cache: string; outside: string; foreign: string };

  beforeAll(async () => {
    tmp = await makeTempDir('cg-private-');
    dirs = {
      data: path.join(tmp.path, 'data'),
      clips: path.join(tmp.path, 'media', 'clipgate'),
      cache: path.join(tmp.path, 'cache'),
      outside: path.join(tmp.path, 'outside.txt'),
      foreign: path.join(tmp.path, 'cache', 'another-program.txt'),
    };
    // What an older run (or a copy with cp -r) left behind: everything world-readable.
    writeLoose(path.join(dirs.data, 'notes', 'deep', 'old.txt'), 'old');
    writeLoose(path.join(dirs.clips, 'front-door', '2026-01-01', 'old.mp4'), 'not really a video');
    writeLoose(path.join(dirs.cache, 'front-door', 'seg-00001.ts'), 'segment');
    writeLoose(dirs.foreign, 'belongs to someone else');
    writeLoose(dirs.outside, 'outside the data folder');
    symlinkSync(dirs.outside, path.join(dirs.data, 'link-to-outside'));
    for (const d of [dirs.data, path.join(tmp.path, 'media'), dirs.clips, dirs.cache]) chmodSync(d, 0o755);
    const config = {
      dataDir: dirs.data,
      clipsDir: dirs.clips,
      cacheDir: dirs.cache,
      web: { host: '127.0.0.1', port: 0 },
      logging: { level: 'info' },
      cameras: [{ id: 'front-door', kind: 'doorbell', simulated: { motionEverySeconds: 5, width: 320, height: 180, fps: 10 }, record: { preSeconds: 1, postSeconds: 1 } }],
    };
    const file = path.join(tmp.path, 'clipgate.yml');
    writeFileSync(file, JSON.stringify(config));
    // The child inherits the umask it is spawned with: 022, as from a login shell or cron.
    const previous = process.umask(0o022);
    try {
      daemon = await spawnProcess(process.execPath, [MAIN, 'start', '--config', file], { name: 'clipgate', cwd: tmp.path, onData: (_s, chunk) => (log += chunk) });
    } finally {
      process.umask(previous);
    }
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop('SIGTERM', 10_000);
    await tmp?.cleanup();
  });

  it('tightens what was open, writes new clips, segments and the database privately, and says what it changed', async () => {
    await waitFor('clipgate started', () => log.includes('"msg":"clipgate started"'), 60_000);
    // A real clip from the simulated doorbell: database rows, the mp4 and its thumbnail are new files.
    await waitFor('a new clip in clipsDir', () => walk(dirs.clips).some((e) => e.path.endsWith('.jpg')), 90_000, 250);
    await waitFor('segments in the cache', () => walk(path.join(dirs.cache, 'front-door')).length > 3, 30_000, 250);
    const exit = await daemon!.stop('SIGTERM', 10_000);
    expect(exit.code).toBe(0);

    const warnings = log.split('\n').filter((l) => l.includes('private files:'));
    expect(warnings.some((w) => w.includes(dirs.data) && w.includes('"from":"0644","to":"0600"'))).toBe(true);
    expect(warnings.some((w) => w.includes(dirs.clips) && w.includes('old.mp4'))).toBe(true);
    expect(warnings.join('\n')).not.toContain('another-program.txt');

    const bad: string[] = [];
    for (const root of [dirs.data, dirs.clips]) {
      for (const e of walk(root)) {
        if (e.link) continue;
        const want = e.dir ? '0700' : '0600';
        if (mode(e.path) !== want) bad.push(`${mode(e.path)} ${e.path}`);
      }
    }
    expect(bad).toEqual([]);
    expect(walk(dirs.data).some((e) => e.path.endsWith('clipgate.db'))).toBe(true);
    // The cache: its own folder and the camera's segments are private; another program's file is not ours.
    for (const e of walk(path.join(dirs.cache, 'front-door'))) expect(mode(e.path), e.path).toBe(e.dir ? '0700' : '0600');
    expect(mode(dirs.cache)).toBe('0700');
    expect(mode(dirs.foreign)).toBe('0644');
    // A symlink is never followed: its target outside keeps its mode.
    expect(mode(dirs.outside)).toBe('0644');

    // The listing for the record (issue 16's closing note), in `stat -c '%a %F %n'` form.
    const kind = (e: { dir: boolean; link: boolean }): string => (e.link ? 'symbolic link' : e.dir ? 'directory' : 'regular file');
    const listing = [dirs.data, dirs.clips, dirs.cache].flatMap((root) => walk(root).map((e) => `${mode(e.path).slice(1)} ${kind(e)} ${e.path}`));
    console.log(listing.join('\n').split(tmp.path).join('<tmp>'));
  }, 180_000);
});
