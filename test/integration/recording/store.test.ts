// ClipStore with real ffmpeg/ffprobe: what the inbox ingest and the assembler rely on.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runChecked, type TempDir } from '../../support/index.js';
import { makeRig, type Rig } from './rig.js';

describe('ClipStore.addFromFile', () => {
  let tmp: TempDir;
  let rig: Rig;
  let sample: string;

  beforeAll(async () => {
    tmp = await makeTempDir('cg-store-');
    sample = path.join(tmp.path, 'sample.mp4');
    await runChecked('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-f', 'lavfi', '-i', 'sine=sample_rate=16000', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', sample], { timeoutMs: 60_000 });
    rig = makeRig({ dir: tmp.path, cameras: [] });
    await rig.start();
  });
  afterAll(async () => {
    await rig?.stop();
    await tmp?.cleanup();
  });

  it('copies, hashes, thumbnails and inserts a pending row, then announces it', async () => {
    const clip = await rig.store.addFromFile({ cameraId: 'gate', trigger: 'inbox', startedAt: '2026-11-29T23:59:58.500Z', file: sample, move: false });
    const row = rig.repos.clips.get(clip.id);
    expect(row).toMatchObject({ status: 'pending', trigger: 'inbox', cameraId: 'gate', width: 320, height: 180, hasAudio: true, startedAt: '2026-11-29T23:59:58.500Z' });
    expect(row?.filePath).toBe(`clips/gate/2026-11-29/${clip.id}.mp4`);
    expect(row?.thumbPath).toBe(`clips/gate/2026-11-29/${clip.id}.jpg`);
    const file = path.join(rig.dataDir, row?.filePath ?? '');
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(clip.sha256);
    expect(clip.sizeBytes).toBe(readFileSync(file).length);
    expect(Date.parse(clip.endedAt) - Date.parse(clip.startedAt)).toBe(clip.durationMs);
    expect(clip.durationMs).toBeGreaterThan(1_500);
    expect(readFileSync(path.join(rig.dataDir, row?.thumbPath ?? '')).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(existsSync(sample)).toBe(true);
    expect(rig.seen('clip.created').at(-1)?.clip).toEqual(clip);

    await rig.store.deleteFiles(row!);
    expect(existsSync(file)).toBe(false);
    await rig.store.deleteFiles(row!); // idempotent
  });

  it('rejects a file that is not a video with MEDIA_FAILED and stores nothing', async () => {
    const junk = path.join(tmp.path, 'junk.mp4');
    await writeFile(junk, 'this is not a video');
    const before = rig.seen('clip.created').length;
    await expect(rig.store.addFromFile({ cameraId: 'junk', trigger: 'inbox', startedAt: new Date().toISOString(), file: junk, move: true })).rejects.toMatchObject({ code: 'MEDIA_FAILED' });
    expect(rig.seen('clip.created').length).toBe(before);
    expect(existsSync(path.join(rig.dataDir, 'clips', 'junk'))).toBe(false);
    expect(existsSync(junk)).toBe(true);
  });

  it('move: true takes the file in', async () => {
    const copy = path.join(tmp.path, 'move-me.mp4');
    await writeFile(copy, readFileSync(sample));
    const clip = await rig.store.addFromFile({ cameraId: 'gate', trigger: 'inbox', startedAt: new Date().toISOString(), file: copy, move: true });
    expect(existsSync(copy)).toBe(false);
    const dir = path.dirname(path.join(rig.dataDir, rig.repos.clips.get(clip.id)?.filePath ?? ''));
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
