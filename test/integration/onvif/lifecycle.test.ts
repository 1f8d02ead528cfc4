// The subscription lifecycle against the strict double: one subscription renewed at 80% of the
// granted lifetime with motion held on, re-subscription only when Renew fails (old one
// unsubscribed first), and no motion flapping through re-subscriptions or short outages.
import { describe, expect, it } from 'vitest';
import { EXPECTED_ACTIONS, type RecordedRequest } from '../../support/onvif-double/index.js';
import { onvifFixture, sleep, waitUntil } from './harness.js';

const FAST = { initialMs: 200, maxMs: 1_000 };
/** The strict run's granted lifetime and renew count; raise them for a long run (e.g. 60 and 6 ≈ 5 minutes). */
const GRANT_S = Number(process.env.CLIPGATE_ONVIF_STRICT_GRANT ?? 5);
const RENEWS = Number(process.env.CLIPGATE_ONVIF_STRICT_RENEWS ?? 4);
const { start: setup } = onvifFixture({ double: { auth: 'wsse' }, rig: { backoff: FAST, subscribed: true } });

const ok = (reqs: RecordedRequest[], op: string): number => reqs.filter((q) => q.op === op && q.status === 200).length;
const ops = (reqs: RecordedRequest[]): string[] => reqs.map((q) => q.op);

function expectCleanAddressing(reqs: RecordedRequest[]): void {
  const ids = reqs.map((q) => q.messageId);
  expect(new Set(ids).size, 'every MessageID unique').toBe(reqs.length);
  for (const q of reqs) {
    expect(q.messageId, `${q.op} MessageID`).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(q.action, `${q.op} Action`).toBe(EXPECTED_ACTIONS[q.op]);
    expect(q.contentAction, `${q.op} Content-Type action`).toBe(q.action);
    expect(q.replyTo, `${q.op} ReplyTo`).toBe('http://www.w3.org/2005/08/addressing/anonymous');
    expect(new URL(q.to ?? 'x:').pathname, `${q.op} To`).toBe(q.path);
  }
}

describe('ONVIF subscription lifecycle', () => {
  it(`strict double, motion held on, grant ${GRANT_S} s: 1 subscription, ${RENEWS} renews, no motion off, clean WS-Addressing`, async () => {
    const { d, r } = await setup({ grantSeconds: GRANT_S });
    const startedAt = Date.now();
    d.emitStyle('hikvision', true);
    await waitUntil('motion on', () => r.motion.length === 1, 10_000);
    // 80% of the grant between renews. Wait for them, however long the machine needs.
    await waitUntil(`${RENEWS} successful renews`, () => ok(d.requests(), 'Renew') >= RENEWS, (RENEWS + 2) * GRANT_S * 1000 + 20_000);
    const reqs = d.requests();
    const counts = d.counts();
    console.log(
      `onvif strict run (grant ${GRANT_S} s, motion held on, ${((Date.now() - startedAt) / 1000).toFixed(0)} s): ${reqs.length} requests ${JSON.stringify(counts)}; ` +
        `renews answered 200: ${ok(reqs, 'Renew')}; faults: ${reqs.filter((q) => q.status !== 200 && q.status !== undefined).length}; motion events ${JSON.stringify(r.motion.map((m) => m.active))}; unique MessageIDs ${new Set(reqs.map((q) => q.messageId)).size}/${reqs.length}`,
    );
    expect(counts.CreatePullPointSubscription).toBe(1);
    expect(ok(reqs, 'Renew')).toBeGreaterThanOrEqual(3);
    expect(reqs.filter((q) => q.status !== undefined && q.status !== 200)).toEqual([]);
    expect(r.motion.map((m) => m.active)).toEqual([true]);
    expectCleanAddressing(reqs);
    // Renewals follow the grant: consecutive renews ~80% of it apart, never back to back.
    const renewTimes = reqs.filter((q) => q.op === 'Renew').map((q) => q.at);
    for (let i = 1; i < renewTimes.length; i += 1) expect(renewTimes[i]! - renewTimes[i - 1]!).toBeGreaterThanOrEqual(GRANT_S * 600);
  }, (RENEWS + 4) * GRANT_S * 1000 + 40_000);

  it('Renew refused: unsubscribes the old subscription, then creates one; motion held on stays on', async () => {
    const { d, r } = await setup({ grantSeconds: 4, maxSubscriptions: 1 });
    d.emitStyle('hikvision', true);
    await waitUntil('motion on', () => r.motion.length === 1, 10_000);
    d.resetCounts();
    d.misbehave('Renew', 'fault');
    await waitUntil('a refused renew', () => d.count('Renew') >= 1, 10_000);
    d.misbehave('Renew', null);
    await waitUntil('a new subscription', () => d.count('CreatePullPointSubscription') >= 1 && d.subscriptions() === 1, 10_000);
    const flow = ops(d.requests()).filter((op) => op !== 'PullMessages');
    // The camera has one slot: without the Unsubscribe first, the create would be refused.
    expect(flow.slice(0, 3)).toEqual(['Renew', 'Unsubscribe', 'CreatePullPointSubscription']);
    expect(d.requests().find((q) => q.op === 'CreatePullPointSubscription')?.status).toBe(200);
    // The new subscription's Initialized message says motion is still on: nothing is published.
    const pullsAfterCreate = (): number => {
      const reqs = d.requests();
      const created = reqs.findIndex((q) => q.op === 'CreatePullPointSubscription');
      return reqs.slice(created).filter((q) => q.op === 'PullMessages' && q.status === 200).length;
    };
    await waitUntil('two pulls on the new subscription', () => pullsAfterCreate() >= 2, 15_000);
    expect(r.motion.map((m) => m.active)).toEqual([true]);
    d.emitStyle('hikvision', false);
    await waitUntil('motion off from the camera', () => r.motion.length === 2, 10_000);
  }, 40_000);

  it('an outage shorter than the grace period changes nothing; a longer one reports off, then the state comes back', async () => {
    const { d, r } = await setup({}, { graceMs: 4_000, pullTimeoutSeconds: 2 });
    d.emitStyle('hikvision', true);
    await waitUntil('motion on', () => r.motion.length === 1, 10_000);
    await waitUntil('up', () => r.service.status.state === 'up', 5_000);
    await d.networkDown();
    await sleep(1_500);
    await d.networkUp();
    const upAt = Date.now();
    await waitUntil('pulling again', () => d.requests().some((q) => q.op === 'PullMessages' && q.status === 200 && q.at >= upAt), 10_000);
    expect(r.motion.map((m) => m.active)).toEqual([true]);
    expect(r.problems.has('onvif.events.door')).toBe(false);
    expect(d.count('CreatePullPointSubscription')).toBe(1);

    await d.networkDown();
    const downAt = Date.now();
    await waitUntil('motion off after the grace period', () => r.motion.length === 2, 15_000);
    const offAfter = Date.now() - downAt;
    expect(r.motion[1]?.active).toBe(false);
    expect(offAfter).toBeGreaterThanOrEqual(3_500);
    expect(r.service.status.state).toBe('down');
    expect(r.problems.list().find((p) => p.id === 'onvif.events.door')?.summary).toMatch(/camera events down/);
    await d.networkUp();
    await waitUntil('motion back on from Initialized', () => r.motion.length === 3, 20_000);
    expect(r.motion[2]?.active).toBe(true);
    await waitUntil('problem cleared', () => !r.problems.has('onvif.events.door'), 5_000);
    expect(r.statuses.map((s) => s.state)).toEqual(['up', 'down', 'up']);
    // The old subscription was given back before the new one was taken.
    expect(d.subscriptions()).toBe(1);
    console.log(`onvif outage: motion off ${offAfter} ms after the camera went away (grace 4000 ms)`);
  }, 60_000);
});
