import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRepos, openDatabase } from '../src/db/index.js';
import type { ClipLabel, ClipLabels } from '../src/core/types.js';
import type { Repos } from '../src/db/index.js';
import { percentile, type Bench, type BenchResult } from './types.js';

const CLIPS = 100_000;
const PAGES = 300;

/**
 * Labels as a doorbell's analysis might give them: person on 30% of the clips, vehicle on 8%,
 * animal on 1% (the sparse case: a page walks far), other on 20%; 10% not analysed yet.
 */
function labelsOf(i: number): ClipLabels | null {
  const h = (i * 2654435761) % 1000;
  if (h < 100) return null;
  const out: ClipLabels = {};
  if (h % 10 < 3) out.person = 0.9;
  if (h % 25 < 2) out.vehicle = 0.8;
  if (h % 100 === 7) out.animal = 0.7;
  if (h % 5 === 1) out.other = 0.6;
  return out;
}

/** p95 of paging through a filtered listing (a fresh first page every 10th request, as the UI's reloads do). */
function pageP95(repos: Repos, q: { labels?: ClipLabel[]; hideUnlabelled?: boolean; status?: 'pending' }): number {
  const samples: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < PAGES; i++) {
    const s = performance.now();
    const page = repos.clips.list({ ...q, limit: 50, cursor: i % 10 === 9 ? undefined : cursor });
    samples.push(performance.now() - s);
    cursor = page.nextCursor ?? undefined;
  }
  return Number(percentile(samples, 95).toFixed(3));
}

/** Repository-level listing of the newest 50 clips (the API bench adds HTTP on top of this). */
export const dbListBench: Bench = {
  name: 'db: list 50 clips of 100k',
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-db-'));
    try {
      const db = openDatabase(path.join(dir, 'bench.db'));
      const repos = createRepos(db);
      const t0 = Date.UTC(2026, 0, 1);
      const insertStart = performance.now();
      db.transaction(() => {
        for (let i = 0; i < CLIPS; i++) {
          const at = new Date(t0 + i * 60_000).toISOString();
          repos.clips.insert({
            id: `clip-${i.toString().padStart(6, '0')}`, cameraId: `cam-${i % 8}`, status: i % 3 === 0 ? 'pending' : 'rejected',
            trigger: 'motion', startedAt: at, endedAt: at, durationMs: 15_000, sizeBytes: 5_000_000, width: 1920, height: 1080,
            hasAudio: true, sha256: i.toString(16).padStart(64, '0'), filePath: `clips/${i}.mp4`, thumbPath: null, createdAt: at,
            reviewedAt: null, fileDeletedAt: null,
          });
        }
      })();
      const insertMs = performance.now() - insertStart;
      const labelStart = performance.now();
      db.transaction(() => {
        for (let i = 0; i < CLIPS; i++) {
          const labels = labelsOf(i);
          if (labels) repos.clips.setAnalysis(`clip-${i.toString().padStart(6, '0')}`, 'done', labels);
        }
      })();
      const labelMs = performance.now() - labelStart;
      const samples: number[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 500; i++) {
        const s = performance.now();
        const page = repos.clips.list({ limit: 50, status: i % 2 ? 'pending' : undefined, cursor: i % 10 === 9 ? undefined : cursor });
        samples.push(performance.now() - s);
        cursor = page.nextCursor ?? undefined;
      }
      const target = { op: '<=' as const, value: 10, of: 'value' as const };
      const filtered: [string, Parameters<typeof pageP95>[1]][] = [
        ['label=person (30%)', { labels: ['person'] }],
        ['label=animal (1%, sparse)', { labels: ['animal'] }],
        ['label=person,vehicle', { labels: ['person', 'vehicle'] }],
        ['label=person&status=pending', { labels: ['person'], status: 'pending' }],
        ['hideUnlabelled&status=pending (default queue view)', { hideUnlabelled: true, status: 'pending' }],
      ];
      const rows: BenchResult[] = filtered.map(([name, q]) => ({ name: `repo list limit=50 ${name} p95`, value: pageP95(repos, q), unit: 'ms', target }));
      db.close();
      return [
        { name: 'insert 100k clips (one transaction)', value: Math.round(CLIPS / (insertMs / 1000)), unit: 'rows/s' },
        { name: 'repo list limit=50 p95', value: Number(percentile(samples, 95).toFixed(3)), unit: 'ms', target },
        ...rows,
        { name: 'store analysis results (labels) for 90k clips', value: Math.round((CLIPS * 0.9) / (labelMs / 1000)), unit: 'clips/s' },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
