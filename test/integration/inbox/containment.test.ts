// Inbox containment (issue 16): whatever is dropped, nothing outside the inbox is ever read
// through it. The real inbox service and clip store (chokidar, ffprobe, ffmpeg, SQLite) with the
// default 10 s settle window. Outside the inbox lie videos carrying a unique marker inside their
// H.264 stream (it survives any stream copy); drops try to make the inbox read them — a symlink
// swapped in after the first look, a hard link, HLS/concat/ffconcat playlists naming them — next
// to drops that must simply end right: a paused writer, an empty file, a file deleted or renamed
// while it settles, a format outside the allow-list. At the end every file under the data dir is
// scanned for the marker.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { systemClock } from '../../../src/core/clock.js';
import { probeDescriptor } from '../../../src/media/probe.js';
import { ALLOWED_DEMUXERS } from '../../../src/inbox/index.js';
import { Ingester, type Settled } from '../../../src/inbox/ingest.js';
import { makeTempDir, openFiles, runProcess, sleep, waitUntil, type TempDir } from '../../support/index.js';
import { inboxHarness, type InboxHarness } from './harness.js';
import { makeVideo } from './videos.js';

const MARKER = `CLIPGATE-OUTSIDE-${randomBytes(8).toString('hex')}`;
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let tmp: TempDir;
let h: InboxHarness;
let outside: string;
let src: string;
const table: string[] = [];

/** Every regular file under `dir`, recursively (links are listed by lstat and not followed). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** The inbox service holds `file` open (it opens each drop once and keeps it through the settle window). */
const heldOpen = (file: string): boolean => openFiles(process.pid).includes(file);

beforeAll(async () => {
  tmp = await makeTempDir('cg-inbox-contain-');
  outside = path.join(tmp.path, 'outside');
  src = path.join(tmp.path, 'src');
  mkdirSync(outside);
  mkdirSync(src);
  await makeVideo(path.join(outside, 'secret.ts'), { seed: 900, container: 'ts', marker: MARKER });
  await makeVideo(path.join(outside, 'secret.mp4'), { seed: 901, container: 'mp4', marker: MARKER });
  for (const [name, seed] of [['swap.mp4', 1], ['vanish.mp4', 2], ['moving.mp4', 3]] as const) await makeVideo(path.join(src, name), { seed, container: 'mp4' });
  // Index at the end: the first half alone is not a readable video.
  await makeVideo(path.join(src, 'paused.mp4'), { seed: 4, container: 'mp4', indexLast: true });
  const jpeg = await runProcess('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', '-f', 'mjpeg', '-y', path.join(src, 'picture.jpg')], { timeoutMs: 30_000 });
  expect(jpeg.code).toBe(0);
  h = inboxHarness(tmp.path, { settleSeconds: 'default' });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await tmp?.cleanup();
  if (table.length) console.log(`inbox containment table:\n  case | outcome | reason\n  ${table.join('\n  ')}`);
});

describe('the marker and the allow-list, checked on their own', () => {
  it('the marker survives a stream copy into mp4, so a clip made from an outside file would carry it', async () => {
    const control = path.join(tmp.path, 'control.mp4');
    const r = await runProcess('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path.join(outside, 'secret.ts'), '-c', 'copy', '-y', control], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    for (const f of ['secret.ts', 'secret.mp4']) expect(readFileSync(path.join(outside, f)).includes(MARKER), f).toBe(true);
    expect(readFileSync(control).includes(MARKER)).toBe(true);
  });

  it('ffprobe on a playlist, through the allow-list, refuses the format before reading what it names', async () => {
    const list = path.join(tmp.path, 'list.ts');
    writeFileSync(list, `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${path.join(outside, 'secret.ts')}\n#EXT-X-ENDLIST\n`);
    const { open } = await import('node:fs/promises');
    const fh = await open(list, 'r');
    try {
      await expect(probeDescriptor(fh.fd, ALLOWED_DEMUXERS)).rejects.toThrow(/not on whitelist/);
    } finally {
      await fh.close();
    }
    // Without the allow-list ffmpeg follows it: this is what the inbox must never do.
    const open2 = await runProcess('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', list], { timeoutMs: 30_000 });
    expect(open2.stdout.trim()).toBe('hls');
  });
});

describe('inbox containment', () => {
  it('every hostile drop is refused with a reason or ingested once, and no byte from outside reaches the data dir', async () => {
    const { inbox } = h;
    const at = (name: string): string => path.join(inbox, name);
    await h.store.start();
    await h.service.start();

    // Refused on sight (after the settle window).
    linkSync(path.join(outside, 'secret.mp4'), at('hardlink.mp4'));
    const hls = `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${path.join(outside, 'secret.ts')}\n#EXT-X-ENDLIST\n`;
    writeFileSync(at('playlist.ts'), hls);
    writeFileSync(at('playlist.mkv'), hls);
    writeFileSync(at('concat.mkv'), `file '${path.join(outside, 'secret.ts')}'\n`);
    writeFileSync(at('ffconcat.ts'), `ffconcat version 1.0\nfile ${path.join(outside, 'secret.ts')}\n`);
    writeFileSync(at('picture.mp4'), readFileSync(path.join(src, 'picture.jpg')));
    writeFileSync(at('empty.mp4'), '');
    // Changed while settling, once the inbox holds them open.
    for (const name of ['swap.mp4', 'vanish.mp4', 'moving.mp4']) writeFileSync(at(name), readFileSync(path.join(src, name)));
    await waitUntil('the inbox to hold the drops open', () => ['swap.mp4', 'vanish.mp4', 'moving.mp4'].every((n) => heldOpen(at(n))), 10_000, 50);
    renameSync(at('swap.mp4'), path.join(outside, 'swapped-away.mp4'));
    symlinkSync(path.join(outside, 'secret.mp4'), at('swap.mp4'));
    unlinkSync(at('vanish.mp4'));
    renameSync(at('moving.mp4'), at('moved.mp4'));
    // A writer that pauses 6 s between the two halves of its upload (the window is 10 s).
    const paused = readFileSync(path.join(src, 'paused.mp4'));
    writeFileSync(at('paused.mp4'), paused.subarray(0, paused.length >> 1));
    await waitUntil('the inbox to hold the paused upload open', () => heldOpen(at('paused.mp4')), 10_000, 50);
    await sleep(6_000);
    expect(existsSync(at('paused.mp4')), 'the first half was taken as a finished drop').toBe(true);
    appendFileSync(at('paused.mp4'), paused.subarray(paused.length >> 1));

    const rejected = path.join(inbox, '.rejected');
    const expected: Record<string, string> = {
      'swap.mp4': 'symlink',
      'hardlink.mp4': 'hard-link',
      'playlist.ts': 'playlist',
      'playlist.mkv': 'playlist',
      'concat.mkv': 'playlist',
      'ffconcat.ts': 'playlist',
      'picture.mp4': 'unsupported-format',
      'empty.mp4': 'empty',
    };
    const reasons = (): Record<string, string[]> => Object.fromEntries(
      (existsSync(rejected) ? readdirSync(rejected) : []).filter((n) => n.endsWith('.reason')).map((n) => [n.slice(0, -'.reason'.length), readFileSync(path.join(rejected, n), 'utf8').split('\n')]),
    );
    const clipBySha = (file: string) => h.repos.clips.findBySha256(sha(file));
    await waitUntil(
      'every drop to be concluded',
      () => Object.keys(reasons()).length === Object.keys(expected).length && !!clipBySha(path.join(src, 'moving.mp4')) && !!clipBySha(path.join(src, 'paused.mp4')),
      120_000,
      250,
    );
    await h.service.idle();

    const got = reasons();
    for (const [name, code] of Object.entries(expected)) table.push(`${name} | rejected | ${code}: ${(got[name]?.[1] ?? '').slice(0, 110)}`);
    const clips = h.repos.clips.list({ limit: 100 }).items;
    table.push(`paused.mp4 (two halves, 6 s apart) | ${clips.filter((c) => c.sha256 === sha(path.join(src, 'paused.mp4'))).length} clip(s) | whole file, after the second half`);
    table.push(`moving.mp4 → moved.mp4 while settling | ${clips.filter((c) => c.sha256 === sha(path.join(src, 'moving.mp4'))).length} clip(s) | ingested once, under its new name`);
    table.push(`vanish.mp4 deleted while settling | ${clipBySha(path.join(src, 'vanish.mp4')) ? 'clip!' : 'no clip'} | gone: nothing kept, nothing refused`);

    expect(Object.fromEntries(Object.entries(got).map(([n, lines]) => [n, lines[0]]))).toEqual(expected);
    expect(got['playlist.ts']?.[1]).toMatch(/^an HLS playlist \(#EXTM3U\): playlists name other files/);
    expect(got['concat.mkv']?.[1]).toMatch(/^a concat list/);
    expect(got['ffconcat.ts']?.[1]).toMatch(/^an ffconcat list/);
    expect(got['hardlink.mp4']?.[1]).toMatch(/has 2 names \(a hard link\)/);
    expect(got['picture.mp4']?.[1]).toMatch(/not a container clipgate reads.*not on whitelist/);
    // Exactly two clips: the paused upload, whole, and the renamed drop, once; nothing else.
    expect(clips.map((c) => c.sha256).sort()).toEqual([sha(path.join(src, 'paused.mp4')), sha(path.join(src, 'moving.mp4'))].sort());
    expect(readdirSync(inbox).filter((n) => n !== '.rejected')).toEqual([]);
    // The outside files are where they were, untouched.
    expect(existsSync(path.join(outside, 'swapped-away.mp4'))).toBe(true);
    expect(readFileSync(path.join(outside, 'secret.mp4')).includes(MARKER)).toBe(true);
    // No descriptor of any drop is left open.
    expect(openFiles(process.pid).filter((f) => f.startsWith(inbox) || f.startsWith(outside))).toEqual([]);

    // Nothing from outside reached the data dir: clips, thumbnails, staging, database.
    const scanned = filesUnder(h.dataDir);
    expect(scanned.filter((f) => f.endsWith('.mp4')).length).toBe(2);
    expect(scanned.filter((f) => f.endsWith('.jpg')).length).toBe(2);
    const carrying = scanned.filter((f) => readFileSync(f).includes(MARKER));
    table.push(`marker scan | ${scanned.length} files under the data dir | ${carrying.length} carry the outside marker`);
    expect(carrying).toEqual([]);
    expect(readdirSync(h.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isSymbolicLink())).toEqual([]);
  }, 180_000);
});

describe('changes made after the drop settled, while it is being ingested', () => {
  beforeAll(async () => {
    // The Ingester is driven by hand here: no watcher may pick these drops up on its own.
    await h.service.stop();
    await h.store.start();
    mkdirSync(path.join(h.dataDir, 'tmp', 'inbox'), { recursive: true });
  });

  /** The real Ingester over the harness's store, with a probe that lets the test act in the middle of ingest. */
  function ingester(onProbe: (call: number) => void): Ingester {
    let calls = 0;
    return new Ingester({
      log: pino({ level: 'silent' }),
      clock: systemClock,
      store: h.store,
      clips: h.repos.clips,
      probe: async (fd, signal) => {
        const info = await probeDescriptor(fd, ALLOWED_DEMUXERS, signal ? { signal } : {});
        onProbe(++calls);
        return info;
      },
      stagingDir: path.join(h.dataDir, 'tmp', 'inbox'),
      tuning: { maxBytes: 1024 ** 3, pollMs: 100, probeAttempts: 1 },
    });
  }

  async function settled(ing: Ingester, file: string): Promise<Settled> {
    const s = await ing.settle(file, 0);
    if ('kind' in s) throw new Error(`settle ended early: ${JSON.stringify(s)}`);
    return s;
  }

  const clipsBefore = (): number => h.repos.clips.list({ limit: 100 }).items.length;

  it('a symlink swapped in after the probe: the outside file is not read, the drop is looked at again', async () => {
    const file = path.join(h.inbox, 'late-swap.mp4');
    writeFileSync(file, readFileSync(path.join(src, 'swap.mp4')));
    const before = clipsBefore();
    const ing = ingester((call) => {
      if (call !== 1) return;
      renameSync(file, path.join(outside, 'late-swapped-away.mp4'));
      symlinkSync(path.join(outside, 'secret.mp4'), file);
    });
    const outcome = await ing.ingest('garden', await settled(ing, file), 0);
    table.push(`late-swap.mp4 (symlink after the probe) | ${outcome.kind} | ${'why' in outcome ? outcome.why : ''}`);
    expect(outcome).toMatchObject({ kind: 'again', why: expect.stringMatching(/now a symbolic link/) as string });
    expect(clipsBefore()).toBe(before);
    expect(filesUnder(h.dataDir).filter((f) => readFileSync(f).includes(MARKER))).toEqual([]);
    expect(readdirSync(path.join(h.dataDir, 'tmp', 'inbox'))).toEqual([]);
    unlinkSync(file);
  });

  it('an mp4 rewritten in place into a same-size playlist after the probe, mtime put back: the staged copy is checked again and refused', async () => {
    const file = path.join(h.inbox, 'rewritten.mp4');
    const original = readFileSync(path.join(src, 'vanish.mp4'));
    writeFileSync(file, original);
    const t = Math.floor(Date.now() / 1000) - 60;
    utimesSync(file, t, t);
    const hls = Buffer.alloc(original.length, 0x0a);
    hls.write(`#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${path.join(outside, 'secret.ts')}\n#EXT-X-ENDLIST\n`);
    const before = clipsBefore();
    const ing = ingester((call) => {
      if (call !== 1) return;
      writeFileSync(file, hls, { flag: 'r+' });
      utimesSync(file, t, t);
    });
    const drop = await settled(ing, file);
    const outcome = await ing.ingest('garden', drop, 0);
    table.push(`rewritten.mp4 (same-size playlist after the probe, mtime reset) | ${outcome.kind} | ${'why' in outcome ? outcome.why : ''}`);
    // Same size and mtime as when it settled: only the check of the staged copy can see it.
    expect(statSync(file).size).toBe(drop.snap.size);
    expect(statSync(file).mtimeMs).toBe(drop.snap.mtimeMs);
    expect(outcome).toMatchObject({ kind: 'again', why: expect.stringMatching(/changed after it had settled/) as string });
    expect(clipsBefore()).toBe(before);
    expect(filesUnder(h.dataDir).filter((f) => readFileSync(f).includes(MARKER))).toEqual([]);
    expect(readdirSync(path.join(h.dataDir, 'tmp', 'inbox'))).toEqual([]);
    unlinkSync(file);
  });
});
