import { z } from 'zod';
import { formatIssues } from '../config/load.js';
import { configSchema } from '../config/schema.js';

/**
 * The Home Assistant add-on's options (`/data/options.json`, shaped by ha-addon/clipgate/config.yaml)
 * and the Supervisor's MQTT service, turned into a clipgate config. Pure: the CLI command
 * `clipgate addon-config` reads the files and writes the result. Every error names the option as
 * the owner sees it in Home Assistant (`cameras.0.id: ...`), never the internal config key.
 */

/** Where the add-on keeps things inside its container (config.yaml maps /data, /media, /share; /tmp is tmpfs). */
export const ADDON_PATHS = {
  dataDir: '/data',
  clipsDir: '/media/clipgate',
  cacheDir: '/tmp/clipgate',
} as const;
/** config.yaml's ingress_port; the web server listens there for the ingress proxy (and the optional LAN port). */
export const ADDON_WEB_PORT = 8099;
/** The Supervisor's address on the hassio network: the only ingress proxy. */
export const SUPERVISOR_ADDRESS = '172.30.32.2';
/** Names the add-on's UI is reached by on the LAN when its port is published (Home Assistant OS defaults). */
const HA_HOST_NAMES = ['homeassistant', 'homeassistant.local'];

/** Home Assistant stores an emptied optional text field as "" (or drops it); both mean "not set". */
const optionalText = (max: number) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().max(max).optional());

const mask = z
  .string()
  .regex(/^\s*[0-9.]+\s*,\s*[0-9.]+\s*,\s*[0-9.]+\s*,\s*[0-9.]+\s*$/, 'must be "x,y,width,height" in fractions of the frame, e.g. "0.7,0,0.3,0.4"');

const cameraOptions = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+ (lower-case letters, digits, dashes)').max(64),
  name: optionalText(100),
  kind: z.enum(['camera', 'doorbell']).default('camera'),
  onvif_host: optionalText(253),
  onvif_port: z.number().int().min(1).max(65535).optional(),
  onvif_username: optionalText(200),
  onvif_password: optionalText(500),
  rtsp_main: optionalText(2000),
  rtsp_sub: optionalText(2000),
  motion_detect: z.boolean().optional(),
  privacy_masks: z.array(mask).max(32).optional(),
  inbox: optionalText(500).refine((p) => p === undefined || /^\/(share|media)\//.test(p), 'must be a folder under /share/ or /media/'),
});

export const addonOptionsSchema = z.strictObject({
  cameras: z.array(cameraOptions).default([]),
  platform_url: optionalText(2000),
  platform_token: optionalText(2000),
  retention: z
    .strictObject({
      pending_days: z.number().min(0),
      rejected_days: z.number().min(0),
      shared_days: z.number().min(0),
      max_disk_gb: z.number().gt(0),
      min_free_percent: z.number().min(0).max(90),
    })
    .partial()
    .default({}),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  allowed_hosts: z.array(z.string()).default([]),
  mqtt_topic_prefix: optionalText(100),
});

export type AddonOptions = z.infer<typeof addonOptionsSchema>;

/** The Supervisor's `GET /services/mqtt` answer (`{result, data}`), or its `data` alone. */
const mqttService = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  ssl: z.boolean().default(false),
  username: optionalText(500),
  password: optionalText(500),
});

export type AddonResult = { ok: true; config: Record<string, unknown> } | { ok: false; errors: string[] };

/** The config loader substitutes `${NAME}`; a literal one in a password is written `$${NAME}`. */
function literal(text: string): string {
  // A function, not a replacement string: in one of those `$$` itself means `$`.
  return text.replaceAll('${', () => '$${');
}

function parseMask(text: string): { x: number; y: number; width: number; height: number } {
  const [x = NaN, y = NaN, width = NaN, height = NaN] = text.split(',').map((s) => Number(s.trim()));
  return { x, y, width, height };
}

function cameraConfig(c: AddonOptions['cameras'][number]): Record<string, unknown> {
  const cam: Record<string, unknown> = { id: c.id, kind: c.kind };
  if (c.name !== undefined) cam.name = c.name;
  if (c.onvif_host !== undefined) {
    cam.onvif = {
      host: c.onvif_host,
      ...(c.onvif_port !== undefined && { port: c.onvif_port }),
      ...(c.onvif_username !== undefined && { username: literal(c.onvif_username) }),
      ...(c.onvif_password !== undefined && { password: literal(c.onvif_password) }),
    };
  }
  if (c.rtsp_main !== undefined || c.rtsp_sub !== undefined) {
    cam.rtsp = { ...(c.rtsp_main !== undefined && { main: literal(c.rtsp_main) }), ...(c.rtsp_sub !== undefined && { sub: literal(c.rtsp_sub) }) };
  }
  if (c.motion_detect !== undefined) cam.motion = { detect: { enabled: c.motion_detect } };
  if (c.privacy_masks !== undefined) cam.privacyMasks = c.privacy_masks.map(parseMask);
  if (c.inbox !== undefined) cam.inbox = c.inbox;
  return cam;
}

/** Problems the config schema would word in its own keys, said in the option's words first. */
function optionProblems(o: AddonOptions): string[] {
  const out: string[] = [];
  o.cameras.forEach((c, i) => {
    if (c.onvif_host !== undefined && (c.rtsp_main !== undefined || c.rtsp_sub !== undefined)) out.push(`cameras.${i}: set either onvif_host or rtsp_main, not both`);
    if (c.rtsp_sub !== undefined && c.rtsp_main === undefined) out.push(`cameras.${i}.rtsp_main: needed when rtsp_sub is set`);
    if (c.onvif_host === undefined && c.rtsp_main === undefined && c.inbox === undefined) out.push(`cameras.${i}: needs onvif_host, rtsp_main or an inbox folder`);
    if (c.onvif_host === undefined && (c.onvif_port !== undefined || c.onvif_username !== undefined || c.onvif_password !== undefined)) {
      out.push(`cameras.${i}.onvif_host: needed when other onvif_ options are set`);
    }
  });
  if ((o.platform_url === undefined) !== (o.platform_token === undefined)) out.push(`${o.platform_url === undefined ? 'platform_url' : 'platform_token'}: set platform_url and platform_token together (or neither)`);
  return out;
}

/** Config key path → the option the owner typed it in (for errors found by the config schema). */
const OPTION_OF: [RegExp, string][] = [
  [/^cameras\.(\d+)\.onvif\.host/, 'cameras.$1.onvif_host'],
  [/^cameras\.(\d+)\.onvif\.port/, 'cameras.$1.onvif_port'],
  [/^cameras\.(\d+)\.onvif\.username/, 'cameras.$1.onvif_username'],
  [/^cameras\.(\d+)\.onvif\.password/, 'cameras.$1.onvif_password'],
  [/^cameras\.(\d+)\.rtsp\.main/, 'cameras.$1.rtsp_main'],
  [/^cameras\.(\d+)\.rtsp\.sub/, 'cameras.$1.rtsp_sub'],
  [/^cameras\.(\d+)\.privacyMasks\.(\d+)(\.\w+)?/, 'cameras.$1.privacy_masks.$2'],
  [/^cameras\.(\d+)\.motion\.detect\.enabled/, 'cameras.$1.motion_detect'],
  [/^platform\.url/, 'platform_url'],
  [/^platform\.token/, 'platform_token'],
  [/^retention\.pendingDays/, 'retention.pending_days'],
  [/^retention\.rejectedDays/, 'retention.rejected_days'],
  [/^retention\.sharedDays/, 'retention.shared_days'],
  [/^retention\.maxDiskGb/, 'retention.max_disk_gb'],
  [/^retention\.minFreePercent/, 'retention.min_free_percent'],
  [/^web\.allowedHosts\.(\d+)/, `allowed_hosts.$1`],
  [/^mqtt\.topicPrefix/, 'mqtt_topic_prefix'],
  [/^mqtt\./, 'mqtt service: '],
];

function inOptionTerms(line: string): string {
  const colon = line.indexOf(': ');
  const key = line.slice(0, colon);
  for (const [re, option] of OPTION_OF) {
    if (!re.test(key)) continue;
    const mapped = key.replace(re, option);
    // Allowed-host indices shift by the built-in names the add-on puts first.
    const shifted = mapped.replace(/^allowed_hosts\.(\d+)/, (_m, n: string) => `allowed_hosts.${Number(n) - HA_HOST_NAMES.length}`);
    return shifted.endsWith(': ') ? `${shifted}${line.slice(colon + 2)}` : `${shifted}${line.slice(colon)}`;
  }
  return line;
}

function parseMqtt(raw: unknown): { ok: true; url: string; username?: string; password?: string } | { ok: false; errors: string[] } {
  const data = typeof raw === 'object' && raw !== null && 'data' in raw ? (raw).data : raw;
  const r = mqttService.safeParse(data);
  if (!r.success) return { ok: false, errors: formatIssues(r.error.issues).map((l) => `mqtt service: ${l}`) };
  const host = r.data.host.includes(':') ? `[${r.data.host}]` : r.data.host;
  return {
    ok: true,
    url: `${r.data.ssl ? 'mqtts' : 'mqtt'}://${host}:${r.data.port}`,
    ...(r.data.username !== undefined && { username: r.data.username }),
    ...(r.data.password !== undefined && { password: r.data.password }),
  };
}

/**
 * options.json (+ the MQTT service, when Home Assistant has one) → a validated clipgate config.
 * Data in /data, clips in /media/clipgate, the segment cache on the container's tmpfs, the web
 * server on the ingress port with ingress on. Without an MQTT service nothing is published.
 */
export function addonConfig(rawOptions: unknown, rawMqtt?: unknown): AddonResult {
  const parsed = addonOptionsSchema.safeParse(rawOptions ?? {});
  if (!parsed.success) return { ok: false, errors: formatIssues(parsed.error.issues) };
  const o = parsed.data;
  const errors = optionProblems(o);
  const mqtt = rawMqtt === undefined ? undefined : parseMqtt(rawMqtt);
  if (mqtt && !mqtt.ok) errors.push(...mqtt.errors);
  if (errors.length > 0) return { ok: false, errors };
  const config: Record<string, unknown> = {
    ...ADDON_PATHS,
    web: { host: '0.0.0.0', port: ADDON_WEB_PORT, ingress: true, ingressProxy: [SUPERVISOR_ADDRESS], allowedHosts: [...HA_HOST_NAMES, ...o.allowed_hosts] },
    cameras: o.cameras.map(cameraConfig),
    retention: {
      ...(o.retention.pending_days !== undefined && { pendingDays: o.retention.pending_days }),
      ...(o.retention.rejected_days !== undefined && { rejectedDays: o.retention.rejected_days }),
      ...(o.retention.shared_days !== undefined && { sharedDays: o.retention.shared_days }),
      ...(o.retention.max_disk_gb !== undefined && { maxDiskGb: o.retention.max_disk_gb }),
      ...(o.retention.min_free_percent !== undefined && { minFreePercent: o.retention.min_free_percent }),
    },
    logging: { level: o.log_level },
  };
  if (mqtt?.ok) {
    config.mqtt = {
      url: mqtt.url,
      ...(mqtt.username !== undefined && { username: literal(mqtt.username) }),
      ...(mqtt.password !== undefined && { password: literal(mqtt.password) }),
      ...(o.mqtt_topic_prefix !== undefined && { topicPrefix: o.mqtt_topic_prefix }),
      homeAssistant: { discovery: true, prefix: 'homeassistant' },
    };
  }
  if (o.platform_url !== undefined && o.platform_token !== undefined) config.platform = { url: o.platform_url, token: literal(o.platform_token) };
  // The same schema the daemon loads it with: what passes here starts.
  const check = configSchema.safeParse(config);
  if (!check.success) return { ok: false, errors: formatIssues(check.error.issues).map(inOptionTerms) };
  return { ok: true, config };
}
