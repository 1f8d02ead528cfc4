// The community platform answers 500 to half of all requests for 30 s (a fault-injecting proxy in front
// of the real dev platform; half of those failures happen AFTER the platform acted, so a PATCH
// the daemon thinks failed did store its bytes), then heals. Every approved share must end `uploaded`,
// complete on the platform exactly once with the right bytes, and the daemon must stay up.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { createDaemon, type Daemon } from '../../support/daemon.js';
import { startFaultyProxy, type FaultyProxy } from '../../support/faulty-proxy.js';
import { makeTempDir, sleep, type TempDir } from '../../support/index.js';
import { checkFiles, checkLedger, checkPlatform, Checks, PlayableCache, readDb } from './invariants.js';
import { sendReady } from './workload.js';
import { seededRng } from './prng.js';

const TOKEN = 'fault-suite-platform-token';
const SHARES = 5;
const FAILING_MS = 30_000;

let tmp: TempDir;
let platform: DevPlatform;
let proxy: FaultyProxy;
let daemon: Daemon;

const rng = seededRng('platform 500');

beforeAll(async () => {
  tmp = await makeTempDir('cg-fault-500-');
  platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform') });
  proxy = await startFaultyProxy({ target: new URL(platform.url).origin, failureRate: 0.5, random: () => rng.next() });
  daemon = await createDaemon({
    dir: tmp.path,
    config: {
      // 640x360 exports of a few hundred KiB in 256 KiB chunks: several requests per upload, so
      // failures land between chunks, not only on creation.
      cameras: [{ id: 'sim', simulated: { motionEverySeconds: 5, width: 640, height: 360, fps: 10 }, record: { preSeconds: 1, postSeconds: 2, maxSeconds: 10 } }],
      platform: { url: `${proxy.url}/api`, token: TOKEN, chunkSizeMb: 0.25 },
    },
  });
  await daemon.start();
});

afterAll(async () => {
  if (daemon?.running) await daemon.kill9();
  await proxy?.stop();
  await platform?.stop();
  await tmp?.cleanup();
});

describe('a platform that answers 500 half the time', () => {
  it('gets every approved share through exactly once, and the daemon stays up', async () => {
    const checks = new Checks();
    const approved = new Set<string>();
    const deadline = Date.now() + 180_000;
    while (approved.size < SHARES) {
      if (Date.now() > deadline) throw new Error(`only ${approved.size} clips to approve after 180 s:\n${daemon.tail()}`);
      const list = await daemon.api<{ items: { id: string }[] }>('GET', '/clips?status=pending&limit=10');
      for (const clip of list.body.items.slice(0, SHARES - approved.size)) {
        const r = await daemon.api('POST', `/clips/${clip.id}/approve`, { blur: [{ x: 0, y: 0, width: 0.5, height: 0.5 }] });
        checks.ok(r.status === 202, () => `approve ${clip.id}: ${r.status} ${JSON.stringify(r.body)}`);
        approved.add(clip.id);
      }
      await sleep(2_000);
    }
    // Half of all requests fail for FAILING_MS more, then the platform heals. Retries back off
    // (2 s, 4 s, 8 s, ... per failed attempt), so the heal is needed to bound the test's time.
    const healAt = Date.now() + FAILING_MS;
    let uploadedWhileFailing = 0;
    const waitEnd = healAt + 420_000;
    for (;;) {
      if (proxy.failureRate > 0 && Date.now() > healAt) {
        uploadedWhileFailing = readDb(daemon.dataDir).shares.filter((s) => s.status === 'uploaded').length;
        proxy.setFailureRate(0);
      }
      checks.ok(daemon.running, () => `daemon exited while the platform failed:\n${daemon.tail()}`);
      // The owner's Send as each export becomes ready (the consent is recorded locally, whatever the platform does).
      await sendReady(daemon);
      const shares = readDb(daemon.dataDir).shares;
      checks.ok(shares.every((s) => s.status !== 'failed'), () => `a share failed for good: ${JSON.stringify(shares.filter((s) => s.status === 'failed'))}`);
      if (shares.length === SHARES && shares.every((s) => s.status === 'uploaded')) break;
      if (Date.now() > waitEnd) throw new Error(`shares not uploaded: ${JSON.stringify(shares.map((s) => [s.status, s.error]))}`);
      await sleep(1_000);
    }
    const cache = new PlayableCache();
    const state = await checkFiles(daemon, checks, cache);
    await checkLedger(daemon, state.db, checks);
    const { complete, partial } = await checkPlatform(platform, state.db, checks, cache);
    for (const s of state.db.shares) checks.ok(complete.get(s.id) === 1, () => `share ${s.id} complete ${complete.get(s.id) ?? 0} times on the platform`);
    const retries = daemon.lines().filter((l) => l.msg === 'upload attempt failed; will retry').length;
    process.stdout.write(
      `[fault] platform 500: ${SHARES} shares uploaded (${uploadedWhileFailing} while failing) through ${proxy.counts.pass} passed, ` +
        `${proxy.counts.before} refused and ${proxy.counts.after} acted-on-then-500 requests (failed: ${JSON.stringify(proxy.failedByMethod)}); ` +
        `${retries} retries; ${partial} abandoned partial uploads; ${checks.count} checks\n`,
    );
    expect(proxy.failedByMethod.PATCH ?? 0, 'no PATCH was failed: the faults missed the upload itself').toBeGreaterThan(0);
    expect(complete.size).toBe(SHARES);
  }, 660_000);
});
