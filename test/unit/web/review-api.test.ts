// The API in front of the REAL review and share services, each built by its own factory as app.ts
// builds it (the export worker is built but not started, so a share stays `exporting`): what the
// owner is offered (`actions`) and what the server does are derived from the same share rules.
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecording } from '../../../src/cameras/index.js';
import type { ShareView } from '../../../src/core/types.js';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import { Scheduler } from '../../../src/jobs/scheduler.js';
import { createRetention } from '../../../src/retention/index.js';
import { createReview } from '../../../src/review/index.js';
import { createUpload } from '../../../src/upload/index.js';
import { generateToken, hashToken } from '../../../src/web/auth/tokens.js';
import { createWeb } from '../../../src/web/index.js';
import type { WebService } from '../../../src/web/server.js';
import { makeCore, type TestCore } from '../../support/core.js';

let core: TestCore;
let web: WebService;
let token: string;

beforeAll(async () => {
  core = makeCore();
  const review = createReview(core);
  const scheduler = new Scheduler({ log: core.log, clock: core.clock, jobRuns: core.repos.jobRuns });
  const upload = createUpload(core, { ledger: review.ledger, scheduler });
  const retention = createRetention(core, { ledger: review.ledger, scheduler, openRequests: () => 0 });
  web = createWeb(core, {
    controls: { cameras: createRecording(core).cameras, review: review.review, shares: upload.shares, ledger: review.ledger, stats: () => retention.stats.get() },
  });
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
  const id = `clip-${++n}`;
  const at = core.clock.iso();
  writeFileSync(path.join(core.paths.clips, `${id}.mp4`), 'video');
  const rec: ClipRecord = {
    id, cameraId: 'front', status: 'pending', trigger: 'motion', startedAt: at, endedAt: at, durationMs: 1000, sizeBytes: 5, width: 640, height: 360,
    hasAudio: false, sha256: 'a'.repeat(64), filePath: `clips/${id}.mp4`, thumbPath: null, createdAt: at, reviewedAt: null, fileDeletedAt: null,
    labels: {}, analysis: 'pending',
  };
  core.repos.clips.insert(rec);
  return rec;
}

/** What the export worker does when the export is done (it is built but not started here). */
function exportDone(shareId: string, bytes = `export of ${shareId} `.repeat(50)): string {
  const rel = path.join('exports', `${shareId}.mp4`);
  writeFileSync(path.join(core.paths.dataDir, rel), bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  core.repos.shares.update(shareId, { status: 'ready', exportPath: rel, sha256, durationMs: 1000, bytesTotal: bytes.length }, core.clock.iso(), 'exporting');
  return rel;
}

function call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) {
  const server = web.server;
  if (!server) throw new Error('web server not started');
  return server.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload ? { payload } : {}) });
}

describe('approving or rejecting a deleted clip', () => {
  it('answers with review’s own reason (409, "has been deleted"), not CLIP_NOT_FOUND', async () => {
    const clip = addClip();
    expect((await call('DELETE', `/api/clips/${clip.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/clips/${clip.id}`)).json()).toMatchObject({ error: { code: 'CLIP_NOT_FOUND' } });
    const approve = await call('POST', `/api/clips/${clip.id}/approve`, {});
    expect(approve.statusCode).toBe(409);
    expect(approve.json()).toMatchObject({ error: { code: 'NOT_APPROVABLE', message: expect.stringContaining('has been deleted') as string } });
    const reject = await call('POST', `/api/clips/${clip.id}/reject`);
    expect(reject.json()).toMatchObject({ error: { code: 'NOT_REJECTABLE', message: expect.stringContaining('has been deleted') as string } });
  });

  it('a clip that never existed is still CLIP_NOT_FOUND', async () => {
    for (const [method, url] of [['POST', '/api/clips/never/approve'], ['POST', '/api/clips/never/reject'], ['DELETE', '/api/clips/never']] as const) {
      const res = await call(method, url, method === 'POST' ? {} : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'CLIP_NOT_FOUND' } });
    }
  });
});

describe('share actions follow the share rules', () => {
  it('an exporting share offers cancel only: revoke is 409, and cancelling records nothing and makes the clip pending again', async () => {
    const clip = addClip();
    const approved = await call('POST', `/api/clips/${clip.id}/approve`, {});
    expect(approved.statusCode).toBe(202);
    const share = approved.json<ShareView>();
    expect(share).toMatchObject({ status: 'exporting', actions: ['cancel'] });
    const revoke = await call('POST', `/api/shares/${share.id}/revoke`);
    expect(revoke.statusCode).toBe(409);
    expect(revoke.json()).toMatchObject({ error: { code: 'NOT_REVOCABLE', message: expect.stringContaining('cancel it instead') as string } });
    // Nor can its clip be deleted while the export runs.
    expect((await call('DELETE', `/api/clips/${clip.id}`)).json()).toMatchObject({ error: { code: 'NOT_DELETABLE' } });
    const entriesBefore = core.repos.ledger.count();
    const cancel = await call('POST', `/api/shares/${share.id}/cancel`);
    expect(cancel.statusCode).toBe(202);
    expect(cancel.json()).toMatchObject({ status: 'cancelled', actions: ['delete'] });
    expect(core.repos.clips.get(clip.id)?.status).toBe('pending');
    expect(core.repos.ledger.count()).toBe(entriesBefore);
    // Pending again: it can be approved again, a new share.
    const again = await call('POST', `/api/clips/${clip.id}/approve`, {});
    expect(again.statusCode).toBe(202);
    expect(again.json<ShareView>().id).not.toBe(share.id);
  });

  it('a ready share streams its export with Range, then Send records consent naming its hash', async () => {
    const clip = addClip();
    const share = (await call('POST', `/api/clips/${clip.id}/approve`, {})).json<ShareView>();
    expect((await call('GET', `/api/shares/${share.id}/video`)).statusCode).toBe(404);
    const rel = exportDone(share.id);
    const view = (await call('GET', `/api/shares/${share.id}`)).json<ShareView>();
    expect(view).toMatchObject({ status: 'ready', actions: ['send', 'cancel'], durationMs: 1000 });
    const part = await call('GET', `/api/shares/${share.id}/video`, undefined, { range: 'bytes=10-19' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-type']).toBe('video/mp4');
    expect(part.body).toBe(`export of ${share.id} `.repeat(50).slice(10, 20));
    const sent = await call('POST', `/api/shares/${share.id}/send`);
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ status: 'queued', actions: ['cancel'] });
    const entry = core.repos.ledger.forShare(share.id).at(-1);
    expect(entry).toMatchObject({ action: 'approved', exportSha256: view.sha256 });
    expect((await call('POST', `/api/shares/${share.id}/send`)).json()).toMatchObject({ error: { code: 'NOT_SENDABLE' } });
    // No platform here: nothing was sent, so cancelling now is a withdrawal (0 bytes), recorded.
    const withdrawn = await call('POST', `/api/shares/${share.id}/cancel`);
    expect(withdrawn.json()).toMatchObject({ status: 'cancelled' });
    expect(core.repos.ledger.forShare(share.id).map((e) => e.action)).toEqual(['approved', 'withdrawn']);
    expect(existsSync(path.join(core.paths.dataDir, rel))).toBe(false);
    expect((await call('GET', `/api/shares/${share.id}/video`)).json()).toMatchObject({ error: { code: 'CLIP_FILE_GONE' } });
  });

  it('every status lists exactly what the server then accepts', async () => {
    const clip = addClip();
    const share = (await call('POST', `/api/clips/${clip.id}/approve`, {})).json<ShareView>();
    const viewOf = async (): Promise<ShareView> => (await call('GET', `/api/shares/${share.id}`)).json<ShareView>();
    core.repos.shares.update(share.id, { status: 'failed', error: 'export failed: test' }, core.clock.iso());
    expect((await viewOf()).actions).toEqual(['retry', 'revoke', 'delete']);
    expect((await call('GET', '/api/shares')).json<ShareView[]>().find((s) => s.id === share.id)?.actions).toEqual(['retry', 'revoke', 'delete']);
    core.repos.shares.update(share.id, { status: 'exporting', error: null }, core.clock.iso());
    exportDone(share.id);
    expect((await call('POST', `/api/shares/${share.id}/send`)).statusCode).toBe(202);
    // As if the platform had acknowledged every byte (no platform here: no upload URL to DELETE).
    core.repos.shares.update(share.id, { status: 'uploaded', bytesSent: 100 }, core.clock.iso());
    expect((await viewOf()).actions).toEqual(['revoke', 'delete']);
    expect((await call('POST', `/api/shares/${share.id}/retry`)).json()).toMatchObject({ error: { code: 'NOT_RETRYABLE' } });
    expect((await call('POST', `/api/shares/${share.id}/cancel`)).json()).toMatchObject({ error: { code: 'NOT_CANCELLABLE' } });
    const revoked = await call('POST', `/api/shares/${share.id}/revoke`);
    expect(revoked.statusCode).toBe(202);
    expect(revoked.json()).toMatchObject({ status: 'revoked', actions: ['delete'] });
    expect((await call('DELETE', `/api/clips/${clip.id}`)).statusCode).toBe(204);
    // The clip is gone: nothing left to delete, and a revoked share offers nothing else.
    expect((await viewOf()).actions).toEqual([]);
  });
});
