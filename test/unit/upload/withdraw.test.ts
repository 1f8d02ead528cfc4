// Withdrawal asked for by another process (the CLI) while the daemon owns the uploads: the share
// leaves the upload queue's SQL at once, and the daemon's share service carries it out. The
// platform side (HEAD, PATCH in flight, DELETE) is covered against the real dev platform in
// test/integration/upload/withdraw.test.ts.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../support/wait.js';
import { makeEnv, type ReviewEnv } from '../review/env.js';
import { sendShare } from '../ledger/history.js';
import { ShareService, Uploader } from '../../../src/upload/index.js';
import { Problems } from '../../../src/core/problems.js';
import { existsSync } from 'node:fs';
import path from 'node:path';

let env: ReviewEnv | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  env?.cleanup();
});

function services(e: ReviewEnv, where: 'cli' | 'daemon'): ShareService {
  const base = { db: e.db, repos: e.repos, bus: e.bus, clock: e.clock, ledger: e.ledger, dataDir: e.dataDir, log: pino({ level: 'silent' }) };
  if (where === 'cli') return new ShareService({ ...base, uploadsElsewhere: true });
  // The daemon's uploader, not started: no platform client, so nothing can be in flight.
  const uploader = new Uploader({
    ...base, problems: new Problems({ bus: e.bus, clock: e.clock }), settings: { url: 'http://127.0.0.1:9/api', token: 't', maxUploadKbps: 0, concurrency: 1, chunkSizeBytes: 1024 },
  });
  return new ShareService({ ...base, uploader, requestPollMs: 50 });
}

describe('withdrawal across processes', () => {
  it('a queued share the daemon has not picked up is withdrawn by the CLI itself (compare-and-set)', async () => {
    env = makeEnv();
    const share = sendShare(env);
    const out = await services(env, 'cli').cancel(share.id);
    expect(out.status).toBe('cancelled');
    expect(env.ledger.list().map((e) => e.action)).toEqual(['approved', 'withdrawn']);
    expect(existsSync(path.join(env.dataDir, share.exportPath!))).toBe(false);
  });

  it('an uploading share is asked for: it leaves the upload queue at once, and the daemon withdraws it', async () => {
    env = makeEnv();
    const share = sendShare(env);
    env.repos.shares.update(share.id, { status: 'uploading' }, env.clock.iso(), 'queued');
    expect(env.repos.shares.listUploadable().map((s) => s.id)).toEqual([share.id]);
    const asked = await services(env, 'cli').cancel(share.id);
    expect(asked.status).toBe('uploading');
    expect(env.repos.shares.get(share.id)?.cancelRequestedAt).not.toBeNull();
    // From now on no uploader in any process may take it.
    expect(env.repos.shares.listUploadable()).toEqual([]);
    const daemon = services(env, 'daemon');
    await daemon.start();
    stops.push(() => daemon.stop());
    await waitUntil('the daemon carried the withdrawal out', () => env!.repos.shares.get(share.id)?.status === 'cancelled', 5_000);
    expect(env.ledger.list().map((e) => e.action)).toEqual(['approved', 'withdrawn']);
    expect(env.ledger.list().at(-1)?.options).toMatchObject({ bytesSent: 0, wasStatus: 'uploading' });
    expect(env.repos.shares.get(share.id)?.cancelRequestedAt).toBeNull();
    expect(env.repos.clips.get(share.clipId)?.status).toBe('pending');
    expect((await env.ledger.verify()).ok).toBe(true);
  });
});
