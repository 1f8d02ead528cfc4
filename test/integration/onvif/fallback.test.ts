// A camera without PullPoint subscriptions: the event service says so once (bus event
// 'motion.fallback' + a problem telling the owner why and what to change) and stops asking.
// A camera whose subscription slots are full is not such a camera.
import { describe, expect, it } from 'vitest';
import { onvifFixture, sleep, waitUntil } from './harness.js';

const { start: setup } = onvifFixture({ double: { auth: 'wsse' }, rig: { backoff: { initialMs: 100, maxMs: 300 }, graceMs: 60_000 } });

describe('camera without PullPoint', () => {
  it.each([
    ['ActionNotSupported fault', true, /ActionNotSupported/],
    ['HTTP 404', 404, /HTTP 404/],
    ['HTTP 405', 405, /HTTP 405/],
  ] as const)('%s → one motion.fallback, a problem saying how to make it permanent, no more requests', async (_name, noPullPoint, reason) => {
    const { d, r } = await setup({ noPullPoint });
    await waitUntil('fallback', () => r.fallbacks.length === 1, 10_000);
    expect(r.fallbacks[0]).toMatchObject({ cameraId: 'door' });
    expect(r.fallbacks[0]?.reason).toMatch(reason);
    const problem = r.problems.list().find((p) => p.id === 'onvif.fallback.door');
    expect(problem?.summary).toMatch(/no ONVIF motion events; motion detection on its stream takes over/);
    expect(problem?.details).toMatch(/events: none and motion\.detect\.enabled: true for camera "door"/);
    expect(r.service.status.state).toBe('fallback');
    const requests = d.requests().length;
    await sleep(1_000);
    expect(d.requests().length, 'nothing more is asked of the camera').toBe(requests);
    expect(d.count('CreatePullPointSubscription')).toBe(1);
    expect(r.fallbacks).toHaveLength(1);
    await r.service.stop();
    expect(r.problems.list()).toEqual([]);
  });

  it('every create faulting (no ActionNotSupported) → fallback after 5 in a row', async () => {
    const { d, r } = await setup({});
    d.misbehave('CreatePullPointSubscription', 'fault');
    await waitUntil('fallback', () => r.fallbacks.length === 1, 15_000);
    expect(d.count('CreatePullPointSubscription')).toBe(5);
  });

  it('slots full (SubscribeCreationFailedFault) is never a fallback: it waits for a slot and says why', async () => {
    const { d, r } = await setup({ maxSubscriptions: 0 }, { graceMs: 1_500 });
    await waitUntil('eight refused creates', () => d.count('CreatePullPointSubscription') >= 8, 15_000);
    expect(r.fallbacks).toEqual([]);
    await waitUntil('down', () => r.service.status.state === 'down', 5_000);
    expect(r.problems.list().find((p) => p.id === 'onvif.events.door')?.details).toMatch(/no free event subscription slots/);
  });
});
