import { existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.js';
import type { ApproveInput } from '../../../src/core/ports.js';
import { createRepos, openDatabase } from '../../../src/db/index.js';
import { Ledger } from '../../../src/ledger/index.js';
import { ReviewService } from '../../../src/review/review.js';
import { makeEnv, type ReviewEnv } from './env.js';

let env: ReviewEnv;
afterEach(() => env?.cleanup());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
}

describe('approve (prepare)', () => {
  it('moves pending → approved and creates one exporting share with merged privacy masks; the ledger records nothing yet', () => {
    env = makeEnv({ masks: [{ x: 0.7, y: 0, width: 0.3, height: 0.4 }] });
    const clip = env.insertClip();
    const share = env.review.approve(clip.id, { blur: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2 }], trim: { startMs: 1000, endMs: 4000 }, caption: 'car', requestId: 'req-1' });
    expect(share).toMatchObject({ clipId: clip.id, status: 'exporting', requestId: 'req-1', sha256: null });
    expect(share.redaction).toEqual({ audioRemoved: true, blurredAreas: 2, privacyMasks: 1, trackedFaces: 0, trim: { startMs: 1000, endMs: 4000 }, metadataRemoved: true });
    expect(env.repos.clips.get(clip.id)?.status).toBe('approved');
    expect(env.review.options(share)).toEqual({
      stripAudio: true, trim: { startMs: 1000, endMs: 4000 }, caption: 'car', requestId: 'req-1',
      blur: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2 }, { x: 0.7, y: 0, width: 0.3, height: 0.4 }],
    });
    // Consent is given at Send, with the export in front of the owner: nothing in the ledger yet.
    expect(env.ledger.list()).toEqual([]);
    expect(env.repos.shares.get(share.id)?.sendOnExport).toBe(false);
    expect(env.queued).toEqual([share.id]);
    expect(env.events.map((e) => e.name)).toEqual(['clip.updated', 'share.created']);
  });

  it('one step: `send: true` or review.preview false marks the share to be sent when its export is done', () => {
    env = makeEnv();
    expect(env.repos.shares.get(env.review.approve(env.insertClip().id, {}, { send: true }).id)?.sendOnExport).toBe(true);
    env.cleanup();
    env = makeEnv({ preview: false });
    expect(env.repos.shares.get(env.review.approve(env.insertClip().id, {}).id)?.sendOnExport).toBe(true);
  });

  it('privacy masks apply even when the request asks for no blur; stripAudio defaults to true', () => {
    env = makeEnv({ masks: [{ x: 0, y: 0, width: 0.5, height: 0.5 }] });
    const share = env.review.approve(env.insertClip().id, {});
    expect(env.review.options(share)).toEqual({ stripAudio: true, blur: [{ x: 0, y: 0, width: 0.5, height: 0.5 }] });
  });

  it.each<[string, ApproveInput]>([
    ['trim past the end', { trim: { startMs: 1000, endMs: 6001 } }],
    ['empty trim', { trim: { startMs: 2000, endMs: 2000 } }],
    ['reversed trim', { trim: { startMs: 3000, endMs: 2000 } }],
    ['too short trim', { trim: { startMs: 2000, endMs: 2050 } }],
    ['negative trim', { trim: { startMs: -1, endMs: 2000 } }],
    ['region out of frame', { blur: [{ x: 0.8, y: 0, width: 0.3, height: 0.1 }] }],
    ['region with zero size', { blur: [{ x: 0.1, y: 0.1, width: 0, height: 0.1 }] }],
    ['region with negative origin', { blur: [{ x: -0.1, y: 0.1, width: 0.2, height: 0.1 }] }],
    ['caption too long', { caption: 'x'.repeat(501) }],
    ['request id with spaces', { requestId: 'a b' }],
    ['unknown option', { colour: 'red' } as unknown as ApproveInput],
  ])('refuses %s with INVALID_OPTIONS and changes nothing', (_what, input) => {
    env = makeEnv();
    const clip = env.insertClip();
    expect(codeOf(() => env.review.approve(clip.id, input))).toBe('INVALID_OPTIONS');
    expect(env.repos.clips.get(clip.id)?.status).toBe('pending');
    expect(env.repos.shares.list()).toHaveLength(0);
    expect(env.ledger.list()).toHaveLength(0);
  });

  it('strips bidi and control characters from the caption before it is stored (tab and newline stay)', () => {
    env = makeEnv();
    const share = env.review.approve(env.insertClip().id, { caption: 'Van \u202Egpj.exe\u202C at\u0007 the gate\r\nsecond\tline\u2066\u200F' });
    expect(env.review.options(share).caption).toBe('Van gpj.exe at the gate\nsecond\tline');
  });

  it('refuses every illegal transition with its code', () => {
    env = makeEnv();
    const approved = env.insertClip();
    env.review.approve(approved.id, {});
    const rejected = env.insertClip();
    env.review.reject(rejected.id);
    const deleted = env.insertClip();
    env.review.delete(deleted.id);
    const gone = env.insertClip({ fileDeletedAt: '2026-11-29T11:30:00.000Z' });
    expect(codeOf(() => env.review.approve('nope', {}))).toBe('CLIP_NOT_FOUND');
    expect(codeOf(() => env.review.approve(approved.id, {}))).toBe('NOT_APPROVABLE');
    expect(codeOf(() => env.review.approve(rejected.id, {}))).toBe('NOT_APPROVABLE');
    expect(codeOf(() => env.review.approve(deleted.id, {}))).toBe('NOT_APPROVABLE');
    expect(codeOf(() => env.review.approve(gone.id, {}))).toBe('CLIP_FILE_GONE');
    expect(codeOf(() => env.review.reject('nope'))).toBe('CLIP_NOT_FOUND');
    expect(codeOf(() => env.review.reject(approved.id))).toBe('NOT_REJECTABLE');
    expect(codeOf(() => env.review.reject(rejected.id))).toBe('NOT_REJECTABLE');
    expect(codeOf(() => env.review.reject(deleted.id))).toBe('NOT_REJECTABLE');
    expect(codeOf(() => env.review.delete(deleted.id))).toBe('CLIP_NOT_FOUND');
    expect(codeOf(() => env.review.delete(approved.id))).toBe('NOT_DELETABLE');
    expect(env.repos.shares.list()).toHaveLength(1);
  });

  it('two review services on two connections approving the same clip create exactly one share, and two Sends one consent', () => {
    env = makeEnv();
    const clip = env.insertClip();
    const db2 = openDatabase(env.dbFile);
    const repos2 = createRepos(db2);
    const log = pino({ level: 'silent' });
    const other = new ReviewService({
      db: db2, repos: repos2, clock: env.clock, bus: env.bus, log, config: { cameras: [], retention: { rejectedDays: 0 }, review: { preview: true } } as never,
      dataDir: env.dataDir, ledger: new Ledger({ db: db2, repos: repos2, dataDir: env.dataDir, log }),
    });
    const results = [() => env.review.approve(clip.id, {}), () => other.approve(clip.id, {}), () => env.review.approve(clip.id, {})].map((fn) => codeOf(fn) ?? 'ok');
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'NOT_APPROVABLE')).toHaveLength(2);
    expect(env.repos.shares.list()).toHaveLength(1);
    const share = env.repos.shares.list()[0]!;
    env.exportDone(share.id);
    const sends = [() => env.review.send(share.id), () => other.send(share.id)].map((fn) => codeOf(fn) ?? 'ok');
    db2.close();
    expect(sends).toEqual(['ok', 'NOT_SENDABLE']);
    expect(env.ledger.list().filter((e) => e.action === 'approved')).toHaveLength(1);
  });
});

describe('send (consent)', () => {
  it('records the approved entry naming the export hash and queues the share, in one transaction', () => {
    env = makeEnv({ masks: [{ x: 0.7, y: 0, width: 0.3, height: 0.4 }] });
    const clip = env.insertClip();
    const share = env.review.approve(clip.id, { trim: { startMs: 1000, endMs: 4000 }, caption: 'van' });
    expect(codeOf(() => env.review.send(share.id))).toBe('NOT_SENDABLE');
    expect(env.repos.shares.listUploadable()).toEqual([]);
    const ready = env.exportDone(share.id);
    env.events.length = 0;
    const sent = env.review.send(share.id);
    expect(sent.status).toBe('queued');
    const [entry] = env.ledger.list();
    expect(entry).toMatchObject({ seq: 1, action: 'approved', clipId: clip.id, shareId: share.id, sha256: clip.sha256, exportSha256: ready.sha256 });
    expect(entry?.options).toMatchObject({
      stripAudio: true, caption: 'van', trim: { startMs: 1000, endMs: 4000 }, consent: 'preview',
      actions: ['c2pa.trimmed', 'c2pa.filtered', 'c2pa.deleted', 'c2pa.edited.metadata'],
      export: { bytes: ready.bytesTotal, durationMs: 3000 },
    });
    expect(env.repos.shares.get(share.id)?.consentSeq).toBe(1);
    expect(env.repos.shares.listUploadable().map((s) => s.id)).toEqual([share.id]);
    expect(env.events.map((e) => e.name)).toEqual(['share.updated']);
    expect(codeOf(() => env.review.send(share.id))).toBe('NOT_SENDABLE');
    expect(codeOf(() => env.review.send('nope'))).toBe('SHARE_NOT_FOUND');
  });

  it('the upload side takes a share only when its consent names exactly the export it holds', () => {
    env = makeEnv();
    const share = env.review.approve(env.insertClip().id, {});
    env.exportDone(share.id);
    env.review.send(share.id);
    expect(env.repos.shares.listUploadable()).toHaveLength(1);
    // Another export swapped in under the same share (a bug, a hand-edited row): no consent names it.
    env.repos.shares.update(share.id, { sha256: 'e'.repeat(64) }, env.clock.iso());
    expect(env.repos.shares.listUploadable()).toEqual([]);
  });
});

describe('reject and delete', () => {
  it('reject with rejectedDays 0 deletes the files at once and keeps the row', () => {
    env = makeEnv({ rejectedDays: 0 });
    const clip = env.insertClip();
    const out = env.review.reject(clip.id);
    expect(out.status).toBe('rejected');
    expect(existsSync(path.join(env.dataDir, clip.filePath))).toBe(false);
    expect(existsSync(path.join(env.dataDir, clip.thumbPath!))).toBe(false);
    expect(env.repos.clips.get(clip.id)?.fileDeletedAt).toBe(env.clock.iso());
    expect(env.ledger.list().map((e) => e.action)).toEqual(['rejected']);
    expect(env.events.map((e) => e.name)).toEqual(['clip.updated']);
  });

  it('reject with rejectedDays > 0 keeps the files for retention', () => {
    env = makeEnv({ rejectedDays: 3 });
    const clip = env.insertClip();
    env.review.reject(clip.id);
    expect(existsSync(path.join(env.dataDir, clip.filePath))).toBe(true);
    expect(env.repos.clips.get(clip.id)?.fileDeletedAt).toBeNull();
  });

  it('delete removes clip, thumbnail and export, soft-deletes the row, keeps the ledger and appends `deleted`', async () => {
    env = makeEnv();
    const clip = env.insertClip();
    const share = env.review.approve(clip.id, {});
    const ready = env.exportDone(share.id);
    env.review.send(share.id);
    const exportRel = ready.exportPath!;
    env.ledger.write(() => {
      env.repos.shares.update(share.id, { status: 'uploaded' }, env.clock.iso());
      env.ledger.append({ action: 'uploaded', clipId: clip.id, shareId: share.id, exportSha256: ready.sha256 }, env.clock.iso());
    });
    env.review.delete(clip.id);
    expect(env.repos.clips.get(clip.id)).toBeUndefined();
    for (const rel of [clip.filePath, clip.thumbPath!, exportRel]) expect(existsSync(path.join(env.dataDir, rel))).toBe(false);
    expect(env.repos.shares.get(share.id)?.exportPath).toBeNull();
    const actions = env.ledger.list().map((e) => [e.action, e.exportSha256]);
    expect(actions).toEqual([['approved', ready.sha256], ['uploaded', ready.sha256], ['deleted', ready.sha256]]);
    expect((await env.ledger.verify()).ok).toBe(true);
    expect(env.events.at(-1)).toMatchObject({ name: 'clip.deleted', payload: { clipId: clip.id, cameraId: 'front' } });
  });

  it.each(['exporting', 'ready', 'queued', 'uploading'] as const)('delete is refused while the share is %s', (status) => {
    env = makeEnv();
    const clip = env.insertClip();
    const share = env.review.approve(clip.id, {});
    env.repos.shares.update(share.id, { status }, env.clock.iso());
    expect(codeOf(() => env.review.delete(clip.id))).toBe('NOT_DELETABLE');
    expect(existsSync(path.join(env.dataDir, clip.filePath))).toBe(true);
  });
});

describe('retryExport', () => {
  it('moves a failed export back to exporting and queues it; anything else is NOT_RETRYABLE', () => {
    env = makeEnv();
    const clip = env.insertClip();
    const share = env.review.approve(clip.id, {});
    expect(codeOf(() => env.review.retryExport(share.id))).toBe('NOT_RETRYABLE');
    expect(codeOf(() => env.review.retryExport('nope'))).toBe('SHARE_NOT_FOUND');
    env.repos.shares.update(share.id, { status: 'failed', error: 'export failed: boom' }, env.clock.iso());
    const again = env.review.retryExport(share.id);
    expect(again).toMatchObject({ status: 'exporting' });
    expect(again.error).toBeUndefined();
    expect(env.queued).toEqual([share.id, share.id]);
    // A failed upload already has its export: not an export retry.
    env.repos.shares.update(share.id, { status: 'failed', sha256: 'c'.repeat(64) }, env.clock.iso());
    expect(codeOf(() => env.review.retryExport(share.id))).toBe('NOT_RETRYABLE');
  });
});

describe('retry', () => {
  it('sends a failed export back to export and a failed upload back to the upload queue', () => {
    env = makeEnv();
    const clip = env.insertClip();
    const share = env.review.approve(clip.id, {});
    expect(codeOf(() => env.review.retry(share.id))).toBe('NOT_RETRYABLE');
    expect(codeOf(() => env.review.retry('nope'))).toBe('SHARE_NOT_FOUND');

    env.repos.shares.update(share.id, { status: 'failed', error: 'export failed: boom' }, env.clock.iso());
    expect(env.review.retry(share.id)).toMatchObject({ status: 'exporting' });

    // An upload refused by the platform (after Send): the export exists, so it goes straight back to the queue.
    const ready = env.exportDone(share.id);
    env.review.send(share.id);
    expect(existsSync(path.join(env.dataDir, ready.exportPath!))).toBe(true);
    env.repos.shares.update(share.id, { status: 'failed', error: 'platform refused the token', attempts: 5 }, env.clock.iso());
    const again = env.review.retry(share.id);
    expect(again).toMatchObject({ status: 'queued' });
    expect(again.error).toBeUndefined();
    expect(env.repos.shares.get(share.id)).toMatchObject({ attempts: 0, nextAttemptAt: null });
    // Only shares with an approved ledger entry are uploadable, and this one is.
    expect(env.repos.shares.listUploadable().map((s) => s.id)).toEqual([share.id]);

    // Once retention removed the export there is nothing left to upload.
    env.repos.shares.update(share.id, { status: 'failed' }, env.clock.iso());
    env.repos.shares.update(share.id, { exportPath: null }, env.clock.iso());
    expect(codeOf(() => env.review.retry(share.id))).toBe('NOT_RETRYABLE');
  });
});
