// Onboarding as the camera registry uses it: Digest on everything (GetSystemDateAndTime
// included), the result cached across recorder restarts, re-resolved only when told, and the
// camera's identity from GetDeviceInformation.
import { describe, expect, it } from 'vitest';
import { FAILURES_BEFORE_REFRESH, OnvifStreamResolver } from '../../../src/cameras/onvif/resolver.js';
import { cameraSchema } from '../../../src/config/schema.js';
import type { OnvifDouble, OnvifDoubleOptions } from '../../support/onvif-double/index.js';
import { onvifFixture, STREAM_PASS as PASS, STREAMS, testLog as log, USER } from './harness.js';

const onvif = onvifFixture({ double: { password: PASS, streams: STREAMS } });

async function resolverFor(opts: OnvifDoubleOptions = {}): Promise<{ d: OnvifDouble; resolver: OnvifStreamResolver }> {
  const double = await onvif.double(opts);
  const cam = cameraSchema.parse({ id: 'door', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS } });
  return { d: double, resolver: new OnvifStreamResolver({ cameras: [cam], log, timeoutMs: 3_000 }) };
}

const signal = (): AbortSignal => new AbortController().signal;

describe('ONVIF resolver', () => {
  it('Digest on everything, GetSystemDateAndTime included → onboarded, every request answered a challenge', async () => {
    const { d, resolver } = await resolverFor({ digestEverywhere: true });
    const streams = await resolver.resolve('door', signal());
    expect(streams.main).toBe('rtsp://admin:p%40ss%3Aword-1@127.0.0.1:8554/main');
    const time = d.requests().filter((q) => q.op === 'GetSystemDateAndTime');
    // First without credentials (401 + challenge), then with Digest; never WS-Security (no clock yet).
    expect(time.map((q) => [q.status, q.hasDigest, q.hasWsse])).toEqual([
      [401, false, false],
      [200, true, false],
    ]);
    expect(d.requests().filter((q) => q.status === 200).every((q) => q.hasDigest)).toBe(true);
  });

  it('GetDeviceInformation is read and returned as info', async () => {
    const { resolver } = await resolverFor({ manufacturer: 'Hikvision', model: 'DS-2CD2143G2-I', firmware: 'V5.7.3 build 220112' });
    const streams = await resolver.resolve('door', signal());
    expect(streams.info).toEqual({ manufacturer: 'Hikvision', model: 'DS-2CD2143G2-I', firmwareVersion: 'V5.7.3 build 220112', serialNumber: '192168001020' });
    expect(resolver.deviceInfo('door')).toEqual(streams.info);
  });

  it('a camera faulting on GetDeviceInformation still onboards, without info', async () => {
    const { d, resolver } = await resolverFor();
    d.misbehave('GetDeviceInformation', 'fault');
    const streams = await resolver.resolve('door', signal());
    expect(streams.main).toContain('/main');
    expect(streams.info).toBeUndefined();
  });

  it('5 resolves for recorder restarts → 1 onboarding; concurrent resolves share it', async () => {
    const { d, resolver } = await resolverFor();
    const [a, b] = await Promise.all([resolver.resolve('door', signal()), resolver.resolve('door', signal())]);
    expect(a).toBe(b);
    for (let i = 0; i < 3; i += 1) expect(await resolver.resolve('door', signal())).toBe(a);
    console.log(`onvif resolver: 5 resolves → ${d.count('GetProfiles')} GetProfiles, ${resolver.onboarded} onboarding(s), requests ${JSON.stringify(d.counts())}`);
    expect(d.count('GetProfiles')).toBe(1);
    expect(d.count('GetStreamUri')).toBe(2);
    expect(resolver.onboarded).toBe(1);
  });

  it(`RTSP 401 or 404 re-resolves at once; plain failures only after ${FAILURES_BEFORE_REFRESH} in a row; ok resets the count`, async () => {
    const { d, resolver } = await resolverFor();
    await resolver.resolve('door', signal());
    resolver.report('door', 'unauthorized');
    await resolver.resolve('door', signal());
    expect(d.count('GetProfiles')).toBe(2);
    resolver.report('door', 'not-found');
    await resolver.resolve('door', signal());
    expect(d.count('GetProfiles')).toBe(3);
    const fail = (n: number): void => {
      for (let i = 0; i < n; i += 1) resolver.report('door', 'failed');
    };
    fail(FAILURES_BEFORE_REFRESH - 1);
    resolver.report('door', 'ok');
    fail(FAILURES_BEFORE_REFRESH - 1);
    await resolver.resolve('door', signal());
    expect(d.count('GetProfiles')).toBe(3);
    fail(1);
    await resolver.resolve('door', signal());
    expect(d.count('GetProfiles')).toBe(4);
    await resolver.resolve('door', signal(), { fresh: true });
    expect(d.count('GetProfiles')).toBe(5);
    resolver.invalidate('door', 'manual');
    await resolver.resolve('door', signal());
    expect(d.count('GetProfiles')).toBe(6);
  });

  it('a failed onboarding is not cached; an aborted waiter does not cancel the others', async () => {
    const { d, resolver } = await resolverFor();
    d.misbehave('GetProfiles', 'http500');
    await expect(resolver.resolve('door', signal())).rejects.toThrow(/HTTP 500/);
    d.misbehave('GetProfiles', null);
    const gone = new AbortController();
    const first = resolver.resolve('door', gone.signal);
    const second = resolver.resolve('door', signal());
    gone.abort(new Error('recorder stopped'));
    await expect(first).rejects.toThrow('recorder stopped');
    expect((await second).main).toContain('/main');
  });
});
