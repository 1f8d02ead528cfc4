// TP-Link Tapo closes every PullMessages long-poll after about 10 s, whatever timeout was asked.
// clipgate must shorten its polls and keep the subscription (no reconnect, no new subscription),
// and events must still arrive at once.
import { describe, expect, it } from 'vitest';
import type { OnvifDouble } from '../../support/onvif-double/index.js';
import { onvifFixture, sleep, waitUntil, type EventRig } from './harness.js';

const onvif = onvifFixture({ double: { auth: 'wsse' }, rig: { pullTimeoutSeconds: 20, backoff: { initialMs: 200, maxMs: 1_000 }, subscribed: true } });

/** Emit motion on/off `n` times at uneven moments; returns each event's delivery latency (ms). */
async function latencies(d: OnvifDouble, r: EventRig, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    await sleep(300 + ((i * 733) % 1_700));
    const before = r.motion.length;
    const sentAt = Date.now();
    d.emitStyle('hikvision', i % 2 === 0);
    await waitUntil(`event ${i}`, () => r.motion.length > before, 5_000);
    out.push(r.motionReceivedAt[before]! - sentAt);
  }
  return out;
}

async function tapoRun(cutMs: number, settleMs: number): Promise<{ d: OnvifDouble; r: EventRig; lat: number[] }> {
  const { d, r } = await onvif.start({ longPollCutMs: cutMs });
  await waitUntil('the first cut', () => d.cuts() >= 1, cutMs + 10_000);
  await waitUntil('an adapted poll answered', () => r.service.stats.pullTimeoutSeconds < 20, cutMs + 10_000);
  const cutsAfterAdaptation = d.cuts();
  const lat = await latencies(d, r, 6);
  await sleep(settleMs);
  expect(d.cuts(), 'no cut after the adaptation').toBe(cutsAfterAdaptation);
  expect(d.count('CreatePullPointSubscription'), 'no new subscription').toBe(1);
  expect(d.count('GetSystemDateAndTime'), 'no reconnect').toBe(1);
  expect(d.count('Unsubscribe')).toBe(0);
  expect(r.problems.list()).toEqual([]);
  expect(Math.max(...lat), `latencies ${lat.join(', ')} ms`).toBeLessThan(1_000);
  const pulls = d.requests().filter((q) => q.op === 'PullMessages');
  console.log(
    `onvif tapo cut ${cutMs} ms: cuts ${d.cuts()}, adapted to PT${r.service.stats.pullTimeoutSeconds}S, ${pulls.length} polls, ` +
      `creates ${d.count('CreatePullPointSubscription')}, reconnects ${d.count('GetSystemDateAndTime') - 1}, event latency ms ${lat.join('/')}`,
  );
  return { d, r, lat };
}

describe('Tapo-like camera cutting every long-poll', () => {
  it('cut at 2 s: shortens to PT1S on the same subscription; events within 1 s', async () => {
    const { r } = await tapoRun(2_000, 4_000);
    expect(r.service.stats.pullTimeoutSeconds).toBe(1);
  }, 60_000);

  it('cut at 10 s (Tapo): PT20S → PT8S, no reconnect, events within 1 s', async () => {
    const { d, r } = await tapoRun(10_000, 18_000);
    expect(r.service.stats.pullTimeoutSeconds).toBe(8);
    // One poll was cut; every other one was answered by the camera.
    const pulls = d.requests().filter((q) => q.op === 'PullMessages');
    expect(pulls.filter((q) => q.status === 0)).toHaveLength(1);
    expect(pulls.filter((q) => q.status !== 0 && q.status !== undefined).every((q) => q.status === 200)).toBe(true);
  }, 90_000);
});
