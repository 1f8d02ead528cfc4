// Labels per clip (migration 003): the label filter's keyset paging agrees with a brute-force
// filter of the whole table on every page, for one label, "any of" two, with status and camera
// filters; review.hideUnlabelled's view; analysis states and the backlog order.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClipLabel, ClipLabels, ClipStatus } from '../../../src/core/types.js';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import { makeCore, type TestCore } from '../../support/core.js';

let core: TestCore | undefined;
afterEach(() => core?.cleanup());

const LABELS: ClipLabel[] = ['person', 'vehicle', 'animal', 'other'];

/** A deterministic pseudo-random table: some clips share a start time (the id breaks the tie). */
function seed(c: TestCore, n: number): { id: string; startedAt: string; status: ClipStatus; camera: string; labels: ClipLabels; analysed: boolean }[] {
  let x = 12345;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const rows = [];
  for (let i = 0; i < n; i++) {
    const startedAt = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 60_000).toISOString();
    const status: ClipStatus = rnd() < 0.6 ? 'pending' : 'rejected';
    const camera = rnd() < 0.5 ? 'a' : 'b';
    const id = `clip-${String(i).padStart(4, '0')}`;
    c.repos.clips.insert({
      id, cameraId: camera, status, trigger: 'motion', startedAt, endedAt: startedAt, durationMs: 1000, sizeBytes: 1, width: 2, height: 2,
      hasAudio: false, sha256: 'a'.repeat(64), filePath: `clips/${id}.mp4`, thumbPath: null, createdAt: startedAt, reviewedAt: null, fileDeletedAt: null,
    });
    const analysed = rnd() < 0.8;
    const labels: ClipLabels = {};
    // Scores below the threshold are not labels: never listed, never matched.
    for (const l of LABELS) if (rnd() < 0.25) labels[l] = Math.round(rnd() * 1000) / 1000;
    if (analysed) c.repos.clips.setAnalysis(id, 'done', labels);
    const kept: ClipLabels = {};
    for (const [l, s] of Object.entries(labels) as [ClipLabel, number][]) if (s >= 0.5) kept[l] = s;
    rows.push({ id, startedAt, status, camera, labels: analysed ? kept : {}, analysed });
  }
  return rows;
}

function allPages(c: TestCore, q: Parameters<TestCore['repos']['clips']['list']>[0]): ClipRecord[] {
  const out: ClipRecord[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = c.repos.clips.list({ ...q, cursor });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

describe('clips listing by label', () => {
  it('pages through exactly the clips a brute-force filter finds, newest first, for every filter combination', () => {
    core = makeCore();
    const rows = seed(core, 600);
    const order = [...rows].sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1));
    const cases: { labels: ClipLabel[]; status?: ClipStatus; cameraId?: string }[] = [
      { labels: ['person'] }, { labels: ['person', 'vehicle'] }, { labels: ['animal'], status: 'pending' },
      { labels: ['vehicle', 'other'], cameraId: 'b' }, { labels: ['person', 'vehicle', 'animal', 'other'], status: 'rejected', cameraId: 'a' },
    ];
    for (const q of cases) {
      for (const limit of [1, 7, 50]) {
        const want = order.filter((r) => q.labels.some((l) => r.labels[l] !== undefined) && (!q.status || r.status === q.status) && (!q.cameraId || r.camera === q.cameraId)).map((r) => r.id);
        const got = allPages(core, { ...q, limit });
        expect(got.map((g) => g.id), JSON.stringify({ ...q, limit })).toEqual(want);
        expect(want.length).toBeGreaterThan(0);
      }
    }
    const first = core.repos.clips.list({ labels: ['person'], limit: 1 }).items[0]!;
    expect(first.labels.person).toBeGreaterThanOrEqual(0.5);
    expect(Object.values(first.labels).every((s) => s >= 0.5)).toBe(true);
  });

  it('hideUnlabelled leaves out only analysed clips with neither person nor vehicle', () => {
    core = makeCore();
    const rows = seed(core, 300);
    const want = rows.filter((r) => !r.analysed || r.labels.person !== undefined || r.labels.vehicle !== undefined).map((r) => r.id).sort().reverse();
    const got = allPages(core, { hideUnlabelled: true, limit: 13 }).map((c) => c.id);
    expect(got).toEqual(want);
    expect(got.length).toBeLessThan(rows.length);
  });

  it('analysis states: new clips pending, the backlog is pending-review first then newest, unavailable marks the waiting off', () => {
    core = makeCore();
    const rows = seed(core, 30);
    const waiting = rows.filter((r) => !r.analysed);
    const backlog = core.repos.clips.analysisBacklog(100);
    expect(backlog.map((c) => c.id).sort()).toEqual(waiting.map((r) => r.id).sort());
    const firstRejected = backlog.findIndex((c) => c.status !== 'pending');
    expect(backlog.slice(firstRejected === -1 ? backlog.length : firstRejected).every((c) => c.status !== 'pending')).toBe(true);
    expect(core.repos.clips.markWaitingAnalysisOff()).toBe(waiting.length);
    expect(core.repos.clips.get(waiting[0]!.id)?.analysis).toBe('off');
    // `off` clips are analysed again once detection works.
    expect(core.repos.clips.analysisBacklog(100)).toHaveLength(waiting.length);
    expect(core.repos.clips.setAnalysis('no-such-clip', 'done', { person: 0.9 })).toBe(false);
  });
});
