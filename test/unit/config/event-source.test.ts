// cameras[].events and cameras[].vendor: the config rules, the derived event source, and the
// vendor password kept out of the logs.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { eventSource, type CameraConfig } from '../../../src/config/schema.js';
import { registerConfigSecrets } from '../../../src/config/secrets.js';
import { SecretRegistry } from '../../../src/core/logger.js';

const ONVIF = '{host: 10.0.0.5, username: admin, password: pw-onvif-1}';

function cameras(yaml: string): CameraConfig[] {
  const r = parseConfigText(`cameras:\n${yaml}`, {});
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config.cameras;
}

function errors(yaml: string): string[] {
  const r = parseConfigText(`cameras:\n${yaml}`, {});
  if (r.ok) throw new Error('expected config errors');
  return r.errors;
}

describe('cameras[].events', () => {
  it('defaults to onvif with an onvif section, none without; motion.onvif: false is the older none', () => {
    const [a, b, c] = cameras(`  - {id: a, onvif: ${ONVIF}}\n  - {id: b, rtsp: {main: "rtsp://h/x"}}\n  - {id: c, onvif: ${ONVIF}, motion: {onvif: false}}`);
    expect([a, b, c].map((cam) => eventSource(cam!))).toEqual(['onvif', 'none', 'none']);
  });

  it('takes a vendor source with the onvif account, or a vendor block on an RTSP camera', () => {
    const [a, b] = cameras(
      `  - {id: a, kind: doorbell, onvif: ${ONVIF}, events: dahua, vendor: {alarmInput: doorbell}}\n` +
        '  - {id: b, rtsp: {main: "rtsp://h/x"}, events: hikvision, vendor: {host: nvr.lan, port: 8080, username: u, password: p, channel: 3}}',
    );
    expect(eventSource(a!)).toBe('dahua');
    expect(a!.vendor).toEqual({ https: false, channel: 1, alarmInput: 'doorbell' });
    expect(eventSource(b!)).toBe('hikvision');
    expect(b!.vendor).toMatchObject({ host: 'nvr.lan', port: 8080, channel: 3, alarmInput: 'motion' });
  });

  it('reports what a source needs at the key to set', () => {
    expect(errors('  - {id: a, rtsp: {main: "rtsp://h/x"}, events: onvif}')).toEqual(['cameras.0.events: events: onvif needs an onvif section (or use hikvision, dahua or none)']);
    expect(errors('  - {id: a, rtsp: {main: "rtsp://h/x"}, events: hikvision}')).toEqual([
      'cameras.0.vendor.host: events: hikvision needs vendor.host (or onvif.host)',
      'cameras.0.vendor.username: events: hikvision needs vendor.username and vendor.password (or the onvif ones)',
    ]);
    expect(errors('  - {id: a, onvif: {host: h}, events: dahua}')).toEqual([
      'cameras.0.vendor.username: events: dahua needs vendor.username and vendor.password (or the onvif ones)',
    ]);
    expect(errors(`  - {id: a, onvif: ${ONVIF}, vendor: {channel: 2}}`)).toEqual(['cameras.0.vendor: vendor is only read with events: hikvision or dahua']);
    expect(errors(`  - {id: a, onvif: ${ONVIF}, events: hikvision, motion: {onvif: true}}`)).toEqual([
      'cameras.0.motion.onvif: contradicts events: hikvision; remove motion.onvif (events replaces it)',
    ]);
    expect(errors(`  - {id: a, onvif: ${ONVIF}, events: dahua, vendor: {alarmInput: bell, chanel: 2}}`)).toEqual(
      expect.arrayContaining(['cameras.0.vendor.chanel: unknown key', expect.stringMatching(/^cameras\.0\.vendor\.alarmInput: /)]),
    );
  });

  it('registers the vendor password as a secret', () => {
    const r = parseConfigText('cameras:\n  - {id: a, rtsp: {main: "rtsp://h/x"}, events: dahua, vendor: {host: h, username: u, password: vendor-secret-9}}', {});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const secrets = new SecretRegistry();
    registerConfigSecrets(r.config, secrets);
    expect(secrets.scrub('Digest failed for vendor-secret-9')).toBe('Digest failed for ***');
  });
});

describe('web.publicUrl', () => {
  it('takes an http(s) URL and refuses anything else', () => {
    const ok = parseConfigText('web: {publicUrl: "https://home.example/clipgate/"}', {});
    expect(ok.ok && ok.config.web.publicUrl).toBe('https://home.example/clipgate/');
    const bad = parseConfigText('web: {publicUrl: "ftp://x"}', {});
    expect(bad.ok ? [] : bad.errors).toEqual(['web.publicUrl: must be an http:// or https:// URL']);
  });
});
