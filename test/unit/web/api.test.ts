import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../../src/core/types.js';
import { addClip, authed, login, matching, startHarness, type Harness, type Login } from './harness.js';

let h: Harness;
let l: Login;
const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

beforeAll(async () => {
  h = await startHarness();
  l = await login(h);
  const t0 = Date.parse('2026-11-29T12:00:00.000Z');
  for (let i = 0; i < 7; i++) {
    addClip(h, { id: `clip-${i}`, startedAt: new Date(t0 + i * 60_000).toISOString(), cameraId: i % 2 ? 'garden' : 'front-door', status: i === 6 ? 'rejected' : 'pending' }, BYTES);
  }
});
afterAll(async () => h.close());

const get = (url: string, headers: Record<string, string> = {}) => h.server.inject({ url, headers: { cookie: l.cookie, ...headers } });

describe('clips', () => {
  it('filters by label (any of) and hides analysed clips without person or vehicle only when asked', async () => {
    h.app.core.repos.clips.setAnalysis('clip-1', 'done', { person: 0.9 });
    h.app.core.repos.clips.setAnalysis('clip-2', 'done', { vehicle: 0.7, other: 0.4 });
    h.app.core.repos.clips.setAnalysis('clip-3', 'done', { animal: 0.8 });
    const ids = async (q: string): Promise<string[]> => (await get(`/api/clips?${q}`)).json<{ items: Clip[] }>().items.map((c) => c.id);
    expect(await ids('label=person')).toEqual(['clip-1']);
    expect(await ids('label=person,vehicle')).toEqual(['clip-2', 'clip-1']);
    expect(await ids('label=vehicle&limit=1')).toEqual(['clip-2']);
    // Analysed as animal only: left out of the default queue view; clips not analysed yet stay.
    expect(await ids('status=pending&hideUnlabelled=true')).toEqual(['clip-5', 'clip-4', 'clip-2', 'clip-1', 'clip-0']);
    expect(await ids('status=pending')).toContain('clip-3');
    const c2 = (await get('/api/clips/clip-2')).json<Clip>();
    expect(c2).toMatchObject({ labels: { vehicle: 0.7 }, analysis: 'done' });
    expect(c2.labels.other).toBeUndefined(); // below the label threshold
    const bad = await get('/api/clips?label=person,ghost');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_FAILED');
    for (const id of ['clip-1', 'clip-2', 'clip-3']) h.app.core.repos.clips.setAnalysis(id, 'pending', {});
  });

  it('lists newest first with a cursor and filters by status and camera', async () => {
    const first = (await get('/api/clips?limit=3')).json<{ items: Clip[]; nextCursor: string }>();
    expect(first.items.map((c) => c.id)).toEqual(['clip-6', 'clip-5', 'clip-4']);
    const second = (await get(`/api/clips?limit=3&cursor=${first.nextCursor}`)).json<{ items: Clip[]; nextCursor: string | null }>();
    expect(second.items.map((c) => c.id)).toEqual(['clip-3', 'clip-2', 'clip-1']);
    const last = (await get(`/api/clips?limit=3&cursor=${second.nextCursor ?? ''}`)).json<{ items: Clip[]; nextCursor: string | null }>();
    expect(last).toMatchObject({ items: [{ id: 'clip-0' }], nextCursor: null });
    const pending = (await get('/api/clips?status=pending&camera=garden')).json<{ items: Clip[] }>();
    expect(pending.items.map((c) => c.id)).toEqual(['clip-5', 'clip-3', 'clip-1']);
  });

  it('filters by date range (from inclusive, to exclusive, any offset) and keeps cursor paging inside it', async () => {
    const ids = async (url: string): Promise<string[]> => (await get(url)).json<{ items: Clip[] }>().items.map((c) => c.id);
    // clip-i starts at 12:0i:00.000Z.
    expect(await ids('/api/clips?from=2026-11-29T12:02:00.000Z&to=2026-11-29T12:05:00.000Z')).toEqual(['clip-4', 'clip-3', 'clip-2']);
    // The same instants written with an offset and without milliseconds.
    expect(await ids('/api/clips?from=2026-11-29T13:02:00%2B01:00&to=2026-11-29T07:05:00-05:00')).toEqual(['clip-4', 'clip-3', 'clip-2']);
    expect(await ids('/api/clips?from=2026-11-29T12:05:00.001Z')).toEqual(['clip-6']);
    expect(await ids('/api/clips?to=2026-11-29T12:00:00.001Z')).toEqual(['clip-0']);
    const range = 'from=2026-11-29T12:01:00.000Z&to=2026-11-29T12:06:00.000Z';
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: Clip[]; nextCursor: string | null } = (await get(`/api/clips?${range}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['clip-5', 'clip-4', 'clip-3', 'clip-2', 'clip-1']);
    expect(await ids(`/api/clips?${range}&camera=garden&status=pending`)).toEqual(['clip-5', 'clip-3', 'clip-1']);
    expect((await get('/api/clips?from=2026-11-29T12:05:00Z&to=2026-11-29T12:05:00Z')).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: 'query.to: must be after from' } });
    expect((await get('/api/clips?from=yesterday')).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: matching(/^query\.from: /) } });
    // A local time without an offset is ambiguous: refused, not guessed.
    expect((await get('/api/clips?from=2026-11-29T12:00:00')).statusCode).toBe(400);
  });

  it('filters by trigger', async () => {
    addClip(h, { id: 'clip-bell', startedAt: '2026-11-29T11:00:00.000Z', trigger: 'doorbell' }, BYTES);
    expect((await get('/api/clips?trigger=doorbell')).json<{ items: Clip[] }>().items.map((c) => c.id)).toEqual(['clip-bell']);
    expect((await get('/api/clips?trigger=wind')).json()).toMatchObject({ error: { message: matching(/^query\.trigger: /) } });
    h.app.core.repos.clips.markDeleted('clip-bell', new Date().toISOString());
  });

  it('returns exactly the Clip fields, no local paths', async () => {
    const clip = (await get('/api/clips/clip-1')).json<Record<string, unknown>>();
    expect(Object.keys(clip).sort()).toEqual(['analysis', 'cameraId', 'durationMs', 'endedAt', 'hasAudio', 'height', 'id', 'labels', 'sha256', 'sizeBytes', 'startedAt', 'status', 'trigger', 'width'].sort());
  });

  it('names the offending field in a 400', async () => {
    expect((await get('/api/clips?limit=0')).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: matching(/^query\.limit: /) } });
    expect((await get('/api/clips?status=lost')).json()).toMatchObject({ error: { message: matching(/^query\.status: /) } });
    expect((await get('/api/clips?cursor=zzz')).json()).toMatchObject({ error: { message: matching(/^query\.cursor: /) } });
    expect((await get('/api/clips?colour=red')).statusCode).toBe(400);
    const bad = await h.server.inject({ method: 'POST', url: '/api/clips/clip-0/approve', headers: authed(l), payload: { trim: { startMs: 5000, endMs: 1000 } } });
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: matching(/^body\.trim: endMs must be after startMs/) } });
    const blur = await h.server.inject({ method: 'POST', url: '/api/clips/clip-0/approve', headers: authed(l), payload: { blur: [{ x: 0.5, y: 0, width: 2, height: 0.1 }] } });
    expect(blur.json()).toMatchObject({ error: { message: matching(/^body\.blur\.0\.width: /) } });
  });

  it('approve defaults to stripping audio and answers 202 with the Share only (plus the actions its status allows)', async () => {
    const res = await h.server.inject({ method: 'POST', url: '/api/clips/clip-2/approve', headers: authed(l), payload: { blur: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2 }], caption: 'hi' } });
    expect(res.statusCode).toBe(202);
    expect(Object.keys(res.json<object>()).sort()).toEqual(['actions', 'bytesSent', 'bytesTotal', 'caption', 'clipId', 'createdAt', 'id', 'redaction', 'sha256', 'status']);
    expect(h.fakes.approvals.at(-1)).toEqual({ clipId: 'clip-2', input: { stripAudio: true, blur: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2 }], caption: 'hi' } });
    const again = await h.server.inject({ method: 'POST', url: '/api/clips/clip-2/approve', headers: authed(l), payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'NOT_APPROVABLE' } });
  });

  it('reject returns the Clip; delete answers 204 and the clip is gone', async () => {
    const rej = await h.server.inject({ method: 'POST', url: '/api/clips/clip-3/reject', headers: authed(l) });
    expect(rej.statusCode).toBe(200);
    expect(rej.json()).toMatchObject({ id: 'clip-3', status: 'rejected' });
    expect((await h.server.inject({ method: 'DELETE', url: '/api/clips/clip-3', headers: authed(l) })).statusCode).toBe(204);
    expect((await get('/api/clips/clip-3')).json()).toMatchObject({ error: { code: 'CLIP_NOT_FOUND' } });
  });
});

describe('video and thumbnail', () => {
  it('serves the whole file, byte ranges (206) and refuses bad ranges (416)', async () => {
    const full = await get('/api/clips/clip-1/video');
    expect(full.statusCode).toBe(200);
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.rawPayload.equals(BYTES)).toBe(true);
    const part = await get('/api/clips/clip-1/video', { range: 'bytes=100-199' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/1000');
    expect(part.rawPayload.equals(BYTES.subarray(100, 200))).toBe(true);
    const tail = await get('/api/clips/clip-1/video', { range: 'bytes=-10' });
    expect(tail.rawPayload.equals(BYTES.subarray(990))).toBe(true);
    const bad = await get('/api/clips/clip-1/video', { range: 'bytes=5000-' });
    expect(bad.statusCode).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */1000');
    expect((await get('/api/clips/clip-1/video', { range: 'bytes=9-3' })).statusCode).toBe(416);
  });

  it('thumbnail is image/jpeg; deleted files answer 410', async () => {
    const t = await get('/api/clips/clip-1/thumbnail');
    expect(t.statusCode).toBe(200);
    expect(t.headers['content-type']).toBe('image/jpeg');
    h.app.core.repos.clips.markFileDeleted('clip-6', h.app.core.clock.iso());
    expect((await get('/api/clips/clip-6/video')).json()).toMatchObject({ error: { code: 'CLIP_FILE_GONE' } });
    expect((await get('/api/clips/clip-6/thumbnail')).statusCode).toBe(410);
    expect((await get('/api/clips/clip-6')).json()).toMatchObject({ status: 'rejected' });
  });
});

describe('cameras, shares, requests, ledger, problems', () => {
  it('cameras: list, trigger (202) and privacy (200 camera)', async () => {
    expect((await get('/api/cameras')).json()).toEqual([
      { id: 'front-door', name: 'Front door', kind: 'doorbell', status: 'online' },
      { id: 'garden', name: 'Garden', kind: 'camera', status: 'offline', lastError: 'connection refused' },
    ]);
    const trig = await h.server.inject({ method: 'POST', url: '/api/cameras/front-door/trigger', headers: authed(l), payload: { seconds: 20 } });
    expect(trig.statusCode).toBe(202);
    expect(h.fakes.triggers.at(-1)).toEqual({ id: 'front-door', seconds: 20 });
    const priv = await h.server.inject({ method: 'PUT', url: '/api/cameras/front-door/privacy', headers: authed(l), payload: { enabled: true } });
    expect(priv.json()).toEqual({ id: 'front-door', name: 'Front door', kind: 'doorbell', status: 'privacy' });
    const missing = await h.server.inject({ method: 'PUT', url: '/api/cameras/attic/privacy', headers: authed(l), payload: { enabled: true } });
    expect(missing.json()).toMatchObject({ error: { code: 'CAMERA_NOT_FOUND' } });
    const noBody = await h.server.inject({ method: 'PUT', url: '/api/cameras/garden/privacy', headers: authed(l), payload: {} });
    expect(noBody.json()).toMatchObject({ error: { message: matching(/^body\.enabled: /) } });
  });

  it('shares: list, get, revoke (202)', async () => {
    const share = h.fakes.approve('clip-4', { stripAudio: true });
    expect((await get('/api/shares')).json()).toContainEqual(expect.objectContaining({ id: share.id }));
    expect((await get(`/api/shares/${share.id}`)).json()).toMatchObject({
      id: share.id, clipId: 'clip-4', status: 'exporting', actions: ['cancel'],
      redaction: { audioRemoved: true, blurredAreas: 0, privacyMasks: 0, trim: null, metadataRemoved: true },
    });
    h.fakes.progress(share.id, 'uploaded', 1000, 1000);
    expect((await get(`/api/shares/${share.id}`)).json()).toMatchObject({ status: 'uploaded', actions: ['revoke', 'delete'] });
    const rev = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/revoke`, headers: authed(l) });
    expect(rev.statusCode).toBe(202);
    expect(rev.json()).toMatchObject({ status: 'revoked', actions: ['delete'] });
    expect((await get('/api/shares/nope')).json()).toMatchObject({ error: { code: 'SHARE_NOT_FOUND' } });
  });

  it('shares: send a ready share (202), cancel before or after; each refused in the wrong status with its code', async () => {
    addClip(h, { id: 'clip-send', startedAt: new Date(h.clock.now()).toISOString(), cameraId: 'garden', status: 'pending' });
    const share = h.fakes.approve('clip-send', { stripAudio: true });
    const early = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/send`, headers: authed(l) });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: { code: 'NOT_SENDABLE' } });
    h.fakes.shares.get(share.id)!.status = 'ready';
    expect((await get(`/api/shares/${share.id}`)).json()).toMatchObject({ status: 'ready', actions: ['send', 'cancel'] });
    const sent = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/send`, headers: authed(l) });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ status: 'queued', actions: ['cancel'] });
    const cancelled = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/cancel`, headers: authed(l) });
    expect(cancelled.statusCode).toBe(202);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', actions: ['delete'] });
    const twice = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/cancel`, headers: authed(l) });
    expect(twice.json()).toMatchObject({ error: { code: 'NOT_CANCELLABLE' } });
    const noCsrf = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/send`, headers: { cookie: authed(l).cookie } });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('shares: retry a failed share (202), anything else is NOT_RETRYABLE', async () => {
    const share = h.fakes.approve('clip-5', { stripAudio: true });
    const early = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/retry`, headers: authed(l) });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: { code: 'NOT_RETRYABLE' } });
    const rec = h.fakes.shares.get(share.id)!;
    rec.status = 'failed';
    rec.error = 'platform refused the token';
    const again = await h.server.inject({ method: 'POST', url: `/api/shares/${share.id}/retry`, headers: authed(l) });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ id: share.id, status: 'queued' });
    expect(again.json()).not.toHaveProperty('error');
  });

  it('requests, ledger and verify, problems', async () => {
    h.fakes.requests.push({ id: 'r1', agency: 'PD', caseNumber: '42', title: 'Car theft', description: 'd', startsAt: '2026-11-29T11:00:00.000Z', endsAt: '2026-11-29T13:00:00.000Z', area: null, candidateClipIds: ['clip-1'] });
    expect((await get('/api/requests')).json()).toEqual([expect.objectContaining({ id: 'r1', candidateClipIds: ['clip-1'] })]);
    h.fakes.ledger.push({ seq: 1, at: 'x', action: 'approved', clipId: 'clip-2', shareId: 's', sha256: 'h', exportSha256: 'e', requestId: null, options: { blur: [] }, prevHash: '0', hash: '1', signature: 'sig' });
    h.fakes.ledger.push({ seq: 2, at: 'y', action: 'rejected', clipId: 'clip-3', shareId: null, sha256: 'h3', exportSha256: null, requestId: null, options: null, prevHash: '1', hash: '2', signature: 'sig2' });
    expect((await get('/api/ledger')).json()).toEqual([
      { seq: 1, at: 'x', action: 'approved', clipId: 'clip-2', shareId: 's', sha256: 'h', exportSha256: 'e', prevHash: '0', hash: '1', signature: 'sig' },
      { seq: 2, at: 'y', action: 'rejected', clipId: 'clip-3', shareId: null, sha256: 'h3', prevHash: '1', hash: '2', signature: 'sig2' },
    ]);
    expect((await get('/api/ledger/verify')).json()).toEqual({ ok: true, entries: 2 });
    expect((await get('/api/ledger/key')).json()).toEqual({ algorithm: 'Ed25519', publicKey: 'A'.repeat(43) + '=', fingerprint: 'f'.repeat(64) });
    h.app.core.problems.raise('disk', 'warning', 'disk almost full');
    expect((await get('/api/problems')).json()).toEqual([expect.objectContaining({ id: 'disk', severity: 'warning' })]);
  });

  it('requests without a platform (no requests control) answer 503 SERVICE_UNAVAILABLE', async () => {
    const saved = h.app.controls.requests;
    delete h.app.controls.requests;
    try {
      const res = await get('/api/requests');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      if (saved) h.app.controls.requests = saved;
    }
  });
});
