// ENOSPC for real: the data dir is an 8 MiB tmpfs the test mounts (root only). The whole App runs
// on it; filling the disk makes an inbox drop fail with ENOSPC. The daemon must stay up, raise the
// disk.full problem, run retention at once, leave the stored clip intact and the drop in place,
// and recover by itself (problem cleared, drop ingested) once space is back.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { DISK_FULL_PROBLEM } from '../../../src/core/disk-full.js';
import { RETENTION_JOB } from '../../../src/retention/index.js';
import { fillDisk, freePort, makeTempDir, mountTmpfs, unmountTmpfs, waitUntil, type TempDir } from '../../support/index.js';
import { makeVideo } from '../inbox/videos.js';

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let tmp: TempDir;
let mounted = '';
let skipReason = '';

beforeAll(async () => {
  tmp = await makeTempDir('cg-enospc-');
  const mount = mountTmpfs(path.join(tmp.path, 'data'), '8m');
  if ('mounted' in mount) mounted = mount.mounted;
  else skipReason = mount.skipReason;
});

afterAll(async () => {
  if (mounted) unmountTmpfs(mounted);
  await tmp?.cleanup();
});

describe('disk full (ENOSPC on a real, small file system)', () => {
  it('stays up, raises the problem, runs retention, keeps stored clips intact and recovers when space returns', async (ctx) => {
    if (skipReason) {
      console.warn(`[enospc.test] skipped: ${skipReason}`);
      ctx.skip();
    }
    const inbox = path.join(tmp.path, 'inbox');
    const src = path.join(tmp.path, 'src');
    mkdirSync(src);
    await makeVideo(path.join(src, 'first.mp4'), { seed: 1, container: 'mp4' });
    await makeVideo(path.join(src, 'second.mp4'), { seed: 2, container: 'mp4' });
    const port = await freePort();
    const secrets = new SecretRegistry();
    const config = configSchema.parse({
      dataDir: mounted,
      cacheDir: path.join(tmp.path, 'cache'),
      web: { host: '127.0.0.1', port },
      cameras: [{ id: 'garden', inbox }],
      retention: { maxDiskGb: 1, minFreePercent: 0 },
    });
    const app = new App({ config, demo: false, log: createLogger({ level: (process.env.CLIPGATE_TEST_LOG as 'debug' | undefined) ?? 'silent', secrets }), secrets });
    const health = async (): Promise<number> => (await fetch(`http://127.0.0.1:${port}/api/health`)).status;
    try {
      await app.start();
      const { repos, problems } = app.core;
      writeFileSync(path.join(inbox, 'first.mp4'), readFileSync(path.join(src, 'first.mp4')));
      await waitUntil('the first clip', () => repos.clips.countByStatus('pending') === 1, 90_000, 250);
      const first = repos.clips.list({ limit: 10 }).items[0]!;
      const firstFile = path.join(mounted, first.filePath);
      expect(sha(firstFile)).toBe(first.sha256);

      const filler = path.join(mounted, 'filler.bin');
      fillDisk(filler);
      const fullAt = new Date().toISOString();
      writeFileSync(path.join(inbox, 'second.mp4'), readFileSync(path.join(src, 'second.mp4')));
      await waitUntil('the disk.full problem', () => problems.has(DISK_FULL_PROBLEM), 90_000, 250);
      // Retention ran at once (its run is recorded after the disk filled up)...
      await waitUntil('retention to run', () => repos.jobRuns.list().some((j) => j.name === RETENTION_JOB && (j.lastStartedAt ?? '') >= fullAt), 90_000, 250);
      // ...the daemon answers, the drop waits in the inbox, nothing was refused, the stored clip is intact.
      expect(await health()).toBe(200);
      expect(existsSync(path.join(inbox, 'second.mp4'))).toBe(true);
      expect(existsSync(path.join(inbox, '.rejected'))).toBe(false);
      expect(sha(firstFile)).toBe(first.sha256);
      expect(repos.clips.countByStatus('pending')).toBe(1);

      rmSync(filler);
      await waitUntil('the problem to clear', () => !problems.has(DISK_FULL_PROBLEM), 90_000, 250);
      await waitUntil('the waiting drop to be ingested', () => repos.clips.countByStatus('pending') === 2, 90_000, 250);
      expect(existsSync(path.join(inbox, 'second.mp4'))).toBe(false);
      expect(repos.clips.findBySha256(sha(path.join(src, 'second.mp4')))).toBeDefined();
      expect(sha(firstFile)).toBe(first.sha256);
      expect(await health()).toBe(200);
    } finally {
      await app.stop();
    }
  }, 180_000);
});
