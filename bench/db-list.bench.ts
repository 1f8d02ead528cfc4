import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRepos, openDatabase } from '../src/db/index.js';
import { percentile, type Bench } from './types.js';

const CLIPS = 100_000;

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
      const samples: number[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 500; i++) {
        const s = performance.now();
        const page = repos.clips.list({ limit: 50, status: i % 2 ? 'pending' : undefined, cursor: i % 10 === 9 ? undefined : cursor });
        samples.push(performance.now() - s);
        cursor = page.nextCursor ?? undefined;
      }
      db.close();
      return [
        { name: 'insert 100k clips (one transaction)', value: Math.round(CLIPS / (insertMs / 1000)), unit: 'rows/s' },
        { name: 'repo list limit=50 p95', value: Number(percentile(samples, 95).toFixed(3)), unit: 'ms', target: { op: '<=', value: 10, of: 'value' } },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
