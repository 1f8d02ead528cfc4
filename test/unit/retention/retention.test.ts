import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import type { EventMap } from '../../../src/core/events.js';
import { Problems } from '../../../src/core/problems.js';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import type { ShareStatus } from '../../../src/core/types.js';
import { analysisPath } from '../../../src/detect/store.js';
import { ClipDeleter } from '../../../src/retention/deleter.js';
import type { DiskSpace } from '../../../src/retention/disk.js';
import { QUOTA_PROBLEM, Retention } from '../../../src/retention/retention.js';
import { makeEnv, type ReviewEnv } from '../review/env.js';

const DAY = 86_400_000;
const roomy = async (): Promise<DiskSpace> => ({ totalBytes: 1e12, freeBytes: 5e11 });

let env: ReviewEnv;
let deleted: EventMap['clip.deleted'][];
let problems: Problems;

function retention(limits: Partial<Config['retention']>, disk: (dir: string) => Promise<DiskSpace> = roomy): Retention {
  const log = pino({ level: 'silent' });
  const deleter = new ClipDeleter({ db: env.db, repos: env.repos, ledger: env.ledger, clock: env.clock, bus: env.bus, log, dataDir: env.dataDir });
  return new Retention({
    log,
    clock: env.clock,
    problems,
    queries: env.repos.retention,
    deleter,
    limits: { pendingDays: 7, rejectedDays: 2, sharedDays: 30, maxDiskGb: 100, minFreePercent: 0, ...limits },
    paths: { dataDir: env.dataDir, clips: path.join(env.dataDir, 'clips'), exports: path.join(env.dataDir, 'exports') },
    disk,
  });
}

/** A clip of `bytes` bytes, created now (the env's clock). */
function clip(over: Partial<ClipRecord> = {}, bytes = 5): ClipRecord {
  const rec = env.insertClip({ createdAt: env.clock.iso(), ...over });
  writeFileSync(path.join(env.dataDir, rec.filePath), Buffer.alloc(bytes, 1));
  return rec;
}

/**
 * Approve a clip, export it (`bytes` bytes) and Send it, then move its share to `status` as the
 * uploader would (an upload that finished gets its `uploaded` entry in the same transaction).
 */
function shared(rec: ClipRecord, status: ShareStatus, bytes = 5): { exportFile: string; shareId: string; exportSha256: string } {
  const share = env.review.approve(rec.id, {});
  const ready = env.exportDone(share.id, '\u0002'.repeat(bytes));
  env.review.send(share.id);
  env.ledger.write(() => {
    const uploaded = status === 'uploaded' ? { uploadedAt: env.clock.iso(), bytesSent: bytes } : {};
    env.repos.shares.update(share.id, { status, ...uploaded }, env.clock.iso());
    if (status === 'uploaded') env.ledger.append({ action: 'uploaded', clipId: rec.id, shareId: share.id, exportSha256: ready.sha256 }, env.clock.iso());
  });
  return { exportFile: path.join(env.dataDir, ready.exportPath!), shareId: share.id, exportSha256: ready.sha256! };
}

const fileOf = (rec: ClipRecord): string => path.join(env.dataDir, rec.filePath);

beforeEach(() => {
  env = makeEnv({ rejectedDays: 2 });
  problems = new Problems({ bus: env.bus, clock: env.clock });
  deleted = [];
  env.bus.on('retention-test', 'clip.deleted', (e) => void deleted.push(e));
});
afterEach(() => env.cleanup());

describe('age-based retention', () => {
  it('deletes each class at its age, keeps rows and ledger where DESIGN says, never touches a busy share', async () => {
    const pending = clip();
    const rejected = clip();
    env.review.reject(rejected.id);
    const sharedClip = clip();
    const done = shared(sharedClip, 'uploaded');
    const busyClip = clip();
    const busy = shared(busyClip, 'queued');
    const r = retention({});

    env.clock.advance(2 * DAY - 1);
    expect((await r.runOnce()).expired).toEqual({ pending: 0, rejected: 0, shared: 0 });
    expect(existsSync(fileOf(rejected))).toBe(true);

    env.clock.advance(1);
    expect((await r.runOnce()).expired).toEqual({ pending: 0, rejected: 1, shared: 0 });
    expect(existsSync(fileOf(rejected))).toBe(false);
    expect(existsSync(path.join(env.dataDir, rejected.thumbPath!))).toBe(false);
    // The row stays (the API answers 410 for its video).
    expect(env.repos.clips.get(rejected.id)).toMatchObject({ status: 'rejected', fileDeletedAt: env.clock.iso() });

    env.clock.advance(5 * DAY);
    expect((await r.runOnce()).expired).toEqual({ pending: 1, rejected: 0, shared: 0 });
    expect(env.repos.clips.get(pending.id)).toBeUndefined();
    expect(existsSync(fileOf(pending))).toBe(false);

    env.clock.advance(23 * DAY - 1);
    expect((await r.runOnce()).expired.shared).toBe(0);
    env.clock.advance(1);
    expect((await r.runOnce()).expired).toEqual({ pending: 0, rejected: 0, shared: 1 });
    expect(existsSync(fileOf(sharedClip))).toBe(false);
    expect(existsSync(done.exportFile)).toBe(false);
    expect(env.repos.clips.get(sharedClip.id)).toMatchObject({ status: 'approved' });
    expect(env.repos.shares.get(done.shareId)).toMatchObject({ status: 'uploaded', exportPath: null });

    // A clip whose share is still queued keeps everything, however old.
    env.clock.advance(365 * DAY);
    await r.runOnce();
    expect(existsSync(fileOf(busyClip))).toBe(true);
    expect(existsSync(busy.exportFile)).toBe(true);

    expect(deleted.map((d) => d.clipId)).toEqual([rejected.id, pending.id, sharedClip.id]);
    const ledger = env.ledger.list().filter((e) => e.action === 'deleted');
    expect(ledger.map((e) => e.clipId)).toEqual([rejected.id, pending.id, sharedClip.id]);
    expect(ledger[2]).toMatchObject({ shareId: done.shareId, exportSha256: done.exportSha256 });
    expect(await env.ledger.verify()).toMatchObject({ ok: true });
  });

  it('counts a pending clip from its arrival, not from the recording time in its name', async () => {
    const old = clip({ startedAt: '2020-01-01T00:00:00.000Z', endedAt: '2020-01-01T00:00:05.000Z' });
    await retention({}).runOnce();
    expect(env.repos.clips.get(old.id)).toBeDefined();
  });

  it('leaves a clip alone when it was approved between selection and deletion', async () => {
    const c = clip();
    const log = pino({ level: 'silent' });
    const deleter = new ClipDeleter({ db: env.db, repos: env.repos, ledger: env.ledger, clock: env.clock, bus: env.bus, log, dataDir: env.dataDir });
    shared(c, 'queued');
    expect(await deleter.delete({ clipId: c.id, expect: 'pending', kind: 'remove', reason: 'test' })).toBeUndefined();
    expect(await deleter.delete({ clipId: c.id, expect: 'approved', kind: 'files', reason: 'test' })).toBeUndefined();
    expect(existsSync(fileOf(c))).toBe(true);
  });
});

describe('disk quota', () => {
  const KB = 1024;

  it('over maxDiskGb: deletes the oldest rejected first, then the oldest pending, and stops when under', async () => {
    const at = (h: number): Partial<ClipRecord> => ({ startedAt: `2026-11-29T${String(h).padStart(2, '0')}:00:00.000Z`, endedAt: `2026-11-29T${String(h).padStart(2, '0')}:00:05.000Z` });
    const p1 = clip(at(8), 300 * KB);
    const r1 = clip(at(10), 300 * KB);
    const r2 = clip(at(9), 300 * KB);
    const p2 = clip(at(11), 300 * KB);
    const q = clip(at(7), 600 * KB);
    env.review.reject(r1.id);
    env.review.reject(r2.id);
    const busy = shared(q, 'queued', 10 * KB);
    // 0.001 GiB = 1,073,741 bytes; 1.2 MB of pending/rejected + 610 KB approved/queued is over.
    const report = await retention({ maxDiskGb: 0.001, rejectedDays: 30 }).runOnce();
    expect(deleted.map((d) => d.clipId)).toEqual([r2.id, r1.id, p1.id]);
    expect(deleted.every((d) => d.reason.startsWith('disk quota'))).toBe(true);
    expect(report.quota).toMatchObject({ deleted: 3, satisfied: true });
    expect(env.repos.clips.get(p2.id)).toBeDefined();
    expect(existsSync(fileOf(p2))).toBe(true);
    expect(existsSync(fileOf(q))).toBe(true);
    expect(existsSync(busy.exportFile)).toBe(true);
    expect(problems.has(QUOTA_PROBLEM)).toBe(false);
    expect(await env.ledger.verify()).toMatchObject({ ok: true });
  });

  it('under minFreePercent with nothing left to delete: a clip with a queued share survives and the owner sees a problem', async () => {
    const p = clip({}, 10);
    const q = clip({}, 10);
    const busy = shared(q, 'queued');
    const nearlyFull = async (): Promise<DiskSpace> => ({ totalBytes: 1000, freeBytes: 10 });
    const report = await retention({ minFreePercent: 10 }, nearlyFull).runOnce();
    expect(report.quota).toMatchObject({ deleted: 1, satisfied: false });
    expect(env.repos.clips.get(p.id)).toBeUndefined();
    expect(existsSync(fileOf(q))).toBe(true);
    expect(existsSync(busy.exportFile)).toBe(true);
    expect(problems.has(QUOTA_PROBLEM)).toBe(true);
    // Space is back: the problem clears on the next pass.
    await retention({ minFreePercent: 10 }).runOnce();
    expect(problems.has(QUOTA_PROBLEM)).toBe(false);
  });
});

describe('the analysis file goes with its clip', () => {
  it('retention removes <clip>.analysis.json with the video', async () => {
    const rec = clip();
    const analysisFile = analysisPath(fileOf(rec));
    writeFileSync(analysisFile, '{}');
    env.clock.advance(8 * DAY);
    await retention({}).runOnce();
    expect(existsSync(fileOf(rec))).toBe(false);
    expect(existsSync(analysisFile)).toBe(false);
  });
});
