import { describe, expect, it } from 'vitest';
import type { MediaProfile } from '../../../../src/cameras/onvif/device.js';
import { chooseProfiles, withCredentials } from '../../../../src/cameras/onvif/profiles.js';

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

describe('stream URI credentials', () => {
  it('adds percent-encoded credentials ffmpeg can use', () => {
    expect(withCredentials('rtsp://192.168.1.20:554/h264Preview_01_main', { username: 'admin', password: 'p@ss:w/rd' }, '192.168.1.20')).toBe('rtsp://admin:p%40ss%3Aw%2Frd@192.168.1.20:554/h264Preview_01_main');
  });
  it('keeps existing credentials and fixes a 0.0.0.0 host', () => {
    expect(withCredentials('rtsp://u:p@10.0.0.2/x', { username: 'a', password: 'b' }, 'cam')).toBe('rtsp://u:p@10.0.0.2/x');
    expect(withCredentials('rtsp://0.0.0.0:554/x', undefined, 'cam.local')).toBe('rtsp://cam.local:554/x');
  });
  it('rejects something that is not a URL', () => {
    expect(() => withCredentials('not a url', undefined, 'h')).toThrow(/not a URL/);
  });
});
