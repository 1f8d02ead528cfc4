import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, sleep, waitUntil, type TempDir } from '../../support/index.js';
import { inboxHarness, type InboxHarness } from './harness.js';
import { limited, makeVideo, type Container } from './videos.js';

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let tmp: TempDir;
let h: InboxHarness;
let src: string;

/** 39 distinct valid videos across the supported containers. */
const VALID: { name: string; container: Container; pcm?: boolean }[] = [
  ...Array.from({ length: 25 }, (_, i) => ({ name: `2026-11-29_12-${String(i).padStart(2, '0')}-00.mp4`, container: 'mp4' as const })),
  ...Array.from({ length: 5 }, (_, i) => ({ name: `RecM01_2026112${i}_101500_101530.mkv`, container: 'mkv' as const, pcm: i % 2 === 0 })),
  ...Array.from({ length: 3 }, (_, i) => ({ name: `cam-${i}.avi`, container: 'avi' as const, pcm: true })),
  ...Array.from({ length: 3 }, (_, i) => ({ name: `2026112${i}-080000.ts`, container: 'ts' as const })),
  ...Array.from({ length: 3 }, (_, i) => ({ name: `clip ${i}.mov`, container: 'mov' as const })),
];
const SLOW = ['slow-1.mp4', 'slow-2.mp4', 'slow-3.mp4'];
const EARLY = 10; // present before the service starts

async function writeSlowly(file: string, content: Buffer, violations: string[]): Promise<void> {
  const chunks = 10;
  const size = Math.ceil(content.length / chunks);
  writeFileSync(file, content.subarray(0, size));
  for (let i = 1; i < chunks; i++) {
    await sleep(400);
    // Appending by path: had the inbox taken the file early, the append would create a new one.
    if (!existsSync(file)) violations.push(`${path.basename(file)} taken after ${i} of ${chunks} chunks`);
    appendFileSync(file, content.subarray(i * size, (i + 1) * size));
  }
}

beforeAll(async () => {
  tmp = await makeTempDir('cg-inbox-');
  src = path.join(tmp.path, 'src');
  h = inboxHarness(tmp.path);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(src);
  const jobs = [
    ...VALID.map((v, i) => () => makeVideo(path.join(src, v.name), { seed: i, container: v.container, pcmAudio: v.pcm })),
    ...SLOW.map((n, i) => () => makeVideo(path.join(src, n), { seed: 100 + i, container: 'mp4' })),
    () => makeVideo(path.join(src, 'indexlast.mp4'), { seed: 200, container: 'mp4', indexLast: true }),
    () => makeVideo(path.join(src, 'late.mp4'), { seed: 201, container: 'mp4' }),
  ];
  await limited(2, jobs);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await tmp?.cleanup();
});

describe('inbox ingest', () => {
  it('50 drops at once: every valid clip once, garbage refused with reasons, slow uploads only when finished', async () => {
    const { inbox } = h;
    const put = (name: string, from = name): void => writeFileSync(path.join(inbox, name), readFileSync(path.join(src, from)));
    VALID.slice(0, EARLY).forEach((v) => put(v.name));
    await h.store.start();
    await h.service.start();

    const violations: string[] = [];
    const slow = SLOW.map((n) => writeSlowly(path.join(inbox, n), readFileSync(path.join(src, n)), violations));
    VALID.slice(EARLY).forEach((v) => put(v.name));
    // 2 duplicates of earlier drops under other names (one needs a remux: the remux must be deterministic).
    put('copy-of-first.mp4', VALID[0]!.name);
    put('copy-of-mkv.mkv', VALID[25]!.name);
    // 5 garbage files.
    writeFileSync(path.join(inbox, 'random.mp4'), createHash('sha512').update('x').digest());
    writeFileSync(path.join(inbox, 'notes.mkv'), 'this is not a video\n');
    const whole = readFileSync(path.join(src, 'indexlast.mp4'));
    writeFileSync(path.join(inbox, 'truncated.mp4'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    writeFileSync(path.join(inbox, 'readme.txt'), 'hello');
    writeFileSync(path.join(inbox, 'empty.avi'), '');
    // A symlink to a perfectly good video elsewhere: refused, its target left alone.
    const target = path.join(src, VALID[1]!.name);
    symlinkSync(target, path.join(inbox, 'link.mp4'));
    // Ignored until renamed: hidden files and uploads in progress.
    put('.hidden.mp4', 'late.mp4');
    put('late.mp4.part', 'late.mp4');

    await Promise.all(slow);
    const rejectedDir = path.join(inbox, '.rejected');
    const reasons = (): string[] => (existsSync(rejectedDir) ? readdirSync(rejectedDir).filter((n) => n.endsWith('.reason')) : []);
    const dropsLeft = (): string[] => readdirSync(inbox).filter((n) => !n.startsWith('.') && !n.endsWith('.part'));
    await waitUntil('every drop to be handled', () => dropsLeft().length === 0 && reasons().length === 8, 150_000, 200);
    await h.service.idle();

    expect(violations).toEqual([]);
    const clips = h.repos.clips.list({ limit: 1000 }).items;
    expect(clips).toHaveLength(VALID.length + SLOW.length);
    expect(new Set(clips.map((c) => c.sha256)).size).toBe(clips.length);
    expect(clips.every((c) => c.status === 'pending' && c.trigger === 'inbox' && c.cameraId === 'garden')).toBe(true);
    // mp4 drops are moved in byte for byte; the slow ones complete, not a prefix.
    const shas = new Set(clips.map((c) => c.sha256));
    for (const n of [...SLOW, ...VALID.filter((v) => v.container === 'mp4').map((v) => v.name)]) expect(shas.has(sha(path.join(src, n))), n).toBe(true);
    // Every stored clip is a real mp4 with a duration; names gave the start time.
    expect(clips.every((c) => c.durationMs >= 900 && c.width === 320 && c.height === 240)).toBe(true);
    const first = clips.find((c) => c.sha256 === sha(path.join(src, VALID[0]!.name)));
    expect(first?.startedAt).toBe(new Date(2026, 10, 29, 12, 0, 0).toISOString());

    const codeOf = (name: string): string => readFileSync(path.join(rejectedDir, `${name}.reason`), 'utf8').split('\n')[0]!;
    expect(Object.fromEntries(reasons().map((r) => [r.slice(0, -'.reason'.length), codeOf(r.slice(0, -'.reason'.length))]))).toEqual({
      'copy-of-first.mp4': 'duplicate',
      'copy-of-mkv.mkv': 'duplicate',
      'random.mp4': 'not-a-video',
      'notes.mkv': 'not-a-video',
      'truncated.mp4': 'not-a-video',
      'readme.txt': 'unsupported-type',
      'empty.avi': 'empty',
      'link.mp4': 'symlink',
    });
    expect(existsSync(target)).toBe(true);
    expect(existsSync(path.join(inbox, '.hidden.mp4'))).toBe(true);
    expect(existsSync(path.join(inbox, 'late.mp4.part'))).toBe(true);

    // The upload finishes: renamed to its real name, it is ingested.
    renameSync(path.join(inbox, 'late.mp4.part'), path.join(inbox, 'late.mp4'));
    await waitUntil('the renamed upload', () => h.repos.clips.countByStatus('pending') === clips.length + 1, 150_000, 200);
    expect(h.repos.clips.findBySha256(sha(path.join(src, 'late.mp4')))).toBeDefined();
    expect(readdirSync(path.join(h.dataDir, 'tmp', 'inbox'))).toEqual([]);
  }, 240_000);
});
