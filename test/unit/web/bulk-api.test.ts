// Bulk reject and delete (the queue's multi-select) in front of the REAL review service, built by
// its own factory as app.ts builds it: each id is its own transaction and ledger entry, and a clip
// the share rules protect is refused with its reason while the others are done.
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShareView } from '../../../src/core/types.js';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import { createReview } from '../../../src/review/index.js';
import { generateToken, hashToken } from '../../../src/web/auth/tokens.js';
import type { ApiControls } from '../../../src/web/context.js';
import { createWeb } from '../../../src/web/index.js';
import { BULK_MAX_IDS, type BulkResult } from '../../../src/web/routes/clips-bulk.js';
import type { WebService } from '../../../src/web/server.js';
import { makeCore, type TestCore } from '../../support/core.js';
import { FakeControls } from './fakes.js';

let core: TestCore;
let web: WebService;
let token: string;

beforeAll(async () => {
  // rejectedDays 0: a rejected clip's files go at once, so the test also sees them removed.
  core = makeCore({ config: { retention: { rejectedDays: 0 } } });
  const review = createReview(core);
  // Cameras, shares and stats are other modules' business here: fakes stand in for them; review and ledger are real.
  const controls = {} as ApiControls;
  new FakeControls(core).install(controls);
  controls.review = review.review;
  controls.ledger = review.ledger;
  web = createWeb(core, { controls });
  await web.start();
  token = generateToken();
  core.repos.tokens.insert('test', hashToken(token), core.clock.iso());
});

afterAll(async () => {
  await web?.stop();
  core?.cleanup();
});

let n = 0;
function addClip(): ClipRecord {
  const id = `bulk-${++n}`;
  const at = new Date(Date.parse('2026-11-29T12:00:00.000Z') + n * 1000).toISOString();
  writeFileSync(path.join(core.paths.clips, `${id}.mp4`), 'video');
  const rec: ClipRecord = {
    id, cameraId: 'front', status: 'pending', trigger: 'motion', startedAt: at, endedAt: at, durationMs: 1000, sizeBytes: 5, width: 640, height: 360,
    hasAudio: false, sha256: createHash('sha256').update(id).digest('hex'), filePath: `clips/${id}.mp4`, thumbPath: null, createdAt: at, reviewedAt: null, fileDeletedAt: null,
    labels: {}, analysis: 'off',
  };
  core.repos.clips.insert(rec);
  return rec;
}

function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const server = web.server;
  if (!server) throw new Error('web server not started');
  return server.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

/** Approve through the API, finish the export as the export worker would, and Send: a shared clip. */
async function sharedClip(): Promise<{ clip: ClipRecord; share: ShareView }> {
  const clip = addClip();
  const share = (await call('POST', `/api/clips/${clip.id}/approve`, {})).json<ShareView>();
  const rel = path.join('exports', `${share.id}.mp4`);
  const bytes = `export of ${share.id}`;
  writeFileSync(path.join(core.paths.dataDir, rel), bytes);
  core.repos.shares.update(share.id, { status: 'ready', exportPath: rel, sha256: createHash('sha256').update(bytes).digest('hex'), durationMs: 1000, bytesTotal: bytes.length }, core.clock.iso(), 'exporting');
  return { clip, share };
}

describe('POST /api/clips/reject {ids}', () => {
  it('rejects 10 clips with 10 ledger entries; a shared clip among them is refused with its reason, the others are done', async () => {
    const pending = Array.from({ length: 10 }, () => addClip());
    const { clip: shared, share } = await sharedClip();
    expect((await call('POST', `/api/shares/${share.id}/send`)).statusCode).toBe(202);
    const ids = [...pending.slice(0, 5).map((c) => c.id), shared.id, ...pending.slice(5).map((c) => c.id)];
    const before = core.repos.ledger.count();
    const res = await call('POST', '/api/clips/reject', { ids });
    expect(res.statusCode).toBe(200);
    const results = res.json<BulkResult[]>();
    expect(results.map((r) => r.id)).toEqual(ids);
    for (const c of pending) expect(results.find((r) => r.id === c.id)).toEqual({ id: c.id, ok: true, status: 'rejected' });
    expect(results.find((r) => r.id === shared.id)).toEqual({
      id: shared.id, ok: false, status: 'approved',
      error: { code: 'NOT_REJECTABLE', message: `clip ${shared.id} is already approved; only a pending clip can be rejected` },
    });
    const entries = core.repos.ledger.after(0).slice(before);
    expect(entries.map((e) => [e.action, e.clipId])).toEqual(pending.map((c) => ['rejected', c.id]));
    expect(new Set(entries.map((e) => e.seq)).size).toBe(10);
    for (const c of pending) {
      expect(core.repos.clips.get(c.id)?.status).toBe('rejected');
      expect(existsSync(path.join(core.paths.dataDir, c.filePath))).toBe(false);
    }
    expect(core.repos.clips.get(shared.id)?.status).toBe('approved');
    expect(core.repos.shares.get(share.id)?.status).toBe('queued');
  });

  it('an unknown id is CLIP_NOT_FOUND without a status; rejecting twice is NOT_REJECTABLE', async () => {
    const c = addClip();
    const first = (await call('POST', '/api/clips/reject', { ids: [c.id, 'no-such-clip'] })).json<BulkResult[]>();
    expect(first).toEqual([
      { id: c.id, ok: true, status: 'rejected' },
      { id: 'no-such-clip', ok: false, error: { code: 'CLIP_NOT_FOUND', message: 'no clip no-such-clip' } },
    ]);
    const again = (await call('POST', '/api/clips/reject', { ids: [c.id] })).json<BulkResult[]>();
    expect(again).toMatchObject([{ id: c.id, ok: false, status: 'rejected', error: { code: 'NOT_REJECTABLE' } }]);
  });
});

describe('POST /api/clips/delete {ids}', () => {
  it('deletes each clip with a `deleted` ledger entry; one whose share waits for Send is refused (NOT_DELETABLE)', async () => {
    const a = addClip();
    const b = addClip();
    const { clip: busy, share } = await sharedClip();
    const before = core.repos.ledger.count();
    const results = (await call('POST', '/api/clips/delete', { ids: [a.id, busy.id, b.id] })).json<BulkResult[]>();
    expect(results).toEqual([
      { id: a.id, ok: true },
      { id: busy.id, ok: false, status: 'approved', error: { code: 'NOT_DELETABLE', message: expect.stringContaining('is ready; cancel it') as string } },
      { id: b.id, ok: true },
    ]);
    expect(core.repos.ledger.after(0).slice(before).map((e) => [e.action, e.clipId])).toEqual([['deleted', a.id], ['deleted', b.id]]);
    expect(core.repos.clips.get(a.id)).toBeUndefined();
    expect(existsSync(path.join(core.paths.dataDir, a.filePath))).toBe(false);
    expect(core.repos.shares.get(share.id)?.status).toBe('ready');
  });
});

describe('bulk input is bounded and checked before anything is done', () => {
  it.each([
    ['no ids', { ids: [] }, /^body\.ids: /],
    ['too many ids', { ids: Array.from({ length: BULK_MAX_IDS + 1 }, (_, i) => `c${i}`) }, /^body\.ids: /],
    ['the same id twice', { ids: ['x1', 'x1'] }, /^body\.ids: must not name a clip twice/],
    ['a path in an id', { ids: ['../etc'] }, /^body\.ids\.0: /],
    ['an unknown key', { ids: ['x1'], approve: true }, /^body: /],
    ['no body', undefined, /^body\.ids: /],
  ])('%s → 400 VALIDATION_FAILED, nothing changed', async (_name, payload, message) => {
    const c = addClip();
    const body = payload && 'ids' in payload && payload.ids.length === 1 && payload.ids[0] === 'x1' ? { ...payload, ids: [c.id] } : payload;
    const before = core.repos.ledger.count();
    for (const url of ['/api/clips/reject', '/api/clips/delete']) {
      const res = await call('POST', url, body);
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(message) as string } });
    }
    expect(core.repos.ledger.count()).toBe(before);
    expect(core.repos.clips.get(c.id)?.status).toBe('pending');
  });

  it('500 ids in one request: every one answered, in order', async () => {
    const ids = Array.from({ length: BULK_MAX_IDS }, () => addClip().id);
    const results = (await call('POST', '/api/clips/reject', { ids })).json<BulkResult[]>();
    expect(results).toHaveLength(BULK_MAX_IDS);
    expect(results.every((r, i) => r.ok && r.id === ids[i])).toBe(true);
  });
});
