import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from '../../../src/demo/dev-platform/server.js';
import { systemClock } from '../../../src/core/clock.js';
import type { EventMap } from '../../../src/core/events.js';
import { Scheduler } from '../../../src/jobs/scheduler.js';
import { AssistanceService, POLL_JOB } from '../../../src/upload/assistance.js';
import type { LatLon } from '../../../src/upload/matching.js';
import { makeTempDir, waitUntil, type TempDir } from '../../support/index.js';
import { addClip, openHarness, type Harness } from './harness.js';

let tmp: TempDir;
let h: Harness;
let platform: DevPlatform;
let scheduler: Scheduler;
const TOKEN = 'requests-token';
const HOME = { latitude: 35.37, longitude: -119.02 };

const base = { agency: 'Bakersfield PD', caseNumber: 'BPD-1', description: 'Package theft' };
const inside = { ...base, id: 'r-inside', title: 'Near home', startsAt: '2026-03-01T10:00:00.000Z', endsAt: '2026-03-01T11:00:00.000Z', area: { latitude: 35.371, longitude: -119.021, radiusMeters: 800 } };
const outside = { ...base, id: 'r-outside', title: 'Across town', startsAt: '2026-03-01T10:00:00.000Z', endsAt: '2026-03-01T11:00:00.000Z', area: { latitude: 35.42, longitude: -119.1, radiusMeters: 800 } };

beforeEach(async () => {
  tmp = await makeTempDir('cg-requests-');
  h = openHarness(path.join(tmp.path, 'data'));
  scheduler = new Scheduler({ log: h.log, clock: systemClock, jobRuns: h.repos.jobRuns });
  await scheduler.start();
});
afterEach(async () => {
  await scheduler.stop();
  await platform.stop();
  h.close();
  await tmp.cleanup();
});

async function service(requests: unknown[], home: LatLon | undefined, token = TOKEN): Promise<AssistanceService> {
  const file = path.join(tmp.path, 'requests.json');
  writeFileSync(file, JSON.stringify({ requests }));
  platform = await startDevPlatform({ token: TOKEN, dir: path.join(tmp.path, 'platform'), requestsFile: file });
  return new AssistanceService({
    repos: h.repos, bus: h.bus, clock: systemClock, log: h.log, problems: h.problems, scheduler,
    platform: { url: platform.url, token }, pollRequests: '*/5 * * * *', home,
  });
}

function seedClips(): Record<string, string> {
  const ids: Record<string, string> = {};
  ids.before = addClip(h, { startedAt: '2026-03-01T09:00:00.000Z', durationMs: 10_000 }).id;
  ids.a = addClip(h, { startedAt: '2026-03-01T09:59:55.000Z', durationMs: 10_000 }).id; // straddles the start
  ids.b = addClip(h, { status: 'approved', startedAt: '2026-03-01T10:30:00.000Z', durationMs: 15_000 }).id;
  ids.rejected = addClip(h, { status: 'rejected', startedAt: '2026-03-01T10:40:00.000Z', durationMs: 15_000 }).id;
  ids.after = addClip(h, { startedAt: '2026-03-01T11:00:01.000Z', durationMs: 5_000 }).id;
  return ids;
}

describe('requests for assistance', () => {
  it('a request covering two local clips lists exactly those two; one outside the area lists none', async () => {
    const ids = seedClips();
    const svc = await service([inside, outside, { id: 'broken', startsAt: 'yesterday' }], HOME);
    const received: EventMap['request.received'][] = [];
    h.bus.on('test', 'request.received', (e) => void received.push(e));
    await svc.start();
    await scheduler.runNow(POLL_JOB); // waits for the start-up poll if still running, else polls again
    const list = svc.list();
    expect(list.map((r) => r.id).sort()).toEqual(['r-inside', 'r-outside']);
    expect(list.find((r) => r.id === 'r-inside')?.candidateClipIds.sort()).toEqual([ids.a, ids.b].sort());
    expect(list.find((r) => r.id === 'r-outside')?.candidateClipIds).toEqual([]);
    expect(svc.openCount()).toBe(2);
    expect(received.map((e) => e.request.id).sort()).toEqual(['r-inside', 'r-outside']);
    expect(received.find((e) => e.request.id === 'r-inside')?.candidateClipIds.sort()).toEqual([ids.a, ids.b].sort());
    expect(h.repos.jobRuns.list().find((j) => j.name === POLL_JOB)?.lastStatus).toBe('ok');
    // Polling again announces nothing new, and only GETs ever went to the platform: declining sends nothing.
    await scheduler.runNow(POLL_JOB);
    expect(received).toHaveLength(2);
    expect(new Set(platform.requestLog().map((l) => `${l.method} ${l.path}`))).toEqual(new Set(['GET /api/requests']));
  });

  it('without a configured location only the time window decides; dropped requests close', async () => {
    const ids = seedClips();
    const svc = await service([outside], undefined);
    await svc.poll();
    expect(svc.list()[0]?.candidateClipIds.sort()).toEqual([ids.a, ids.b].sort());
    writeFileSync(path.join(tmp.path, 'requests.json'), JSON.stringify({ requests: [] }));
    await svc.poll();
    expect(svc.list()).toEqual([]);
    expect(svc.openCount()).toBe(0);
  });

  it('a wrong token raises a problem and the job run records the failure', async () => {
    const svc = await service([inside], HOME, 'wrong');
    await svc.start();
    await scheduler.runNow(POLL_JOB);
    await waitUntil('the auth problem', () => h.problems.has('platform.auth'), 10_000);
    expect(h.problems.has('platform.auth')).toBe(true);
    expect(h.repos.jobRuns.list().find((j) => j.name === POLL_JOB)?.lastStatus).toBe('failed');
    expect(svc.list()).toEqual([]);
  });
});
