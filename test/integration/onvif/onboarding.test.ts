// Onboarding (connect, profiles, stream/snapshot URIs) against the fake ONVIF device over real HTTP.
import { describe, expect, it } from 'vitest';
import { OnvifDevice } from '../../../src/cameras/onvif/device.js';
import { OnvifStreamResolver } from '../../../src/cameras/onvif/resolver.js';
import { cameraSchema } from '../../../src/config/schema.js';
import { AppError } from '../../../src/core/errors.js';
import { freePort } from '../../support/index.js';
import type { OnvifDoubleOptions } from '../../support/onvif-double/index.js';
import { onvifFixture, STREAM_PASS as PASS, STREAMS, testLog as log, USER } from './harness.js';

const onvif = onvifFixture({ double: { password: PASS, streams: STREAMS } });

async function resolveAgainst(opts: OnvifDoubleOptions, password = PASS, port?: number) {
  const double = await onvif.double(opts);
  const cam = cameraSchema.parse({ id: 'door', onvif: { host: '127.0.0.1', port: port ?? double.port, username: USER, password } });
  return { d: double, streams: await new OnvifStreamResolver({ cameras: [cam], log, timeoutMs: 3_000 }).resolve('door', new AbortController().signal) };
}

const failure = async (p: Promise<unknown>): Promise<AppError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

describe('ONVIF onboarding', () => {
  it.each(['wsse', 'digest', 'either'] as const)('resolves main (1080p) and sub (360p) with credentials for ffmpeg, auth %s', async (auth) => {
    const { d, streams } = await resolveAgainst({ auth });
    expect(streams.main).toBe('rtsp://admin:p%40ss%3Aword-1@127.0.0.1:8554/main');
    expect(streams.sub).toBe('rtsp://admin:p%40ss%3Aword-1@127.0.0.1:8554/sub');
    expect(streams.snapshot).toBe(`http://127.0.0.1:${d.port}/snapshot.jpg`);
    if (auth === 'digest') expect(d.count('GetProfiles')).toBeGreaterThanOrEqual(1);
  });

  it('uses profile tokens from config instead of the automatic choice', async () => {
    const double = await onvif.double();
    const cam = cameraSchema.parse({ id: 'door', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS, profiles: { main: 'Profile_sub' } } });
    const streams = await new OnvifStreamResolver({ cameras: [cam], log }).resolve('door', new AbortController().signal);
    expect(streams.main).toContain('/sub');
  });

  it('a camera clock 1 h ahead: WS-Security timestamps follow the camera clock', async () => {
    const { d, streams } = await resolveAgainst({ auth: 'wsse', clockSkewMs: 3_600_000 });
    expect(streams.main).toContain('/main');
    // Without the offset the same camera refuses us: the skew handling is what makes this work.
    const device = new OnvifDevice({ host: '127.0.0.1', port: d.port, credentials: { username: USER, password: PASS } });
    expect((await failure(device.profiles())).code).toBe('ONVIF_AUTH_FAILED');
    const offset = await device.syncClock();
    expect(Math.abs(offset - 3_600_000)).toBeLessThan(2_000);
    expect((await device.profiles()).map((p) => p.token).sort()).toEqual(['Profile_main', 'Profile_sub']);
  });

  it.each(['wsse', 'digest', 'either'] as const)('wrong password → ONVIF_AUTH_FAILED naming the user (auth %s)', async (auth) => {
    const err = await failure(resolveAgainst({ auth }, 'wrong-password'));
    expect(err.code).toBe('ONVIF_AUTH_FAILED');
    expect(err.message).toMatch(/refused the ONVIF credentials for user "admin"/);
    expect(err.message).not.toContain('wrong-password');
  });

  it('nothing listening → ONVIF_UNREACHABLE', async () => {
    const port = await freePort();
    const err = await failure(resolveAgainst({}, PASS, port));
    expect(err.code).toBe('ONVIF_UNREACHABLE');
    expect(err.message).toMatch(new RegExp(`cannot reach the camera at 127.0.0.1:${port}: ECONNREFUSED`));
  });

  it('damaged but complete XML (bare &, stray end tag, trailing garbage) is still understood', async () => {
    const double = await onvif.double({ manufacturer: 'Tom & Jerry <Cams>' });
    for (const op of ['GetSystemDateAndTime', 'GetCapabilities', 'GetProfiles', 'GetStreamUri', 'GetDeviceInformation']) double.misbehave(op, 'malformed');
    const device = new OnvifDevice({ host: '127.0.0.1', port: double.port, credentials: { username: USER, password: PASS } });
    await device.connect();
    expect(device.services.events).toBe(`http://127.0.0.1:${double.port}/onvif/event_service`);
    expect((await device.deviceInformation()).manufacturer).toBe('Tom & Jerry');
    expect((await device.profiles()).find((p) => p.width === 1920)?.token).toBe('Profile_main');
  });

  it.each([
    ['truncated', 'ONVIF_BAD_RESPONSE', /truncated SOAP answer/],
    ['garbage', 'ONVIF_BAD_RESPONSE', /unreadable SOAP answer/],
    ['http500', 'ONVIF_BAD_RESPONSE', /HTTP 500/],
    ['fault', 'ONVIF_FAULT', /GetProfiles failed \(injected fault\)/],
  ] as const)('GetProfiles answering %s → %s, no crash', async (how, code, message) => {
    const double = await onvif.double();
    double.misbehave('GetProfiles', how);
    const cam = cameraSchema.parse({ id: 'door', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS } });
    const err = await failure(new OnvifStreamResolver({ cameras: [cam], log }).resolve('door', new AbortController().signal));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('an abort signal cancels a hanging request', async () => {
    const double = await onvif.double();
    const device = new OnvifDevice({ host: '127.0.0.1', port: double.port, credentials: { username: USER, password: PASS } });
    await device.connect();
    const sub = await import('../../../src/cameras/onvif/pullpoint.js');
    const s = await sub.createPullPoint(device, 60);
    const ac = new AbortController();
    const pending = sub.pullMessages(device, s, 30, ac.signal);
    // First pull returns the Initialized state at once; the second one long-polls.
    await pending;
    const hanging = sub.pullMessages(device, s, 30, ac.signal);
    ac.abort(new Error('stop now'));
    await expect(hanging).rejects.toThrow('stop now');
  });
});
