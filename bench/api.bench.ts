import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from '../src/app.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger, SecretRegistry } from '../src/core/logger.js';
import type { Repos } from '../src/db/index.js';
import { generateToken, hashToken } from '../src/web/auth/tokens.js';
import { percentile, type Bench } from './types.js';

const CLIPS = 100_000;
const WARMUP = 100;
const SAMPLES = 1000;

function seed(repos: Repos, db: App['core']['db']): void {
  const t0 = Date.UTC(2026, 0, 1);
  db.transaction(() => {
    for (let i = 0; i < CLIPS; i++) {
      const at = new Date(t0 + i * 60_000).toISOString();
      repos.clips.insert({
        id: `clip-${i.toString().padStart(6, '0')}`, cameraId: `cam-${i % 8}`, status: i % 3 === 0 ? 'pending' : 'rejected', trigger: 'motion',
        startedAt: at, endedAt: at, durationMs: 15_000, sizeBytes: 5_000_000, width: 1920, height: 1080, hasAudio: true,
        sha256: i.toString(16).padStart(64, '0'), filePath: `clips/${i}.mp4`, thumbPath: null, createdAt: at, reviewedAt: null, fileDeletedAt: null,
      });
    }
  })();
}

/** One GET over a keep-alive connection; resolves with the elapsed milliseconds and the body. */
function timedGet(agent: http.Agent, port: number, url: string, token: string): Promise<{ ms: number; body: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: url, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - start, body }) : reject(new Error(`${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
  });
}

/** `GET /api/clips?limit=50` over real HTTP on loopback with 100k clips (DESIGN target: p95 ≤ 10 ms). */
export const apiBench: Bench = {
  name: 'api: GET /api/clips?limit=50 with 100k clips',
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-api-'));
    const config = configSchema.parse({ dataDir: path.join(dir, 'data'), cacheDir: path.join(dir, 'cache'), web: { host: '127.0.0.1', port: 0 }, logging: { level: 'silent' } });
    const app = new App({ config, demo: false, log: createLogger({ level: 'silent', secrets: new SecretRegistry() }), secrets: new SecretRegistry() });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      seed(app.core.repos, app.core.db);
      const token = generateToken();
      app.core.repos.tokens.insert('bench', hashToken(token), new Date().toISOString());
      await app.start();
      const port = app.web.port;
      const urls: string[] = [];
      let cursor: string | null = null;
      const samples: number[] = [];
      const repoSamples: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        // Mix of first pages, filtered pages and deep pages through the cursor.
        const q = new URLSearchParams({ limit: '50' });
        if (i % 2) q.set('status', 'pending');
        if (i % 10 !== 9 && cursor) q.set('cursor', cursor);
        const url = `/api/clips?${q.toString()}`;
        urls.push(url);
        const { ms, body } = await timedGet(agent, port, url, token);
        cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
        if (i < WARMUP) continue;
        samples.push(ms);
        const s = performance.now();
        app.core.repos.clips.list({ limit: 50, ...(i % 2 ? { status: 'pending' as const } : {}), ...(q.get('cursor') ? { cursor: q.get('cursor') ?? '' } : {}) });
        repoSamples.push(performance.now() - s);
      }
      const p95 = percentile(samples, 95);
      const base = percentile(repoSamples, 95);
      return [
        { name: 'HTTP list limit=50 p50', value: Number(percentile(samples, 50).toFixed(3)), unit: 'ms' },
        {
          name: 'HTTP list limit=50 p95',
          value: Number(p95.toFixed(3)),
          unit: 'ms',
          baseline: { name: 'repository list p95 (no HTTP)', value: Number(base.toFixed(3)) },
          ratio: p95 / base,
          target: { op: '<=', value: 10, of: 'value' },
          notes: `${SAMPLES} requests after ${WARMUP} warm-up, one keep-alive connection, Bearer auth`,
        },
      ];
    } finally {
      agent.destroy();
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
