// The PullPoint loop against the fake ONVIF device: events, renewals, reboots, broken answers.
import { describe, expect, it } from 'vitest';
import { onvifFixture, sleep, waitUntil } from './harness.js';

const FAST = { initialMs: 200, maxMs: 1_000 };
const { start: setup } = onvifFixture({ double: { auth: 'wsse' }, rig: { backoff: FAST, subscribed: true } });

describe('ONVIF PullPoint events', () => {
  it('Hikvision motion on/off → motion.changed; several topics aggregate', async () => {
    const { d, r } = await setup();
    const before = Date.now();
    d.emitStyle('hikvision', true);
    await waitUntil('motion on', () => r.motion.length === 1, 10_000);
    expect(r.motion[0]).toMatchObject({ cameraId: 'door', active: true, source: 'onvif' });
    // The event time is the camera's UtcTime on our clock (second resolution), not in the future.
    expect(Date.parse(r.motion[0]!.at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(r.motion[0]!.at)).toBeLessThanOrEqual(Date.now());
    d.emitStyle('reolink-people', true);
    d.emitStyle('hikvision', false);
    await sleep(500);
    expect(r.motion).toHaveLength(1);
    d.emitStyle('reolink-people', false);
    await waitUntil('motion off', () => r.motion.length === 2, 10_000);
    expect(r.motion[1]?.active).toBe(false);
    d.emitStyle('motion-alarm', true);
    await waitUntil('motion alarm', () => r.motion.length === 3, 10_000);
  });

  it('a Reolink Visitor press → exactly one doorbell.pressed; the Initialized state is not a press', async () => {
    const { d, r } = await setup();
    await sleep(300);
    expect(r.presses).toHaveLength(0);
    d.emitStyle('reolink-visitor', true);
    d.emitStyle('reolink-visitor', false);
    await waitUntil('press', () => r.presses.length === 1, 10_000);
    await sleep(300);
    expect(r.presses).toHaveLength(1);
    expect(r.motion).toHaveLength(0);
  });

  it('extra topics from config map to motion and doorbell', async () => {
    const { d, r } = await setup({}, { events: { motion: ['UserAlarm/IVA/HumanShapeDetect'], doorbell: ['tns1:Device/Trigger/DigitalInput'] } });
    d.emit({ topic: 'tns1:UserAlarm/IVA/HumanShapeDetect', source: { Source: '1' }, data: { State: '1' } });
    d.emit({ topic: 'tns1:Device/Trigger/DigitalInput', source: { InputToken: 'DI_0' }, data: { LogicalState: 'true' } });
    await waitUntil('both', () => r.motion.length === 1 && r.presses.length === 1, 10_000);
  });

  it('renews before termination: one subscription outlives the short lifetime the camera granted', async () => {
    const { d, r } = await setup({ grantSeconds: 4 }, { pullTimeoutSeconds: 2 });
    // 80% of the 4 s granted (not the 600 s asked): a renew about every 3.2 s.
    await waitUntil('two renews', () => d.count('Renew') >= 2, 15_000);
    await sleep(1_000);
    expect(d.count('CreatePullPointSubscription')).toBe(1);
    expect(d.subscriptions()).toBe(1);
    d.emitStyle('hikvision', true);
    await waitUntil('motion', () => r.motion.length === 1, 10_000);
    expect(d.count('CreatePullPointSubscription')).toBe(1);
  });

  it('camera reboot (double restarted): re-subscribes and the next event arrives; motion does not stay stuck on', async () => {
    const { d, r } = await setup();
    d.emitStyle('hikvision', true);
    await waitUntil('motion on', () => r.motion.length === 1, 10_000);
    await d.restart();
    // The rebooted camera has no motion; its new subscription's Initialized message says so.
    await waitUntil('motion off from the rebooted camera', () => r.motion.length === 2, 10_000);
    expect(r.motion[1]?.active).toBe(false);
    await d.waitForSubscription(20_000);
    d.emitStyle('reolink-visitor', true);
    await waitUntil('press after reboot', () => r.presses.length === 1, 10_000);
    // Back well within the grace period: nothing for the owner to look at.
    expect(r.problems.list()).toEqual([]);
    expect(r.statuses.map((s) => s.state)).toEqual(['up']);
  });

  it('a truncated PullMessages answer is survived; a damaged-but-complete one still delivers its event', async () => {
    const { d, r } = await setup({}, { graceMs: 1_000 });
    d.misbehave('PullMessages', 'truncated');
    d.emitStyle('hikvision', true);
    await waitUntil('a problem', () => r.problems.has('onvif.events.door'), 10_000);
    expect(r.problems.list()[0]?.details).toMatch(/truncated/);
    d.misbehave('PullMessages', 'malformed');
    await waitUntil('events flowing again', () => r.service.status.state === 'up', 15_000);
    d.emitStyle('reolink-visitor', true);
    await waitUntil('press through damaged XML', () => r.presses.length === 1, 15_000);
  });

  it('camera clock +1 h with WS-Security: subscribes, and event times are corrected to our clock', async () => {
    const { d, r } = await setup({ clockSkewMs: 3_600_000 });
    d.emitStyle('reolink-visitor', true);
    await waitUntil('press', () => r.presses.length === 1, 10_000);
    expect(Math.abs(Date.parse(r.presses[0]!.at) - Date.now())).toBeLessThan(5_000);
  });

  it('Digest on everything (GetSystemDateAndTime included): subscribes and delivers events', async () => {
    const { d, r } = await setup({ auth: undefined, digestEverywhere: true });
    d.emitStyle('hikvision', true);
    await waitUntil('motion', () => r.motion.length === 1, 10_000);
    expect(d.requests().filter((q) => q.status === 200).every((q) => q.hasDigest)).toBe(true);
  });

  it('stop() unsubscribes and ends a pending long-poll', async () => {
    const { d, r } = await setup({}, { pullTimeoutSeconds: 30 });
    await sleep(300);
    await r.service.stop();
    expect(d.count('Unsubscribe')).toBe(1);
    expect(d.subscriptions()).toBe(0);
  });
});
