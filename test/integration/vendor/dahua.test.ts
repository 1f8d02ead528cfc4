// The Dahua event source against the strict Dahua double over real HTTP on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { openGet } from '../../../src/cameras/vendor/http-client.js';
import { startDahuaDouble, type DahuaDouble } from '../../support/vendor-doubles/dahua.js';
import { dahuaDriver, digestRequest, latency, PASS, sleep, sourceRig, USER, waitUntil, type RigOptions, type SourceRig } from './harness.js';

let double: DahuaDouble | undefined;
let rig: SourceRig | undefined;

afterEach(async () => {
  await rig?.stop();
  await double?.close();
  rig = undefined;
  double = undefined;
});

async function setup(over: Partial<RigOptions> = {}): Promise<{ d: DahuaDouble; r: SourceRig }> {
  double = await startDahuaDouble({ username: USER, password: PASS });
  rig = sourceRig({ port: double.port, driver: dahuaDriver(), ...over });
  await rig.source.start();
  const d = double;
  await waitUntil('stream attached', () => d.connects === 1 && d.http.streams.size === 1, 5_000);
  return { d, r: rig };
}

/** The double checks parameters after auth, like firmware: ask through the source's own Digest client. */
async function raw(port: number, path: string): Promise<{ status: number; text: string }> {
  try {
    const res = await openGet({ host: '127.0.0.1', port, https: false, username: USER, password: PASS }, path, { signal: new AbortController().signal, timeoutMs: 3_000 });
    res.body.destroy();
    return { status: res.status, text: '' };
  } catch (err) {
    const e = err as { httpStatus?: number; message: string };
    return { status: e.httpStatus ?? 0, text: e.message };
  }
}

describe('Dahua double is strict like firmware', () => {
  it('refuses an attach without action=attach or codes, and unknown CGIs', async () => {
    double = await startDahuaDouble({ username: USER, password: PASS });
    expect((await raw(double.port, '/cgi-bin/eventManager.cgi?codes=[All]')).status).toBe(400);
    expect((await raw(double.port, '/cgi-bin/eventManager.cgi?action=attach')).status).toBe(400);
    expect((await raw(double.port, '/cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=x')).status).toBe(400);
    expect((await raw(double.port, '/cgi-bin/snapshotManager.cgi?action=attach')).status).toBe(404);
    const post = await digestRequest(double.port, '/cgi-bin/eventManager.cgi?action=attach&codes=[All]', 'POST');
    expect(post).toEqual({ status: 400, text: 'Error\r\nBad Request!\r\n' });
    expect((await raw(double.port, '/cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=5')).status).toBe(200);
    // Every request was first challenged, then answered with a fresh nonce.
    expect(double.http.requests.filter((r) => r.auth === 'none')).toHaveLength(6);
    expect(double.http.requests.filter((r) => r.auth === 'ok')).toHaveLength(6);
  });
});

describe('Dahua event source', () => {
  it('motion start/stop → exactly one ON then one OFF; overlapping line crossing folds in', async () => {
    const { d, r } = await setup();
    expect(d.requestedHeartbeat()).toBe(1);
    d.motionStart();
    await waitUntil('motion on', () => r.motion.length === 1, 5_000);
    d.crossLine('Start');
    d.motionStop();
    await sleep(300);
    expect(r.motion).toHaveLength(1);
    d.crossLine('Stop');
    await waitUntil('motion off', () => r.motion.length === 2, 5_000);
    expect(r.motion.map((m) => [m.active, m.source, m.cameraId])).toEqual([
      [true, 'dahua', 'door'],
      [false, 'dahua', 'door'],
    ]);
    expect(r.presses).toHaveLength(0);
  });

  it.each(['ad110', 'ad410', 'vto'] as const)('a %s button press → exactly one doorbell.pressed', async (model) => {
    const { d, r } = await setup();
    const wrote = d.press(model, 200);
    await waitUntil('press', () => r.presses.length === 1, 5_000);
    console.log(`dahua ${model} press-to-bus latency: ${(r.presses[0]!.receivedAt - wrote).toFixed(2)} ms`);
    await sleep(600);
    expect(r.presses).toHaveLength(1);
    expect(r.motion).toHaveLength(model === 'ad410' ? 2 : 0); // AD410's AlarmLocal reads as motion unless alarmInput says doorbell
  });

  it('stream dropped → reconnects after the short delay (stream was healthy) and later events arrive', async () => {
    const { d, r } = await setup();
    d.motionStart();
    await waitUntil('motion on', () => r.motion.length === 1, 5_000);
    const t0 = Date.now();
    for (let i = 2; i <= 4; i++) {
      d.drop();
      await waitUntil(`reconnect ${i}`, () => d.connects === i && d.http.streams.size === 1, 5_000);
      // A stream counts as healthy once a part (here a heartbeat) came through it.
      const beats = r.source.stats.heartbeats;
      await waitUntil(`heartbeat on stream ${i}`, () => r.source.stats.heartbeats > beats, 5_000);
    }
    const elapsed = Date.now() - t0;
    // Lost stream → motion OFF (state unknown); each healthy stream resets the backoff: delays stay at the first step.
    expect(r.motion.map((m) => m.active)).toEqual([true, false]);
    expect(r.delays).toHaveLength(3);
    expect(r.delays.every((ms) => ms <= 240)).toBe(true);
    console.log(`dahua: 3 drops → 3 reconnects in ${elapsed} ms, delays ${r.delays.join(', ')} ms`);
    d.motionStart();
    await waitUntil('motion after reconnect', () => r.motion.length === 3, 5_000);
    expect(r.problems.list()).toHaveLength(0);
  });

  it('camera unreachable → problem, exponential backoff (counted connects), recovers when it is back', async () => {
    const { d, r } = await setup();
    const off = d.http.restart(3_000);
    await waitUntil('problem raised', () => r.problems.has('vendor.events.door'), 5_000);
    await off;
    await waitUntil('reconnected', () => d.http.streams.size === 1, 5_000);
    // 200, 400, 800, 1600 ms (±20 %) fit in a 3 s outage: 4-5 attempts, not a tight loop.
    const attempts = r.source.stats.connects - 1;
    console.log(`dahua: 3 s outage → ${attempts} connect attempts, delays ${r.delays.join(', ')} ms`);
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(6);
    const grows = r.delays.slice(1, 4);
    expect(grows[1]! / grows[0]!).toBeGreaterThan(1.3);
    expect(r.problems.list()[0]?.details).toMatch(/VENDOR_UNREACHABLE/);
    d.motionStart();
    await waitUntil('motion after outage', () => r.motion.length === 1, 5_000);
    await waitUntil('problem cleared', () => !r.problems.has('vendor.events.door'), 5_000);
    // The event source's state follows: up while attached, down while unreachable, up again.
    expect(r.states.filter((s, i) => s !== r.states[i - 1])).toEqual(['starting', 'up', 'down', 'up']);
    expect(r.source.status).toMatchObject({ cameraId: 'door', state: 'up' });
    await r.source.stop();
    expect(r.states.at(-1)).toBe('stopped');
  });

  it('a garbage part is skipped: no crash, no reconnect, the next event arrives', async () => {
    const { d, r } = await setup();
    d.garbagePart();
    d.writeRaw('--myboundary\r\nthis is not a header line\r\n\r\nCode=VideoMotion;action=Start;index=0\r\n\r\n');
    d.motionStart();
    await waitUntil('motion after garbage', () => r.motion.length === 1, 5_000);
    expect(r.source.stats.garbage).toBe(1);
    expect(r.source.stats.skipped).toBe(1);
    expect(d.connects).toBe(1);
    expect(r.logs.some((l) => l.includes('unreadable event part skipped'))).toBe(true);
  });

  it('an oversize part is skipped unbuffered; a part that never ends makes the source reconnect, memory bounded', async () => {
    const { d, r } = await setup();
    d.oversizePart(300_000);
    d.motionStart();
    await waitUntil('motion after oversize part', () => r.motion.length === 1, 5_000);
    expect(d.connects).toBe(1);
    d.oversizePart(3_000_000, false);
    await waitUntil('reconnect after endless part', () => d.connects === 2 && d.http.streams.size === 1, 10_000);
    expect(r.logs.some((l) => /no multipart boundary in \d+ KB/.test(l))).toBe(true);
    expect(r.source.stats.peakBufferedBytes).toBeLessThan(64 * 1024 + 65_536 + 256);
    console.log(`dahua: peak parser buffer ${r.source.stats.peakBufferedBytes} bytes over a 300 KB and a 3 MB part`);
  });

  it('missing heartbeats → watchdog reconnects after two intervals; heartbeats back → stays connected', async () => {
    const { d, r } = await setup();
    await sleep(2_500);
    expect(d.connects).toBe(1);
    expect(r.source.stats.heartbeats).toBeGreaterThanOrEqual(2);
    d.stopHeartbeats();
    const stoppedAt = Date.now();
    await waitUntil('watchdog reconnect', () => d.connects === 2, 6_000);
    const silentMs = Date.now() - stoppedAt;
    d.resumeHeartbeats();
    console.log(`dahua: heartbeats stopped → reconnect after ${silentMs} ms (watchdog 2000 ms)`);
    expect(silentMs).toBeGreaterThanOrEqual(1_000);
    d.motionStart();
    await waitUntil('motion after watchdog', () => r.motion.length === 1, 5_000);
  });

  it('wrong password → clear problem, one login attempt, then it waits (no tight loop that locks the account)', async () => {
    const { r } = await setup();
    await rig?.stop();
    rig = sourceRig({ port: double!.port, driver: dahuaDriver(), password: 'wrong-password' });
    await rig.source.start();
    const r2 = rig;
    await waitUntil('auth problem', () => r2.problems.has('vendor.events.door'), 5_000);
    expect(r2.problems.list()[0]).toMatchObject({ severity: 'warning', summary: 'door: dahua event stream down' });
    expect(r2.problems.list()[0]?.details).toMatch(/VENDOR_AUTH_FAILED: camera refused the credentials for user "admin"/);
    await sleep(2_000);
    const bad = double!.http.requests.filter((q) => q.auth === 'bad');
    expect(bad).toHaveLength(1);
    expect(r2.source.stats.connects).toBe(1);
    expect(r2.logs.join('\n')).not.toContain('wrong-password');
    void r;
  });

  it('event-to-bus latency: 20 motion edges, measured from the double’s write', async () => {
    const { d, r } = await setup();
    const pairs: { wrote: number; got: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const on = d.motionStart();
      await waitUntil('on', () => r.motion.length === 2 * i + 1, 5_000);
      pairs.push({ wrote: on, got: r.motion[2 * i]!.receivedAt });
      const off = d.motionStop();
      await waitUntil('off', () => r.motion.length === 2 * i + 2, 5_000);
      pairs.push({ wrote: off, got: r.motion[2 * i + 1]!.receivedAt });
    }
    const l = latency(pairs);
    console.log(`dahua event-to-bus latency: n=${l.n} median ${l.medianMs} ms, max ${l.maxMs} ms`);
    expect(l.n).toBe(20);
  });
});
