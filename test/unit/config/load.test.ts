import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { CONFIG_DOC_PATH, generateConfigJsonSchema, SCHEMA_PATH } from '../../../scripts/gen-schema.js';
import { generateConfigDoc } from '../../../scripts/gen-config-doc.js';

const env = { FRONT_DOOR_PASSWORD: 'x', GARAGE_PASSWORD: 'y', DRIVEWAY_PASSWORD: 'w', MQTT_PASSWORD: 'z', CLIPGATE_PLATFORM_TOKEN: 't' };

describe('config', () => {
  it('an empty file gives every default', () => {
    const r = parseConfigText('', {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.web).toEqual({ host: '0.0.0.0', port: 8080, allowedHosts: [], trustProxy: [], ingress: false, ingressProxy: ['172.30.32.2'] });
    expect(r.config.retention).toEqual({ pendingDays: 7, rejectedDays: 0, sharedDays: 30, maxDiskGb: 20, minFreePercent: 10 });
    expect(r.config.cameras).toEqual([]);
    expect(r.config.mqtt).toBeUndefined();
    expect(r.config.logging.level).toBe('info');
  });

  it('fills camera defaults', () => {
    const r = parseConfigText('cameras: [{id: cam-1, rtsp: {main: "rtsp://h/x"}}]', {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const cam = r.config.cameras[0]!;
    expect(cam.kind).toBe('camera');
    expect(cam.record).toEqual({ preSeconds: 5, postSeconds: 10, maxSeconds: 120, audio: true });
    expect(cam.motion.detect.enabled).toBe(false);
    expect(cam.privacyMasks).toEqual([]);
  });

  it('a camera inbox is a path or {path, settleSeconds}; the path form settles for 10 s', () => {
    const parse = (inbox: string): unknown => {
      const r = parseConfigText(`cameras: [{id: a, inbox: ${inbox}}]`, {});
      return r.ok ? r.config.cameras[0]?.inbox : r.errors;
    };
    expect(parse('/srv/ftp/a')).toEqual({ path: '/srv/ftp/a', settleSeconds: 10 });
    expect(parse('{path: /srv/ftp/a}')).toEqual({ path: '/srv/ftp/a', settleSeconds: 10 });
    expect(parse('{path: /srv/ftp/a, settleSeconds: 30}')).toEqual({ path: '/srv/ftp/a', settleSeconds: 30 });
    expect(parse('{path: /srv/ftp/a, settleSeconds: 0}')).toEqual(['cameras.0.inbox.settleSeconds: Too small: expected number to be >=1']);
    expect(parse('{path: /srv/ftp/a, settle: 3}')).toEqual(['cameras.0.inbox.settle: unknown key']);
  });

  it('reports every mistake at its key path', () => {
    const text = [
      'web: { port: 99999, colour: blue }',
      'cameras:',
      '  - id: Front Door',
      '    rtsp: { main: "http://x" }',
      '  - id: b',
      '    simulated: {}',
      '    record: { preSecond: 3 }',
      'platform: { url: "https://p.example", token: "${CLIPGATE_PLATFORM_TOKEN}" }',
    ].join('\n');
    const r = parseConfigText(text, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^web\.port: /),
        'web.colour: unknown key',
        expect.stringMatching(/^cameras\.0\.id: must match/),
        expect.stringMatching(/^cameras\.0\.rtsp\.main: must be an rtsp/),
        'cameras.1.record.preSecond: unknown key',
        'platform.token: environment variable CLIPGATE_PLATFORM_TOKEN is not set',
      ]),
    );
    expect(r.errors).toHaveLength(6);
  });

  it('rejects duplicate camera ids and a camera with two sources', () => {
    const text = 'cameras: [{id: a, simulated: {}}, {id: a, simulated: {}, rtsp: {main: "rtsp://h/x"}}]';
    const r = parseConfigText(text, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.some((e) => e.startsWith('cameras.1.id: duplicate camera id'))).toBe(true);
    expect(r.errors.some((e) => e.startsWith('cameras.1.simulated: only one of onvif, rtsp, simulated'))).toBe(true);
  });

  it('substitutes environment variables and supports $${ escapes', () => {
    const r = parseConfigText('mqtt: { url: "mqtt://127.0.0.1:1883", password: "${P}", username: "$${U}" }', { P: 'secret' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.mqtt?.password).toBe('secret');
    expect(r.config.mqtt?.username).toBe('${U}');
  });

  it('rejects regions that leave the frame', () => {
    const r = parseConfigText('cameras: [{id: a, simulated: {}, privacyMasks: [{x: 0.8, y: 0, width: 0.5, height: 0.1}]}]', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatch(/^cameras\.0\.privacyMasks\.0: region extends past the frame/);
  });

  it('reports YAML syntax errors without throwing', () => {
    const r = parseConfigText('web: [unclosed', {});
    expect(r.ok).toBe(false);
  });

  it('accepts the example config', () => {
    const r = parseConfigText(readFileSync('config/clipgate.example.yml', 'utf8'), env);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.cameras.map((c) => c.id)).toEqual(['front-door', 'garage', 'driveway']);
  });

  it('the generated JSON schema is up to date (run `npm run gen` after changing the schema)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(generateConfigJsonSchema());
  });

  it('the generated configuration reference is up to date (run `npm run gen`)', () => {
    expect(readFileSync(CONFIG_DOC_PATH, 'utf8')).toBe(generateConfigDoc());
  });
});
