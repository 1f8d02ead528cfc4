// A camera that faults on every PullMessages must not be hammered (production backoff defaults),
// and events must flow again without a restart once it behaves.
import { describe, expect, it } from 'vitest';
import { onvifFixture, sleep, waitUntil } from './harness.js';

const WINDOW_MS = 30_000;
const onvif = onvifFixture({ double: { auth: 'wsse' } });

describe('PullMessages faulting on every call', () => {
  it('keeps the request rate bounded over 30 s and recovers when the faults stop', async () => {
    const double = await onvif.double();
    double.misbehave('PullMessages', 'fault');
    // Default backoff (2 s doubling to 60 s, ±20 % jitter); a grace period well inside the window.
    const rig = await onvif.rig({ graceMs: 10_000 });
    await sleep(WINDOW_MS);
    const counts = double.counts();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    // Attempts start at ~0, 2, 6, 14, 30 s (±20 %): at most 5 attempts of ≤ 3 requests, plus connect (2).
    expect(counts.PullMessages ?? 0, JSON.stringify(counts)).toBeGreaterThanOrEqual(3);
    expect(counts.PullMessages ?? 0, JSON.stringify(counts)).toBeLessThanOrEqual(5);
    expect(total, JSON.stringify(counts)).toBeLessThanOrEqual(17);
    // Every faulted subscription was released (the last may be in flight), so the camera's slots do not fill up.
    expect((counts.CreatePullPointSubscription ?? 0) - (counts.Unsubscribe ?? 0)).toBeLessThanOrEqual(1);
    expect(rig.problems.has('onvif.events.door')).toBe(true);
    console.log(`onvif fault-rate: ${total} requests in ${WINDOW_MS / 1000} s: ${JSON.stringify(counts)}`);

    double.misbehave('PullMessages', null);
    // The next backoff step is at most ~38 s away; events flow again without restarting anything.
    await waitUntil('a successful pull', () => !rig.problems.has('onvif.events.door'), 60_000);
    double.emitStyle('hikvision', true);
    await waitUntil('motion after recovery', () => rig.motion.some((m) => m.active), 15_000);
  }, 120_000);
});
