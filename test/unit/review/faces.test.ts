// Face tracks in the approval and the face check at Send (issue 19), on the real review service
// and ledger: which tracks an approval takes, the refusals, FACES_REMAIN until the owner confirms,
// and what the `approved` entry records. Deleting or rejecting a clip removes its analysis file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShareVerification } from '../../../src/core/types.js';
import { analysisPath, writeAnalysis } from '../../../src/detect/store.js';
import type { Analysis } from '../../../src/detect/types.js';
import { keepFindings } from '../../../src/review/exporter.js';
import { makeEnv, type ReviewEnv } from './env.js';

let env: ReviewEnv | undefined;
afterEach(() => env?.cleanup());

const containing = (text: string): string => expect.stringContaining(text) as string;
const ANALYSED_AT = '2026-11-29T11:01:00.000Z';

function analysis(trackIds: number[]): Analysis {
  return {
    version: 1, models: { face: 'blazeface-test', labels: null }, faceFps: 10, labelFps: 0, durationSec: 6, width: 1920, height: 1080,
    tracks: trackIds.map((id) => ({ id, kind: 'face', scoreMax: 0.9, scoreMean: 0.8, keyframes: [{ t: 0, x: 0.1 * id, y: 0.2, width: 0.05, height: 0.08 }, { t: 1, x: 0.1 * id + 0.02, y: 0.2, width: 0.05, height: 0.08 }] })),
    labels: { person: 0.8 }, frames: { face: 60, label: 0 }, analysedAt: ANALYSED_AT,
  };
}

async function analysedClip(e: ReviewEnv, trackIds: number[]) {
  const clip = e.insertClip();
  await writeAnalysis(path.join(e.dataDir, clip.filePath), analysis(trackIds));
  e.repos.clips.setAnalysis(clip.id, 'done', { person: 0.8 });
  return clip;
}

function withCheck(e: ReviewEnv, shareId: string, v: ShareVerification) {
  e.exportDone(shareId);
  e.repos.shares.update(shareId, { verificationJson: JSON.stringify(v) }, e.clock.iso());
}

const FOUND: ShareVerification = { status: 'faces', threshold: 0.5, found: 3, findings: [{ t: 1.2, x: 0.1, y: 0.2, width: 0.05, height: 0.08, score: 0.93 }] };

describe('approval with face tracks', () => {
  it('takes every suggested track by default, the named ones when given, and records the analysis it refers to', async () => {
    env = makeEnv();
    const a = await analysedClip(env, [1, 2, 3]);
    const s = env.review.approve(a.id, {});
    expect(s.redaction.trackedFaces).toBe(3);
    expect(env.review.options(s).faces).toEqual({ tracks: [1, 2, 3], suggested: 3, analysedAt: ANALYSED_AT });
    const b = await analysedClip(env, [1, 2, 3]);
    const s2 = env.review.approve(b.id, { tracks: [3, 1, 3] });
    expect(env.review.options(s2).faces).toEqual({ tracks: [1, 3], suggested: 3, analysedAt: ANALYSED_AT });
    const c = await analysedClip(env, [1, 2]);
    const s3 = env.review.approve(c.id, { tracks: [] });
    expect(s3.redaction.trackedFaces).toBe(0);
    expect(env.review.options(s3).faces).toEqual({ tracks: [], suggested: 2, analysedAt: ANALYSED_AT });
  });

  it('refuses unknown track ids, and tracks for a clip without an analysis; a clip without one approves as before', async () => {
    env = makeEnv();
    const a = await analysedClip(env, [1, 2]);
    expect(() => env!.review.approve(a.id, { tracks: [7] })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message: containing('no face track 7') }));
    const plain = env.insertClip();
    expect(() => env!.review.approve(plain.id, { tracks: [1] })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    const s = env.review.approve(plain.id, { blur: [{ x: 0, y: 0, width: 0.5, height: 0.5 }] });
    expect(env.review.options(s).faces).toBeUndefined();
    expect(s.redaction.trackedFaces).toBe(0);
  });
});

describe('Send and the face check', () => {
  it('refuses with FACES_REMAIN while faces were found, then records the owner\'s confirmation with the consent', async () => {
    env = makeEnv();
    const clip = await analysedClip(env, [1, 2]);
    const share = env.review.approve(clip.id, { tracks: [2] });
    withCheck(env, share.id, FOUND);
    expect(() => env!.review.send(share.id)).toThrow(expect.objectContaining({ code: 'FACES_REMAIN', status: 409, message: containing('3 face detection') }));
    expect(env.repos.shares.get(share.id)?.status).toBe('ready');
    expect(env.ledger.list()).toEqual([]);
    const sent = env.review.send(share.id, { confirmFaces: true });
    expect(sent.status).toBe('queued');
    expect(sent.verification?.confirmedAt).toBe(env.clock.iso());
    const [entry] = env.ledger.list();
    expect((entry?.options as { actions: string[] }).actions).toContain('c2pa.filtered');
    expect(entry?.options).toMatchObject({
      faces: { tracks: [2], suggested: 2, tracked: 1 },
      faceCheck: { status: 'faces', threshold: 0.5, found: 3, confirmedByOwner: true },
    });
  });

  it('a check that could not run needs the confirmation too; a clear or absent check does not', async () => {
    env = makeEnv();
    const failed = env.review.approve((await analysedClip(env, [1])).id, {});
    withCheck(env, failed.id, { status: 'failed', threshold: 0.5, found: 0, findings: [], error: 'worker died' });
    expect(() => env!.review.send(failed.id)).toThrow(expect.objectContaining({ code: 'FACES_REMAIN', message: containing('worker died') }));
    const clear = env.review.approve((await analysedClip(env, [1])).id, {});
    withCheck(env, clear.id, { status: 'clear', threshold: 0.5, found: 0, findings: [] });
    expect(env.review.send(clear.id).status).toBe('queued');
    const none = env.review.approve(env.insertClip().id, {});
    env.exportDone(none.id);
    expect(env.review.send(none.id).status).toBe('queued');
    const entries = env.ledger.list();
    expect(entries.at(-2)?.options).toMatchObject({ faceCheck: { status: 'clear', confirmedByOwner: false } });
    expect(entries.at(-1)?.options).not.toHaveProperty('faceCheck');
  });

  it('keeps the strongest finding per half second, in time order', () => {
    const f = (t: number, score: number) => ({ t, x: 0.1, y: 0.1, width: 0.1, height: 0.1, score });
    expect(keepFindings([f(0.1, 0.6), f(0.2, 0.9), f(0.7, 0.55), f(0.3, 0.7)]).map((x) => [x.t, x.score])).toEqual([[0.2, 0.9], [0.7, 0.55]]);
    expect(keepFindings(Array.from({ length: 500 }, (_, i) => f(i / 2, 0.5 + (i % 7) / 100)))).toHaveLength(60);
  });
});

describe('the analysis file goes with its clip', () => {
  it('on delete and on reject with rejectedDays 0', async () => {
    env = makeEnv({ rejectedDays: 0 });
    const a = await analysedClip(env, [1]);
    const b = await analysedClip(env, [1]);
    const fileA = analysisPath(path.join(env.dataDir, a.filePath));
    const fileB = analysisPath(path.join(env.dataDir, b.filePath));
    expect(existsSync(fileA) && existsSync(fileB)).toBe(true);
    env.review.delete(a.id);
    env.review.reject(b.id);
    expect(existsSync(fileA)).toBe(false);
    expect(existsSync(fileB)).toBe(false);
  });
});
