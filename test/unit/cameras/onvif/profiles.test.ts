import { describe, expect, it } from 'vitest';
import type { MediaProfile } from '../../../../src/cameras/onvif/device.js';
import { chooseProfiles, pinToCamera, SNAPSHOT_SCHEMES, STREAM_SCHEMES } from '../../../../src/cameras/onvif/profiles.js';

const p = (token: string, width: number, height: number): MediaProfile => ({ token, name: token, width, height });

describe('profile choice', () => {
  const list = [p('sub', 640, 360), p('audio', 0, 0), p('main', 2560, 1440), p('third', 1280, 720)];
  it('main = highest resolution, sub = lowest, regardless of order', () => {
    const c = chooseProfiles(list);
    expect([c.main.token, c.sub?.token]).toEqual(['main', 'sub']);
  });
  it('config tokens win; unknown tokens are a clear error', () => {
    expect(chooseProfiles(list, { main: 'third', sub: 'sub' }).main.token).toBe('third');
    expect(() => chooseProfiles(list, { main: 'nope' })).toThrow(/no media profile "nope".*main, sub|profiles: sub, audio, main, third/);
  });
  it('one profile → no sub; none → error', () => {
    expect(chooseProfiles([p('only', 1920, 1080)]).sub).toBeUndefined();
    expect(() => chooseProfiles([])).toThrow(/no media profiles/);
  });
});

describe('stream and snapshot URIs pinned to the camera', () => {
  const creds = { username: 'admin', password: 'p@ss:w/rd' };
  const pin = (uri: string, host: string, credentials: typeof creds | undefined = creds) => pinToCamera(uri, { host, schemes: STREAM_SCHEMES, credentials });

  it('adds percent-encoded credentials ffmpeg can use', () => {
    expect(pin('rtsp://192.168.1.20:554/h264Preview_01_main', '192.168.1.20')).toEqual({ url: 'rtsp://admin:p%40ss%3Aw%2Frd@192.168.1.20:554/h264Preview_01_main' });
  });

  it.each([
    // NAT / second interface: the configured host, the reported RTSP port, path and query kept.
    ['rtsp://10.0.0.2:8554/cam/realmonitor?channel=1&subtype=0', 'cam.local', 'rtsp://admin:p%40ss%3Aw%2Frd@cam.local:8554/cam/realmonitor?channel=1&subtype=0', '10.0.0.2'],
    ['rtsp://evil.example/x', '192.168.1.20', 'rtsp://admin:p%40ss%3Aw%2Frd@192.168.1.20/x', 'evil.example'],
    ['rtsp://[fe80::1]:554/x', '192.168.1.20', 'rtsp://admin:p%40ss%3Aw%2Frd@192.168.1.20:554/x', '[fe80::1]'],
    ['rtsp://192.168.1.20:554/x', '::1', 'rtsp://admin:p%40ss%3Aw%2Frd@[::1]:554/x', '192.168.1.20'],
    // Firmware placeholders are replaced without being reported as another host.
    ['rtsp://0.0.0.0:554/x', 'cam.local', 'rtsp://admin:p%40ss%3Aw%2Frd@cam.local:554/x', undefined],
  ])('%s with configured host %s → %s', (uri, host, url, reportedHost) => {
    const out = pin(uri, host);
    expect(out.url).toBe(url);
    expect(out.reportedHost).toBe(reportedHost);
  });

  it('keeps credentials the camera put in the URI, but never its host', () => {
    expect(pin('rtsp://u:p@10.0.0.2/x', 'cam').url).toBe('rtsp://u:p@cam/x');
  });

  it('refuses what is not a URL, other schemes and absurd lengths', () => {
    expect(() => pin('not a url', 'h')).toThrow(/not a URL/);
    expect(() => pin('file:///etc/passwd', 'h')).toThrow(/file: URI where rtsp: or rtsps: was expected/);
    expect(() => pin('http://h/x.m3u8', 'h')).toThrow(/http: URI/);
    expect(() => pin(`rtsp://h/${'a'.repeat(3000)}`, 'h')).toThrow(/URI of 3009 characters/);
    expect(pinToCamera('http://10.1.1.1:8080/snap.jpg', { host: 'h', schemes: SNAPSHOT_SCHEMES })).toEqual({ url: 'http://h:8080/snap.jpg', reportedHost: '10.1.1.1' });
  });
});
