// clipsDir outside dataDir (the Home Assistant add-on keeps clips in /media/clipgate, the database
// in /data): clips are stored there, served, survive the store's crash recovery and the orphan
// sweep, and retention measures the fuller of the two disks.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipStore } from '../../../src/clips/store.js';
import { fullestDisk } from '../../../src/retention/disk.js';
import { sweepOrphans } from '../../../src/retention/disk-sweep.js';
import { runChecked } from '../../support/index.js';
import { login, startHarness, type Harness } from '../../unit/web/harness.js';

describe('clipsDir on another folder than dataDir', () => {
  let h: Harness;
  let sample: string;
  const storeOf = (hh: Harness): ClipStore => {
    const { log, clock, bus, repos, paths } = hh.app.core;
    return new ClipStore({ log, clock, bus, clips: repos.clips, dataDir: paths.dataDir, clipsDir: paths.clips, tmpDir: paths.tmp });
  };

  beforeAll(async () => {
    h = await startHarness({ config: { clipsDir: '{dir}/media/clipgate' } });
    sample = path.join(h.dir.path, 'sample.mp4');
    await runChecked('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', sample], { timeoutMs: 60_000 });
  });
  afterAll(async () => h?.close());

  it('stores the clip under clipsDir, serves it, and keeps it through recovery and the orphan sweep', async () => {
    const { paths, repos } = h.app.core;
    expect(paths.clips).toBe(path.join(h.dir.path, 'media', 'clipgate'));
    const store = storeOf(h);
    await store.start();
    const clip = await store.addFromFile({ cameraId: 'gate', trigger: 'inbox', startedAt: '2026-11-29T10:00:00.000Z', file: sample, move: false });
    const row = repos.clips.get(clip.id);
    expect(row?.filePath).toBe(path.join('..', 'media', 'clipgate', 'gate', '2026-11-29', `${clip.id}.mp4`));
    const file = path.join(paths.clips, 'gate', '2026-11-29', `${clip.id}.mp4`);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(path.join(paths.dataDir, 'clips', 'gate'))).toBe(false);

    const l = await login(h);
    const video = await h.server.inject({ url: `/api/clips/${clip.id}/video`, headers: { cookie: l.cookie } });
    expect(video.statusCode).toBe(200);
    expect(video.rawPayload.equals(readFileSync(file))).toBe(true);
    expect((await h.server.inject({ url: `/api/clips/${clip.id}/thumbnail`, headers: { cookie: l.cookie } })).statusCode).toBe(200);

    // A second store start (crash recovery) and the retention sweep both recognise the file as referenced.
    await storeOf(h).start();
    expect(existsSync(file)).toBe(true);
    const referenced = new Set([row?.filePath, row?.thumbPath].filter((p): p is string => !!p).map((p) => path.normalize(p)));
    const swept = await sweepOrphans({ dataDir: paths.dataDir, dir: paths.clips, referenced, now: Date.now() + 30 * 86_400_000 });
    expect(swept.files).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(repos.clips.get(clip.id)?.fileDeletedAt).toBeNull();
  });

  it('a row pointing outside dataDir and clipsDir is never served', async () => {
    const { repos, clock } = h.app.core;
    const at = clock.iso();
    repos.clips.insert({
      id: 'escape', cameraId: 'gate', status: 'pending', trigger: 'inbox', startedAt: at, endedAt: at, durationMs: 1, sizeBytes: 1, width: 1, height: 1, hasAudio: false,
      sha256: 'b'.repeat(64), filePath: '../../../../../../etc/passwd', thumbPath: null, createdAt: at, reviewedAt: null, fileDeletedAt: null,
    });
    const l = await login(h);
    const res = await h.server.inject({ url: '/api/clips/escape/video', headers: { cookie: l.cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('root:');
  });

  it('the quota looks at the fuller disk', async () => {
    const space = { '/data': { totalBytes: 100, freeBytes: 50 }, '/media': { totalBytes: 1000, freeBytes: 30 } };
    const read = async (dir: string) => space[dir as keyof typeof space];
    expect(await fullestDisk(['/data', '/media'], read)).toEqual(space['/media']);
    expect(await fullestDisk(['/data', '/data'], read)).toEqual(space['/data']);
  });
});
