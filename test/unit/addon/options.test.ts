// The Home Assistant add-on's options (+ the Supervisor's MQTT service) → clipgate config, as a
// table of cases; every produced config is loaded through the real loader (YAML, ${ENV}, schema).
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ADDON_PATHS, ADDON_WEB_PORT, addonConfig, SUPERVISOR_ADDRESS } from '../../../src/addon/options.js';
import { parseConfigText } from '../../../src/config/load.js';

const RETENTION = { pending_days: 7, rejected_days: 0, shared_days: 30, max_disk_gb: 20, min_free_percent: 10 };
/** What Home Assistant writes for a fresh install (config.yaml's `options`). */
const DEFAULTS = { cameras: [], retention: RETENTION, log_level: 'info', allowed_hosts: [] };
const MQTT = { result: 'ok', data: { host: 'core-mosquitto', port: 1883, ssl: false, protocol: '3.1.1', username: 'addons', password: 'Mq${TT}-pw' } };

/** The config exactly as `clipgate start` would load the written file. */
function load(config: Record<string, unknown>) {
  const r = parseConfigText(stringify(config), {});
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

type Case = [name: string, options: unknown, mqtt: unknown, check: (c: ReturnType<typeof load>) => void];

const OK: Case[] = [
  ['fresh install: no cameras, ingress on, private paths, nothing published or uploaded', DEFAULTS, undefined, (c) => {
    expect(c.dataDir).toBe(ADDON_PATHS.dataDir);
    expect(c.clipsDir).toBe('/media/clipgate');
    expect(c.cacheDir).toBe('/tmp/clipgate');
    expect(c.web).toEqual({ host: '0.0.0.0', port: ADDON_WEB_PORT, ingress: true, ingressProxy: [SUPERVISOR_ADDRESS], allowedHosts: ['homeassistant', 'homeassistant.local'], trustProxy: [] });
    expect(c.cameras).toEqual([]);
    expect(c.mqtt).toBeUndefined();
    expect(c.platform).toBeUndefined();
    expect(c.retention).toEqual({ pendingDays: 7, rejectedDays: 0, sharedDays: 30, maxDiskGb: 20, minFreePercent: 10 });
  }],
  ['an ONVIF doorbell with credentials and a privacy mask', { ...DEFAULTS, cameras: [{ id: 'front-door', name: 'Front door', kind: 'doorbell', onvif_host: '192.168.1.20', onvif_port: 8000, onvif_username: 'admin', onvif_password: 'pa$${s}', privacy_masks: ['0.7, 0, 0.3, 0.4'] }] }, undefined, (c) => {
    const cam = c.cameras[0];
    expect(cam).toMatchObject({ id: 'front-door', name: 'Front door', kind: 'doorbell', onvif: { host: '192.168.1.20', port: 8000, username: 'admin', password: 'pa$${s}' } });
    expect(cam?.privacyMasks).toEqual([{ x: 0.7, y: 0, width: 0.3, height: 0.4 }]);
  }],
  ['an RTSP camera with daemon-side detection; empty optional fields count as unset', { ...DEFAULTS, cameras: [{ id: 'garden', name: '', onvif_host: '', rtsp_main: 'rtsp://u:p@192.168.1.21/1', rtsp_sub: 'rtsp://u:p@192.168.1.21/2', motion_detect: true }] }, undefined, (c) => {
    expect(c.cameras[0]).toMatchObject({ id: 'garden', kind: 'camera', rtsp: { main: 'rtsp://u:p@192.168.1.21/1', sub: 'rtsp://u:p@192.168.1.21/2' }, motion: { detect: { enabled: true } } });
    expect(c.cameras[0]?.onvif).toBeUndefined();
    expect(c.cameras[0]?.name).toBeUndefined();
  }],
  ['an inbox-only camera under /share', { ...DEFAULTS, cameras: [{ id: 'shed', inbox: '/share/clipgate/shed' }] }, undefined, (c) => {
    expect(c.cameras[0]).toMatchObject({ id: 'shed', inbox: { path: '/share/clipgate/shed', settleSeconds: 10 } });
  }],
  ["Home Assistant's MQTT service (envelope), a password with a literal ${", DEFAULTS, MQTT, (c) => {
    expect(c.mqtt).toMatchObject({ url: 'mqtt://core-mosquitto:1883', username: 'addons', password: 'Mq${TT}-pw', topicPrefix: 'clipgate', homeAssistant: { discovery: true, prefix: 'homeassistant' } });
  }],
  ['an MQTT service over TLS on IPv6, given as the data object, and a topic prefix', { ...DEFAULTS, mqtt_topic_prefix: 'home/clipgate' }, { host: 'fd00::5', port: 8883, ssl: true }, (c) => {
    expect(c.mqtt).toMatchObject({ url: 'mqtts://[fd00::5]:8883', topicPrefix: 'home/clipgate' });
    expect(c.mqtt?.username).toBeUndefined();
  }],
  ['the platform with its token, retention, log level and extra host names', { ...DEFAULTS, platform_url: 'https://community.example/api', platform_token: 'tok-123', retention: { ...RETENTION, pending_days: 3, max_disk_gb: 50 }, log_level: 'debug', allowed_hosts: ['pi.lan'] }, undefined, (c) => {
    expect(c.platform).toMatchObject({ url: 'https://community.example/api', token: 'tok-123' });
    expect(c.retention).toMatchObject({ pendingDays: 3, maxDiskGb: 50 });
    expect(c.logging.level).toBe('debug');
    expect(c.web.allowedHosts).toEqual(['homeassistant', 'homeassistant.local', 'pi.lan']);
  }],
  ['bidi characters in a camera name are stripped', { ...DEFAULTS, cameras: [{ id: 'gate', name: 'Gate \u202Eetag', rtsp_main: 'rtsp://10.0.0.9/s' }] }, undefined, (c) => {
    expect(c.cameras[0]?.name).toBe('Gate etag');
  }],
];

const BAD: [name: string, options: unknown, mqtt: unknown, errors: string[]][] = [
  ['a camera id with capitals', { ...DEFAULTS, cameras: [{ id: 'Front Door', rtsp_main: 'rtsp://10.0.0.9/s' }] }, undefined, ['cameras.0.id: must match [a-z0-9-]+ (lower-case letters, digits, dashes)']],
  ['ONVIF and RTSP on one camera', { ...DEFAULTS, cameras: [{ id: 'a', onvif_host: '10.0.0.2', rtsp_main: 'rtsp://10.0.0.2/s' }] }, undefined, ['cameras.0: set either onvif_host or rtsp_main, not both']],
  ['a camera without a source', { ...DEFAULTS, cameras: [{ id: 'ok', rtsp_main: 'rtsp://10.0.0.2/s' }, { id: 'b', name: 'B' }] }, undefined, ['cameras.1: needs onvif_host, rtsp_main or an inbox folder']],
  ['onvif credentials without a host', { ...DEFAULTS, cameras: [{ id: 'a', rtsp_main: 'rtsp://10.0.0.2/s', onvif_password: 'x' }] }, undefined, ['cameras.0.onvif_host: needed when other onvif_ options are set']],
  ['a sub stream without a main stream', { ...DEFAULTS, cameras: [{ id: 'a', onvif_host: '10.0.0.2', rtsp_sub: 'rtsp://x/s' }] }, undefined, ['cameras.0: set either onvif_host or rtsp_main, not both', 'cameras.0.rtsp_main: needed when rtsp_sub is set']],
  ['an RTSP URL that is not rtsp://', { ...DEFAULTS, cameras: [{ id: 'a', rtsp_main: 'http://10.0.0.2/s' }] }, undefined, ['cameras.0.rtsp_main: must be an rtsp:// or rtsps:// URL']],
  ['a privacy mask past the frame', { ...DEFAULTS, cameras: [{ id: 'a', rtsp_main: 'rtsp://10.0.0.2/s', privacy_masks: ['0.8,0,0.3,0.1'] }] }, undefined, ['cameras.0.privacy_masks.0: region extends past the frame (x + width and y + height must be at most 1)']],
  ['a privacy mask that is not four numbers', { ...DEFAULTS, cameras: [{ id: 'a', rtsp_main: 'rtsp://10.0.0.2/s', privacy_masks: ['left half'] }] }, undefined, ['cameras.0.privacy_masks.0: must be "x,y,width,height" in fractions of the frame, e.g. "0.7,0,0.3,0.4"']],
  ['an inbox outside /share and /media', { ...DEFAULTS, cameras: [{ id: 'a', inbox: '/data/in' }] }, undefined, ['cameras.0.inbox: must be a folder under /share/ or /media/']],
  ['duplicate camera ids', { ...DEFAULTS, cameras: [{ id: 'a', rtsp_main: 'rtsp://x/1' }, { id: 'a', rtsp_main: 'rtsp://x/2' }] }, undefined, ['cameras.1.id: duplicate camera id "a" (also cameras.0.id)']],
  ['a platform URL without a token', { ...DEFAULTS, platform_url: 'https://community.example/api' }, undefined, ['platform_token: set platform_url and platform_token together (or neither)']],
  ['a platform URL that is not a URL', { ...DEFAULTS, platform_url: 'community', platform_token: 't' }, undefined, ['platform_url: must be an http(s) URL']],
  ['negative retention and a free-space percent over 90', { ...DEFAULTS, retention: { ...RETENTION, pending_days: -1, min_free_percent: 95 } }, undefined, ['retention.pending_days: Too small: expected number to be >=0', 'retention.min_free_percent: Too big: expected number to be <=90']],
  ['an unknown log level', { ...DEFAULTS, log_level: 'verbose' }, undefined, ['log_level: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"']],
  ['an allowed host with a port', { ...DEFAULTS, allowed_hosts: ['pi.lan', 'pi.lan:8099'] }, undefined, ['allowed_hosts.1: must be a host name (no port, no scheme) or *']],
  ['an option config.yaml does not define', { ...DEFAULTS, colour: 'red' }, undefined, ['colour: unknown key']],
  ['options.json that is not an object', [1, 2], undefined, ['(root): Invalid input: expected object, received array']],
  ['an MQTT answer without a host', DEFAULTS, { result: 'ok', data: { port: 1883 } }, ['mqtt service: host: Invalid input: expected string, received undefined']],
  ['a topic prefix with a wildcard', { ...DEFAULTS, mqtt_topic_prefix: 'a/#' }, MQTT, ['mqtt_topic_prefix: must not contain #, + or spaces']],
];

describe('add-on options → clipgate config', () => {
  it.each(OK)('%s', (_name, options, mqtt, check) => {
    const r = addonConfig(options, mqtt);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    check(load(r.config));
  });

  it.each(BAD)('%s → a clear error naming the option', (_name, options, mqtt, errors) => {
    const r = addonConfig(options, mqtt);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual(errors);
  });
});
