// Media routes serve only what really lies in the clips (or exports) folder (issue 16): a clip
// file or thumbnail that is a symlink — to a file outside the data dir, or to the database next
// to the clips folder — is refused, not followed, whatever path.resolve() makes of its name.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClip, login, startHarness, type Harness, type Login } from './harness.js';

let h: Harness;
let l: Login;
const SECRET = Buffer.from('outside-secret-bytes '.repeat(50));
const GOOD = Buffer.alloc(1000, 3);

beforeAll(async () => {
  h = await startHarness();
  l = await login(h);
  const dataDir = h.app.core.paths.dataDir;
  const outside = path.join(h.dir.path, 'outside.mp4');
  writeFileSync(outside, SECRET);
  addClip(h, { id: 'good' }, GOOD);
  // Swap the stored files of these clips for links after they were recorded.
  for (const [id, target] of [['to-outside', outside], ['to-db', path.join(dataDir, 'clipgate.db')], ['to-relative', '../../outside.mp4']] as const) {
    addClip(h, { id }, GOOD);
    const video = path.join(dataDir, 'clips', `${id}.mp4`);
    rmSync(video);
    symlinkSync(target, video);
  }
  // A thumbnail link, and a whole folder inside clips/ that is a link to the outside.
  addClip(h, { id: 'thumb-link' }, GOOD);
  const thumb = path.join(dataDir, 'clips', 'thumb-link.jpg');
  rmSync(thumb);
  symlinkSync(outside, thumb);
  mkdirSync(path.join(h.dir.path, 'elsewhere'));
  writeFileSync(path.join(h.dir.path, 'elsewhere', 'x.mp4'), SECRET);
  symlinkSync(path.join(h.dir.path, 'elsewhere'), path.join(dataDir, 'clips', 'linked-dir'));
  addClip(h, { id: 'dir-link', filePath: path.join('clips', 'linked-dir', 'x.mp4') }, GOOD);
});
afterAll(async () => h.close());

const get = (url: string, headers: Record<string, string> = {}) => h.server.inject({ url, headers: { cookie: l.cookie, ...headers } });

describe('media containment', () => {
  it('serves a real file inside the clips folder', async () => {
    const res = await get('/api/clips/good/video');
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(GOOD)).toBe(true);
    expect((await get('/api/clips/good/video', { range: 'bytes=10-19' })).rawPayload.equals(GOOD.subarray(10, 20))).toBe(true);
  });

  it.each(['to-outside', 'to-db', 'to-relative', 'dir-link'])('refuses a clip whose file leads outside through a link (%s)', async (id) => {
    for (const headers of [{}, { range: 'bytes=0-99' }] as Record<string, string>[]) {
      const res = await get(`/api/clips/${id}/video`, headers);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: `clip ${id} has no readable file` } });
      expect(res.rawPayload.includes(SECRET.subarray(0, 20))).toBe(false);
    }
  });

  it('refuses a thumbnail that is a link', async () => {
    const res = await get('/api/clips/thumb-link/thumbnail');
    expect(res.statusCode).toBe(404);
    expect(res.rawPayload.includes(SECRET.subarray(0, 20))).toBe(false);
  });
});
