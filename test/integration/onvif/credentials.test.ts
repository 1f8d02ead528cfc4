// Credentials only to the configured host (issue 16): a camera that names another host for its
// streams, snapshot, services or subscription never gets clipgate to send the owner's
// credentials there. The other host is ::1 (the camera is 127.0.0.1), where credential traps
// answer 401 + Basic to anything that connects and record what they receive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnvifStreamResolver } from '../../../src/cameras/onvif/resolver.js';
import { SoapClient } from '../../../src/cameras/onvif/soap.js';
import { cameraSchema } from '../../../src/config/schema.js';
import { ffprobe, startRtspCamera, stopAll, videoStreams, type RtspCamera } from '../../support/index.js';
import { startOnvifDouble, type OnvifDouble } from '../../support/onvif-double/index.js';
import { startCredentialTrap, type CredentialTrap } from '../../support/onvif-double/trap.js';
import { eventRig, PASS, testLog as log, USER, waitUntil, type EventRig } from './harness.js';

describe('a camera naming another host', () => {
  let rtsp: RtspCamera;
  let double: OnvifDouble;
  let rig: EventRig | undefined;
  const traps: Record<'rtsp' | 'snapshot' | 'subscription' | 'services', CredentialTrap | undefined> = { rtsp: undefined, snapshot: undefined, subscription: undefined, services: undefined };
  const trap = (name: keyof typeof traps): CredentialTrap => traps[name]!;

  beforeAll(async () => {
    rtsp = await startRtspCamera({ width: 320, height: 180, bitrateKbps: 300, audio: false, auth: { username: USER, password: PASS } });
    // Same port as the real RTSP camera, on the other host: a client that followed the reported host would land here.
    traps.rtsp = await startCredentialTrap(rtsp.port);
    traps.snapshot = await startCredentialTrap();
    traps.subscription = await startCredentialTrap();
    traps.services = await startCredentialTrap();
    double = await startOnvifDouble({
      username: USER,
      password: PASS,
      auth: 'either',
      streams: { main: rtsp.mainUrl, sub: rtsp.subUrl },
      foreign: { streams: `[::1]:${rtsp.port}`, snapshot: `[::1]:${trap('snapshot').port}`, subscription: `[::1]:${trap('subscription').port}`, services: `[::1]:${trap('services').port}` },
    });
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
    await double?.stop();
    for (const t of Object.values(traps)) await t?.stop();
    await rtsp?.stop();
    await stopAll();
  });

  it('the traps work: a client that sends credentials there is seen', async () => {
    await expect(ffprobe(`rtsp://${USER}:${PASS}@[::1]:${rtsp.port}/main`, [], { timeoutMs: 5_000 })).rejects.toThrow();
    expect(trap('rtsp').credentialsSeen(PASS).length).toBeGreaterThan(0);
    trap('rtsp').reset();
  });

  it('stream URIs are pinned to the configured host (reported port kept) and record; the trap sees nothing', async () => {
    const cam = cameraSchema.parse({ id: 'door', onvif: { host: '127.0.0.1', port: double.port, username: USER, password: PASS } });
    const streams = await new OnvifStreamResolver({ cameras: [cam], log }).resolve('door', new AbortController().signal);
    expect(streams.main).toBe(`rtsp://${USER}:${PASS}@127.0.0.1:${rtsp.port}/main`);
    expect(streams.sub).toBe(`rtsp://${USER}:${PASS}@127.0.0.1:${rtsp.port}/sub`);
    expect(streams.snapshot).toBe(`http://127.0.0.1:${trap('snapshot').port}/snapshot.jpg`);
    // The pinned URL reaches the real camera, which requires these credentials.
    const probe = await ffprobe(streams.main, [], { timeoutMs: 15_000 });
    expect(videoStreams(probe)[0]?.width).toBe(320);
    expect(trap('rtsp').connections()).toBe(0);
    for (const name of ['snapshot', 'services'] as const) expect(trap(name).connections(), name).toBe(0);
  }, 40_000);

  it('a subscription address on another host is re-pointed: events flow, the trap sees nothing', async () => {
    rig = eventRig(double, { backoff: { initialMs: 200, maxMs: 1_000 } });
    await rig.service.start();
    await double.waitForSubscription(10_000);
    double.emitStyle('hikvision', true);
    const r = rig;
    await waitUntil('motion', () => r.motion.length === 1, 10_000);
    expect(double.requests().filter((q) => q.op === 'PullMessages').length).toBeGreaterThan(0);
    for (const name of ['subscription', 'services', 'snapshot'] as const) expect(trap(name).connections(), name).toBe(0);
  });

  it('the SOAP client itself refuses any other host before connecting', async () => {
    const client = new SoapClient({ host: '127.0.0.1', credentials: { username: USER, password: PASS } });
    await expect(client.call(`http://[::1]:${trap('services').port}/onvif/device_service`, '<tds:GetDeviceInformation/>', { action: 'x' })).rejects.toMatchObject({
      code: 'ONVIF_BAD_RESPONSE',
      message: 'refusing to send ONVIF requests to [::1]: not the configured camera host 127.0.0.1',
    });
    await expect(client.call(`http://localhost:${double.port}/onvif/device_service`, '<tds:GetDeviceInformation/>', { action: 'x' })).rejects.toThrow(/refusing .* localhost/);
    expect(trap('services').connections()).toBe(0);
    for (const [name, t] of Object.entries(traps)) expect(t?.credentialsSeen(PASS), name).toEqual([]);
  });
});
