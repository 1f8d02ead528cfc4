// On-device analysis wired into the daemon (issue 19), through the real App: clips made from the
// face-api group photos arrive through a camera inbox (clip.created), the analysis worker labels them
// and suggests face tracks, the owner approves with tracks (the export blurs them frame by frame), the
// face check runs on the export before Send, and Send uploads to the dev platform. Also: a track left
// off is found by the check and Send is refused until the owner confirms (the ledger records it);
// colour bars get no person label; a worker killed mid-clip leaves nothing half-written and the clip is
// analysed at the next start, as is a pending clip whose analysis file was lost (a shared or rejected
// one is left alone, even when rejected while queued for it); a model that cannot load raises the `detect` problem and clips are still
// recorded and shared with areas drawn by hand.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import type { AnalysisOptions } from '../../../src/detect/index.js';
import { analysisPath, readAnalysis } from '../../../src/detect/store.js';
import { iou, letterbox } from '../../../src/detect/letterbox.js';
import { loadFaceDetector } from '../../../src/detect/loader.js';
import { verifyFile } from '../../../src/detect/analyse.js';
import type { Box, FaceDetector, ScoredBox } from '../../../src/detect/types.js';
import type { ClipAnalysisView, LedgerEntry, ShareView } from '../../../src/core/types.js';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { generateToken, hashToken } from '../../../src/web/auth/tokens.js';
import { buildBarsClip, buildPanClip, photoSize, samplePhoto, trueBox, type PanClip } from '../../support/faces.js';
import { freePort, makeTempDir, waitFor, waitUntil, type TempDir } from '../../support/index.js';

let tmp: TempDir;
let platform: DevPlatform;
let face: FaceDetector;
let starts = 0;
const TOKEN_PLATFORM = 'detect-e2e-token-0123456789';

interface Running {
  app: App;
  token: string;
  inbox: string;
  api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
}

async function startApp(name: string, analysis?: AnalysisOptions, dataDir?: string): Promise<Running> {
  const inbox = path.join(tmp.path, `${name}-inbox`);
  mkdirSync(inbox, { recursive: true });
  const config = configSchema.parse({
    dataDir: dataDir ?? path.join(tmp.path, `${name}-data`),
    cacheDir: path.join(tmp.path, `${name}-cache`),
    web: { host: '127.0.0.1', port: await freePort() },
    cameras: [{ id: 'door', inbox: { path: inbox, settleSeconds: 1 } }],
    platform: { url: platform.url, token: TOKEN_PLATFORM },
    detect: { enabled: true },
    // A rejected clip keeps its files for a day (0 would delete them at once): the restart test needs one.
    retention: { rejectedDays: 1 },
    logging: { level: 'silent' },
  });
  const secrets = new SecretRegistry();
  const app = new App({ config, demo: false, log: createLogger({ level: (process.env.CLIPGATE_TEST_LOG ?? 'silent') as 'silent', secrets }), secrets, ...(analysis ? { analysis } : {}) });
  const token = generateToken();
  // A token of its own per start: a restart on the same data directory keeps the earlier ones (names are unique).
  expect(app.core.repos.tokens.insert(`test-${++starts}`, hashToken(token), new Date().toISOString())).toBe(true);
  await app.start();
  return {
    app, token, inbox,
    async api<T>(method: string, route: string, body?: unknown) {
      const res = await fetch(`http://127.0.0.1:${app.web.port}/api${route}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

/** A camera drops a finished file into its inbox (written elsewhere, renamed in); resolves with the new clip's id. */
async function drop(r: Running, file: string, name: string): Promise<string> {
  const before = new Set(r.app.core.repos.clips.list({ limit: 200 }).items.map((c) => c.id));
  const staging = path.join(tmp.path, `.staging-${name}`);
  copyFileSync(file, staging);
  renameSync(staging, path.join(r.inbox, name));
  return waitFor(`clip from ${name}`, () => r.app.core.repos.clips.list({ limit: 200 }).items.find((c) => !before.has(c.id))?.id, 60_000, 200);
}

async function photoFaces(photo: string): Promise<ScoredBox[]> {
  const { width, height } = photoSize(photo);
  const box = letterbox(width, height, face.inputSize);
  const data = execFileSync('ffmpeg', ['-v', 'error', '-i', photo, '-vf', `scale=${box.contentWidth}:${box.contentHeight}:flags=area,pad=${box.size}:${box.size}:0:0`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  return face.detect({ data, width: box.size, height: box.size }, box, 0.5);
}

async function panClip(n: number): Promise<{ clip: PanClip; faces: ScoredBox[] }> {
  const photo = samplePhoto(n);
  const faces = await photoFaces(photo);
  const faceSpan: [number, number] = [Math.min(...faces.map((f) => f.y)), Math.max(...faces.map((f) => f.y + f.height))];
  return { clip: buildPanClip(photo, path.join(tmp.path, `pan${n}.mp4`), { scale: 1.25, durationSec: 6, panPx: 480, faceSpan }), faces };
}

const centreInside = (inner: Box, outer: Box): boolean => {
  const cx = inner.x + inner.width / 2;
  const cy = inner.y + inner.height / 2;
  return cx >= outer.x && cx <= outer.x + outer.width && cy >= outer.y && cy <= outer.y + outer.height;
};

/** The footage test's metric: a detection is on a face when it overlaps a true face box at that instant. */
function onFaces(findings: (Box & { t: number })[], c: { clip: PanClip; faces: ScoredBox[] }): number {
  return findings.filter((f) => c.faces.some((p) => {
    const truth = trueBox(c.clip, p, f.t);
    return iou(truth, f) > 0.1 || centreInside(f, truth);
  })).length;
}

async function analysed(r: Running, clipId: string): Promise<ClipAnalysisView> {
  await waitUntil(`clip ${clipId} analysed`, () => r.app.core.repos.clips.get(clipId)?.analysis === 'done', 240_000, 250);
  const res = await r.api<ClipAnalysisView>('GET', `/clips/${clipId}/analysis`);
  expect(res.status).toBe(200);
  return res.body;
}

async function readyShare(r: Running, shareId: string): Promise<ShareView> {
  await waitUntil(`share ${shareId} ready`, () => ['ready', 'failed'].includes(r.app.controls.shares.get(shareId)?.status ?? ''), 240_000, 250);
  const res = await r.api<ShareView>('GET', `/shares/${shareId}`);
  expect(res.body.error).toBeUndefined();
  expect(res.body.status).toBe('ready');
  return res.body;
}

function exportFile(r: Running, shareId: string): string {
  return path.join(r.app.core.paths.exports, `${shareId}.mp4`);
}

beforeAll(async () => {
  tmp = await makeTempDir('cg-detect-app-');
  platform = await startDevPlatform({ token: TOKEN_PLATFORM, dir: path.join(tmp.path, 'platform') });
  face = await loadFaceDetector({ threads: 1 });
}, 120_000);

afterAll(async () => {
  await face?.close();
  await platform?.stop();
  await tmp?.cleanup();
});

describe('on-device analysis in the daemon', () => {
  let r: Running;
  let barsId = '';
  let sharedId = '';
  afterAll(async () => r?.app.stop());

  it('analyses a new clip by itself, labels it person, suggests tracks; all tracks blurred → no face left on the export → Send uploads', async () => {
    r = await startApp('main');
    const c = await panClip(1);
    const clipId = await drop(r, c.clip.file, 'group1.mp4');
    sharedId = clipId;
    const a = await analysed(r, clipId);
    console.log(`group photo 1 through the App: ${c.faces.length} faces on the still, ${a.tracks.length} tracks, labels ${JSON.stringify(a.labels)}`);
    expect(a.labels.person ?? 0).toBeGreaterThanOrEqual(0.5);
    expect(a.tracks.length).toBeGreaterThanOrEqual(c.faces.length - 1);
    expect(JSON.stringify(a)).not.toMatch(/\.mp4|\.json|\/clips\//);
    // A label changes nothing by itself: the clip waits for the owner.
    expect(r.app.core.repos.clips.get(clipId)?.status).toBe('pending');
    const persons = await r.api<{ items: { id: string; labels: Record<string, number> }[] }>('GET', '/clips?label=person');
    expect(persons.body.items.map((i) => i.id)).toContain(clipId);
    expect((await r.api('GET', '/clips?label=vehicle,animal')).body).toEqual({ items: [], nextCursor: null });

    const approved = await r.api<ShareView>('POST', `/clips/${clipId}/approve`, {});
    expect(approved.status).toBe(202);
    expect(approved.body.redaction.trackedFaces).toBe(a.tracks.length);
    const share = await readyShare(r, approved.body.id);
    const mine = await verifyFile(exportFile(r, share.id), face, { fps: 15, threshold: 0.5, threads: 1 });
    const check = share.verification!;
    console.log(`export with ${a.tracks.length} tracked faces: ${mine.length} detections ≥ 0.5 (test's own pass at 15 fps), ${onFaces(mine, c)} on a face; the App's check: ${check.status}, ${check.found} found, ${onFaces(check.findings, c)} listed on a face`);
    expect(onFaces(mine, c)).toBe(0);
    expect(onFaces(check.findings, c)).toBe(0);
    expect((await fetch(`http://127.0.0.1:${r.app.web.port}/api/shares/${share.id}/video`, { headers: { authorization: `Bearer ${r.token}` } })).status).toBe(200);
    // Detections elsewhere (the detector's false positives) would still have to be confirmed.
    const sent = await r.api<ShareView>('POST', `/shares/${share.id}/send`, check.status === 'clear' ? undefined : { confirmFaces: true });
    expect(sent.status).toBe(202);
    await waitUntil('uploaded', () => ['uploaded', 'failed'].includes(r.app.controls.shares.get(share.id)?.status ?? ''), 120_000, 250);
    expect(r.app.controls.shares.get(share.id)?.status).toBe('uploaded');
    const entry = r.app.controls.ledger.list().find((e) => e.action === 'approved' && e.shareId === share.id) as LedgerEntry;
    const options = entry.options as { faces: { tracked: number; suggested: number }; faceCheck: { status: string }; actions: string[] };
    expect(options.faces).toMatchObject({ tracked: a.tracks.length, suggested: a.tracks.length });
    expect(options.faceCheck.status).toBe(check.status);
    expect(options.actions).toContain('c2pa.filtered');
  }, 600_000);

  it('a track switched off: the check finds that face, Send answers FACES_REMAIN until the owner confirms; the ledger records it', async () => {
    const c = await panClip(3);
    const clipId = await drop(r, c.clip.file, 'group3.mp4');
    const a = await analysed(r, clipId);
    const off = [...a.tracks].sort((x, y) => y.scoreMax - x.scoreMax || (y.end - y.start) - (x.end - x.start))[0]!;
    const keep = a.tracks.filter((t) => t.id !== off.id).map((t) => t.id);
    const approved = await r.api<ShareView>('POST', `/clips/${clipId}/approve`, { tracks: keep });
    expect(approved.body.redaction.trackedFaces).toBe(keep.length);
    const share = await readyShare(r, approved.body.id);
    const check = share.verification!;
    const nearOff = check.findings.filter((f) => off.keyframes.some((k) => Math.abs(k.t - f.t) < 0.2 && (iou(k, f) > 0.1 || centreInside(f, k))));
    console.log(`track ${off.id} left off: check ${check.status}, ${check.found} found, ${nearOff.length} of the ${check.findings.length} listed on that face (first at ${nearOff[0]?.t} s)`);
    expect(check.status).toBe('faces');
    expect(nearOff.length).toBeGreaterThan(0);
    const refused = await r.api<{ error: { code: string; message: string } }>('POST', `/shares/${share.id}/send`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('FACES_REMAIN');
    expect(r.app.controls.shares.get(share.id)?.status).toBe('ready');
    const sent = await r.api<ShareView>('POST', `/shares/${share.id}/send`, { confirmFaces: true });
    expect(sent.status).toBe(202);
    expect(sent.body.verification?.confirmedAt).toBeDefined();
    await waitUntil('uploaded', () => ['uploaded', 'failed'].includes(r.app.controls.shares.get(share.id)?.status ?? ''), 120_000, 250);
    expect(r.app.controls.shares.get(share.id)?.status).toBe('uploaded');
    const entry = r.app.controls.ledger.list().find((e) => e.action === 'approved' && e.shareId === share.id) as LedgerEntry;
    expect(entry.options).toMatchObject({ faces: { tracked: keep.length, suggested: a.tracks.length }, faceCheck: { status: 'faces', confirmedByOwner: true } });
    expect((await r.app.controls.ledger.verify()).ok).toBe(true);
  }, 600_000);

  it('moving colour bars (the simulated camera) get no person label and no face track', async () => {
    const bars = buildBarsClip(path.join(tmp.path, 'bars.mp4'), 6);
    const clipId = await drop(r, bars, 'bars.mp4');
    barsId = clipId;
    const a = await analysed(r, clipId);
    console.log(`colour bars through the App: labels ${JSON.stringify(a.labels)}, ${a.tracks.length} tracks`);
    expect(a.labels.person).toBeUndefined();
    expect(a.tracks).toEqual([]);
    const persons = await r.api<{ items: { id: string }[] }>('GET', '/clips?label=person');
    expect(persons.body.items.map((i) => i.id)).not.toContain(clipId);
    expect(r.app.core.repos.clips.get(clipId)?.status).toBe('pending');
  }, 300_000);

  it('the worker killed mid-clip: nothing half-written, and the next start analyses the clip (and one whose analysis file went missing, unless it left review)', async () => {
    // A clip the owner will reject while the next start still has it queued for a lost analysis file.
    const rejectedId = await drop(r, buildBarsClip(path.join(tmp.path, 'bars-reject.mp4'), 3), 'bars-reject.mp4');
    await analysed(r, rejectedId);
    const long = buildBarsClip(path.join(tmp.path, 'long.mp4'), 40);
    const clipId = await drop(r, long, 'long.mp4');
    const service = r.app.controls.analysis!;
    const pid = await waitFor('the worker analysing the long clip', () => (service.status().current === clipId ? (r.app.controls.analysis as unknown as { workerPid?: number }).workerPid : undefined), 120_000, 50);
    process.kill(pid, 'SIGKILL');
    await waitUntil('the worker gone', () => { try { process.kill(pid, 0); return false; } catch { return true; } }, 10_000, 50);
    await waitUntil('the service let the clip go', () => service.status().current !== clipId, 10_000, 50);
    const rec = r.app.core.repos.clips.get(clipId)!;
    const clipFile = path.join(r.app.core.paths.dataDir, rec.filePath);
    expect(rec.analysis).toBe('pending');
    expect(existsSync(analysisPath(clipFile))).toBe(false);
    const dataDir = r.app.core.paths.dataDir;
    // A clip waiting for review whose analysis file is lost (deleted by hand, a bad disk): analysed again too.
    const barsFile = analysisPath(path.join(dataDir, r.app.core.repos.clips.get(barsId)!.filePath));
    rmSync(barsFile);
    // Lost too: the analysis of a clip already shared (its approval names the analysis it saw) and of
    // the clip rejected below. Neither is analysed again: only a clip still waiting for review is.
    const sharedFile = analysisPath(path.join(dataDir, r.app.core.repos.clips.get(sharedId)!.filePath));
    const rejectedFile = analysisPath(path.join(dataDir, r.app.core.repos.clips.get(rejectedId)!.filePath));
    rmSync(sharedFile);
    rmSync(rejectedFile);
    await r.app.stop();
    r = await startApp('main', undefined, dataDir);
    const next = r.app.controls.analysis!;
    // The long clip is analysed again first; the start-up check queues the two pending clips with lost files behind it.
    await waitUntil('both lost analyses queued behind the long clip', () => next.status().current === clipId && next.status().queued === 2, 120_000, 20);
    const rejected = await r.api<{ status: string }>('POST', `/clips/${rejectedId}/reject`);
    expect(rejected.status).toBe(200);
    expect(next.status().current).toBe(clipId);
    await waitUntil('re-analysed after restart', () => r.app.core.repos.clips.get(clipId)?.analysis === 'done', 240_000, 250);
    await waitUntil('the lost analysis written again', () => existsSync(barsFile), 240_000, 250);
    await waitUntil('the queue empty', () => next.status().queued === 0 && next.status().current === undefined, 240_000, 250);
    expect(existsSync(rejectedFile)).toBe(false);
    expect(existsSync(sharedFile)).toBe(false);
    expect(r.app.core.repos.clips.get(rejectedId)).toMatchObject({ status: 'rejected', analysis: 'done', fileDeletedAt: null });
    expect((await readAnalysis(clipFile))?.durationSec).toBeGreaterThan(39);
    const litter = readdirSync(path.dirname(clipFile)).filter((n) => n.startsWith('.'));
    expect(litter).toEqual([]);
  }, 600_000);
});

describe('a model that cannot load', () => {
  let r: Running;
  afterAll(async () => r?.app.stop());

  it('raises the detect problem; clips are still recorded and shared with areas drawn by hand', async () => {
    r = await startApp('broken', { models: { faceModelFile: path.join(tmp.path, 'no-such-model.onnx') } });
    const c = await panClip(2);
    const clipId = await drop(r, c.clip.file, 'group2.mp4');
    await waitUntil('detect problem', () => r.app.core.problems.has('detect'), 120_000, 250);
    const problem = r.app.core.problems.list().find((p) => p.id === 'detect')!;
    console.log(`problem: ${problem.summary} — ${problem.details}`);
    expect(problem.details).toMatch(/no-such-model\.onnx/);
    expect(problem.details).toMatch(/detect\.enabled: false/);
    await waitUntil('clip marked off', () => r.app.core.repos.clips.get(clipId)?.analysis === 'off', 30_000, 250);
    expect((await r.api<{ available: boolean }>('GET', '/detect')).body.available).toBe(false);
    expect((await r.api<{ error: { code: string } }>('POST', `/clips/${clipId}/analyse`)).body.error.code).toBe('DETECT_UNAVAILABLE');
    const approved = await r.api<ShareView>('POST', `/clips/${clipId}/approve`, { blur: [{ x: 0, y: 0.2, width: 1, height: 0.6 }] });
    expect(approved.status).toBe(202);
    const share = await readyShare(r, approved.body.id);
    expect(share.verification?.status).toBe('off');
    expect((await r.api('POST', `/shares/${share.id}/send`)).status).toBe(202);
    await waitUntil('uploaded', () => ['uploaded', 'failed'].includes(r.app.controls.shares.get(share.id)?.status ?? ''), 120_000, 250);
    expect(r.app.controls.shares.get(share.id)?.status).toBe('uploaded');
  }, 600_000);
});
