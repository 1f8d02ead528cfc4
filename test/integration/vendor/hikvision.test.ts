// The Hikvision event source against the strict Hikvision double over real HTTP on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge } from '../../../src/cameras/onvif/digest.js';
import { openGet } from '../../../src/cameras/vendor/http-client.js';
import { startHikvisionDouble, type HikvisionDouble, type HikvisionDoubleOptions } from '../../support/vendor-doubles/hikvision.js';
import { digestRequest, hikDriver, latency, PASS, sleep, sourceRig, USER, waitUntil, type RigOptions, type SourceRig } from './harness.js';

let double: HikvisionDouble | undefined;
let rig: SourceRig | undefined;
const servers: http.Server[] = [];

afterEach(async () => {
  await rig?.stop();
  await double?.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  rig = undefined;
  double = undefined;
});

async function setup(opts: Partial<HikvisionDoubleOptions> = {}, over: Partial<RigOptions> = {}): Promise<{ d: HikvisionDouble; r: SourceRig }> {
  double = await startHikvisionDouble({ username: USER, password: PASS, heartbeatMs: 1_000, repeatMs: 300, ...opts });
  rig = sourceRig({ port: double.port, driver: hikDriver(), ...over });
  await rig.source.start();
  const d = double;
  await waitUntil('stream open', () => d.connects === 1 && d.http.streams.size === 1, 5_000);
  return { d, r: rig };
}

const ep = (port: number): { host: string; port: number; https: boolean; username: string; password: string } => ({ host: '127.0.0.1', port, https: false, username: USER, password: PASS });

describe('Hikvision double is strict like firmware', () => {
  it('needs Digest, refuses other methods and unknown URLs with a ResponseStatus', async () => {
    double = await startHikvisionDouble({ username: USER, password: PASS });
    const plain = await fetch(`http://127.0.0.1:${double.port}/ISAPI/Event/notification/alertStream`);
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toMatch(/^Digest qop="auth", realm="DS-2CD2043G2"/);
    await plain.body?.cancel();
    await expect(openGet(ep(double.port), '/ISAPI/VideoIntercom/callStatus?format=json', { signal: new AbortController().signal, timeoutMs: 3_000 })).rejects.toMatchObject({ httpStatus: 404 });
    await expect(openGet(ep(double.port), '/ISAPI/System/nothing', { signal: new AbortController().signal, timeoutMs: 3_000 })).rejects.toMatchObject({ httpStatus: 404 });
    const put = await digestRequest(double.port, '/ISAPI/Event/notification/alertStream', 'PUT');
    expect(put.status).toBe(405);
    expect(put.text).toContain('<subStatusCode>methodNotAllowed</subStatusCode>');
    expect((await digestRequest(double.port, '/ISAPI/Event/notification/alertStream', 'GET', 'wrong')).status).toBe(401);
  });

  it('takes each Digest nonce once: a replayed Authorization gets 401 (so clients must re-challenge)', async () => {
    double = await startHikvisionDouble({ username: USER, password: PASS, doorbell: true });
    const url = `http://127.0.0.1:${double.port}/ISAPI/VideoIntercom/callStatus?format=json`;
    const first = await fetch(url);
    await first.body?.cancel();
    const challenge = parseDigestChallenge(first.headers.get('www-authenticate'));
    expect(challenge).toBeDefined();
    const authorization = digestAuthorization({ challenge: challenge!, method: 'GET', uri: '/ISAPI/VideoIntercom/callStatus?format=json', username: USER, password: PASS, nc: 1 });
    const ok = await fetch(url, { headers: { Authorization: authorization } });
    expect(await ok.json()).toEqual({ CallStatus: { status: 'idle' } });
    const replayed = await fetch(url, { headers: { Authorization: authorization } });
    await replayed.body?.cancel();
    expect(replayed.status).toBe(401);
    const wrongUri = digestAuthorization({ challenge: parseDigestChallenge(replayed.headers.get('www-authenticate'))!, method: 'GET', uri: '/ISAPI/VideoIntercom/callStatus', username: USER, password: PASS, nc: 1 });
    const mismatch = await fetch(url, { headers: { Authorization: wrongUri } });
    await mismatch.body?.cancel();
    expect(mismatch.status).toBe(401);
  });
});

describe('Hikvision event source', () => {
  it('VMD repeating active, then silence → exactly one ON and one OFF (hold time)', async () => {
    const { d, r } = await setup();
    d.start('VMD');
    await waitUntil('motion on', () => r.motion.length === 1, 5_000);
    await sleep(1_500);
    const stoppedAt = Date.now();
    d.stop('VMD');
    await waitUntil('motion off', () => r.motion.length === 2, 5_000);
    const offAfter = Date.now() - stoppedAt;
    expect(r.motion.map((m) => [m.active, m.source])).toEqual([
      [true, 'hikvision'],
      [false, 'hikvision'],
    ]);
    console.log(`hikvision: active-only VMD → OFF ${offAfter} ms after the last repeat stopped (hold 1500 ms)`);
    expect(offAfter).toBeGreaterThanOrEqual(1_000);
  });

  it('an explicit inactive ends motion at once; line crossing overlapping VMD gives one ON/OFF', async () => {
    const { d, r } = await setup({ sendInactive: true });
    d.start('VMD');
    await waitUntil('motion on', () => r.motion.length === 1, 5_000);
    d.pulse('linedetection');
    d.stop('VMD');
    await sleep(300);
    expect(r.motion).toHaveLength(1);
    await waitUntil('motion off after the line crossing hold', () => r.motion.length === 2, 5_000);
    d.start('VMD');
    await waitUntil('motion on again', () => r.motion.length === 3, 5_000);
    const t = d.stop('VMD');
    await waitUntil('off by inactive', () => r.motion.length === 4, 5_000);
    expect(r.motion[3]!.receivedAt - t).toBeLessThan(1_000);
  });

  it('doorbell: callStatus ring → exactly one doorbell.pressed per ring', async () => {
    const { d, r } = await setup({ doorbell: true }, { driver: hikDriver({ doorbell: true, pollIntervalMs: 200 }) });
    await waitUntil('polling', () => d.http.count('/ISAPI/VideoIntercom/callStatus', 200) >= 2, 5_000);
    const rangAt = d.http.now();
    d.ring(1_500, 500);
    await waitUntil('press', () => r.presses.length === 1, 5_000);
    console.log(`hikvision ring-to-bus latency with a 200 ms poll: ${(r.presses[0]!.receivedAt - rangAt).toFixed(1)} ms`);
    await sleep(3_100); // past the ring, and past the 3 s in which a repeated signal counts as the same press
    expect(r.presses).toHaveLength(1);
    expect(d.callStatus).toBe('idle');
    d.ring(800, 200);
    await waitUntil('second press', () => r.presses.length === 2, 5_000);
    expect(r.motion).toHaveLength(0);
  });

  it('doorbell configured on a camera without intercom: one warning, polling backs off, events still flow', async () => {
    const { d, r } = await setup({}, { driver: hikDriver({ doorbell: true, pollIntervalMs: 100 }) });
    await waitUntil('poll refused', () => r.logs.some((l) => l.includes('camera has no intercom call state')), 5_000);
    await sleep(500);
    expect(d.http.count('/ISAPI/VideoIntercom/callStatus')).toBeLessThanOrEqual(2);
    d.start('VMD');
    await waitUntil('motion', () => r.motion.length === 1, 5_000);
  });

  it('an NVR declaring another boundary than it sends, JPEG snapshot parts and channel filtering', async () => {
    const { d, r } = await setup({ declaredBoundary: 'myboundary' });
    d.snapshot(300_000);
    d.alert('VMD', 'active', 2);
    d.snapshot(500_000);
    d.alert('VMD', 'active', 1);
    await waitUntil('motion on channel 1', () => r.motion.length === 1, 5_000);
    expect(d.connects).toBe(1);
    expect(r.source.stats.skipped).toBe(2);
    expect(r.logs.some((l) => l.includes('camera uses another multipart boundary than it declared'))).toBe(true);
  });

  it('stream dropped while motion is on → OFF, reconnect, later events arrive', async () => {
    const { d, r } = await setup();
    d.start('VMD');
    await waitUntil('motion on', () => r.motion.length === 1, 5_000);
    d.stop('VMD');
    d.drop();
    await waitUntil('motion off at drop', () => r.motion.length === 2, 5_000);
    await waitUntil('reconnected', () => d.connects === 2 && d.http.streams.size === 1, 5_000);
    d.start('linedetection');
    await waitUntil('motion after reconnect', () => r.motion.length === 3, 5_000);
    d.stop('linedetection');
  });

  it('garbage and oversize parts are skipped; an endless part forces a reconnect', async () => {
    const { d, r } = await setup();
    d.garbagePart();
    d.oversizePart(200_000);
    d.start('VMD');
    await waitUntil('motion after junk', () => r.motion.length === 1, 5_000);
    d.stop('VMD');
    expect(d.connects).toBe(1);
    expect(r.source.stats.garbage).toBe(1);
    d.oversizePart(6_000_000, false);
    await waitUntil('reconnect after endless part', () => d.connects === 2, 10_000);
    expect(r.source.stats.peakBufferedBytes).toBeLessThan(64 * 1024 + 65_536 + 256);
  });

  it('firmware without idle heartbeats: the idle watchdog reopens the stream, without raising a problem', async () => {
    const { d, r } = await setup({ heartbeatMs: null }, { driver: hikDriver({ idleTimeoutMs: 1_000 }) });
    await waitUntil('two watchdog reopenings', () => d.connects === 3, 6_000);
    expect(r.problems.list()).toHaveLength(0);
    // Healthy silent streams reopen at the backoff's first step, not a growing one.
    expect(r.delays.every((ms) => ms <= 240)).toBe(true);
    d.start('VMD');
    await waitUntil('motion', () => r.motion.length === 1, 5_000);
  });

  it('wrong password → problem with VENDOR_AUTH_FAILED, then a long wait', async () => {
    double = await startHikvisionDouble({ username: USER, password: PASS });
    rig = sourceRig({ port: double.port, driver: hikDriver(), password: 'not-the-password' });
    await rig.source.start();
    const r = rig;
    await waitUntil('problem', () => r.problems.has('vendor.events.door'), 5_000);
    expect(r.problems.list()[0]?.details).toMatch(/^VENDOR_AUTH_FAILED/);
    await sleep(1_500);
    expect(double.http.requests).toHaveLength(2);
  });

  it('a redirect to another host is refused (credentials stay home); one to the same host is followed', async () => {
    const { d } = await setup();
    const redirector = http.createServer((req, res) => {
      const to = req.url === '/same' ? `http://127.0.0.1:${d.port}/ISAPI/Event/notification/alertStream` : `http://127.0.0.2:${d.port}/ISAPI/Event/notification/alertStream`;
      res.writeHead(302, { Location: to });
      res.end();
    });
    servers.push(redirector);
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const port = (redirector.address() as AddressInfo).port;
    const before = d.http.requests.length;
    await expect(openGet(ep(port), '/other', { signal: new AbortController().signal, timeoutMs: 3_000 })).rejects.toThrow(/redirected to http:\/\/127\.0\.0\.2:\d+; not followed/);
    expect(d.http.requests.length).toBe(before);
    const res = await openGet(ep(port), '/same', { signal: new AbortController().signal, timeoutMs: 3_000 });
    expect(res.headers['content-type']).toBe('multipart/mixed; boundary=boundary');
    res.body.destroy();
  });

  it('event-to-bus latency: 20 motion edges (explicit inactive), measured from the double’s write', async () => {
    const { d, r } = await setup({ sendInactive: true, repeatMs: 60_000 });
    const pairs: { wrote: number; got: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const on = d.start('VMD');
      await waitUntil('on', () => r.motion.length === 2 * i + 1, 5_000);
      pairs.push({ wrote: on, got: r.motion[2 * i]!.receivedAt });
      const off = d.stop('VMD');
      await waitUntil('off', () => r.motion.length === 2 * i + 2, 5_000);
      pairs.push({ wrote: off, got: r.motion[2 * i + 1]!.receivedAt });
    }
    const l = latency(pairs);
    console.log(`hikvision event-to-bus latency: n=${l.n} median ${l.medianMs} ms, max ${l.maxMs} ms`);
    expect(l.n).toBe(20);
  });
});
