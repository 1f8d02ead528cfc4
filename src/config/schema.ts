import { z } from 'zod';
import cron from 'node-cron';
import { isAddressOrCidr } from '../core/net-address.js';
import { cleanLine } from '../core/text.js';

/**
 * The single definition of clipgate's configuration. Types come from z.infer, defaults and
 * user-facing descriptions live here, objects are strict (unknown keys are errors), and
 * config/clipgate.schema.json is generated from this file (`npm run gen`).
 */

const fraction = z.number().min(0).max(1);

export const regionSchema = z
  .strictObject({
    x: fraction.describe('Left edge as a fraction of the frame width (0-1)'),
    y: fraction.describe('Top edge as a fraction of the frame height (0-1)'),
    width: z.number().gt(0).max(1).describe('Width as a fraction of the frame width'),
    height: z.number().gt(0).max(1).describe('Height as a fraction of the frame height'),
  })
  .refine((r) => r.x + r.width <= 1.000001 && r.y + r.height <= 1.000001, {
    message: 'region extends past the frame (x + width and y + height must be at most 1)',
  })
  .describe('A rectangle in fractions of the frame');

const rtspUrl = z
  .string()
  .regex(/^rtsps?:\/\/\S+$/, 'must be an rtsp:// or rtsps:// URL');

const onvifSchema = z
  .strictObject({
    host: z.string().min(1).describe('Camera address (IP or host name)'),
    port: z.number().int().min(1).max(65535).default(80).describe('ONVIF HTTP port'),
    username: z.string().optional().describe('ONVIF user'),
    password: z.string().optional().describe('ONVIF password; use ${ENV_VAR}'),
    profiles: z
      .strictObject({
        main: z.string().optional().describe('Profile token to record (default: highest resolution)'),
        sub: z.string().optional().describe('Profile token for motion detection (default: lowest resolution)'),
      })
      .optional()
      .describe('Override the automatic choice of media profiles'),
    events: z
      .strictObject({
        motion: z.array(z.string().min(1)).default([]).describe('Extra topic suffixes that mean motion'),
        doorbell: z.array(z.string().min(1)).default([]).describe('Extra topic suffixes that mean a doorbell press'),
      })
      .prefault({})
      .describe('Extra ONVIF event topics, matched by suffix, beyond the built-in table'),
  })
  .describe('Connect through ONVIF: profiles, stream URIs and events are read from the camera');

const inboxSchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      path: z.string().min(1).describe('The folder'),
      settleSeconds: z
        .number()
        .min(1)
        .max(600)
        .default(10)
        .describe('A drop counts as finished once its size and modification time stay unchanged this long'),
    }),
  ])
  .transform((v) => (typeof v === 'string' ? { path: v, settleSeconds: 10 } : v))
  .describe('Folder the camera itself drops clips into (FTP/SMB): a path, or {path, settleSeconds}');

const rtspSchema = z
  .strictObject({
    main: rtspUrl.describe('Main (recording) stream URL; credentials may be embedded'),
    sub: rtspUrl.optional().describe('Low-resolution stream for motion detection'),
  })
  .describe('Plain RTSP streams, without ONVIF');

const simulatedSchema = z
  .strictObject({
    motionEverySeconds: z.number().min(5).default(60).describe('Fire a motion event this often'),
    width: z.number().int().min(64).max(1920).default(640).describe('Frame width of the test pattern'),
    height: z.number().int().min(64).max(1080).default(360).describe('Frame height of the test pattern'),
    fps: z.number().int().min(1).max(30).default(10).describe('Frames per second of the test pattern'),
  })
  .describe('A built-in test-pattern camera for demos; needs no hardware');

const detectSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Detect motion in the daemon by decoding the sub stream'),
    fps: z.number().min(1).max(15).default(5).describe('Frames per second analysed'),
    threshold: z.number().gt(0).max(1).default(0.02).describe('Fraction of changed pixels that counts as motion'),
    minSeconds: z.number().min(0).max(30).default(0.5).describe('Motion must last this long to trigger'),
    cooldownSeconds: z.number().min(0).max(600).default(10).describe('Quiet time after motion ends before the next trigger'),
    zones: z.array(regionSchema).default([]).describe('Areas to watch; empty means the whole frame'),
  })
  .prefault({});

/** Where a camera's own motion and doorbell events come from. */
export const EVENT_SOURCES = ['onvif', 'hikvision', 'dahua', 'none'] as const;
export type EventSourceChoice = (typeof EVENT_SOURCES)[number];

const vendorSchema = z
  .strictObject({
    host: z.string().min(1).optional().describe('Address of the camera or NVR event API (default: onvif.host)'),
    port: z.number().int().min(1).max(65535).optional().describe('HTTP port of the event API (default: 80, or 443 with https)'),
    https: z.boolean().default(false).describe("Use HTTPS; the camera's self-signed certificate is accepted"),
    username: z.string().optional().describe('API user (default: onvif.username)'),
    password: z.string().optional().describe('API password (default: onvif.password); use ${ENV_VAR}'),
    channel: z.number().int().min(1).max(256).default(1).describe('Channel on an NVR or multi-sensor camera (1-based)'),
    alarmInput: z
      .enum(['motion', 'doorbell', 'ignore'])
      .default('motion')
      .describe('Dahua: what the alarm input (AlarmLocal) means; doorbell for an Amcrest AD410'),
  })
  .describe("The camera's own HTTP event API, for events: hikvision or dahua; each key defaults to the onvif one");

const motionSchema = z
  .strictObject({
    onvif: z.boolean().optional().describe('Older form of `events`: false is events: none, true is events: onvif'),
    detect: detectSchema.describe('Daemon-side motion detection'),
  })
  .prefault({});

const recordSchema = z
  .strictObject({
    preSeconds: z.number().min(0).max(60).default(5).describe('Seconds kept before the event'),
    postSeconds: z.number().min(0).max(300).default(10).describe('Seconds recorded after the last trigger'),
    maxSeconds: z.number().min(5).max(3600).default(120).describe('Longest clip'),
    audio: z.boolean().default(true).describe('Keep the audio track in local recordings'),
  })
  .prefault({});

const cameraSchemaBase = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+ (lower-case letters, digits, dashes)')
      .max(64)
      .describe('Stable identifier used in topics, URLs and folder names'),
    // Bidi and control characters are stripped (src/core/text.ts): the name is shown in the UI, MQTT and logs.
    name: z.string().overwrite(cleanLine).min(1).max(100).optional().describe('Display name (default: the id)'),
    kind: z.enum(['doorbell', 'camera']).default('camera').describe('doorbell or camera'),
    onvif: onvifSchema.optional(),
    rtsp: rtspSchema.optional(),
    simulated: simulatedSchema.optional(),
    events: z
      .enum(EVENT_SOURCES)
      .optional()
      .describe(
        "Where the camera's own motion and doorbell events come from: onvif (PullPoint), hikvision (ISAPI alertStream), dahua (eventManager), or none (default: onvif when onvif is set, else none)",
      ),
    vendor: vendorSchema.optional(),
    motion: motionSchema.describe('Where motion events come from'),
    record: recordSchema.describe('Clip recording'),
    privacyMasks: z.array(regionSchema).default([]).describe('Areas always blurred on export'),
    inbox: inboxSchema.optional(),
  });

export const cameraSchema = cameraSchemaBase
  .superRefine((cam, ctx) => {
    const sources = (['onvif', 'rtsp', 'simulated'] as const).filter((k) => cam[k] !== undefined);
    if (sources.length > 1) {
      ctx.addIssue({ code: 'custom', path: [sources[1] ?? 'rtsp'], message: `only one of onvif, rtsp, simulated may be set (found ${sources.join(', ')})` });
    }
    if (sources.length === 0 && cam.inbox === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs a source: onvif, rtsp, simulated, or an inbox folder' });
    }
    for (const issue of eventSourceIssues(cam)) ctx.addIssue({ code: 'custom', ...issue });
  });

type CameraInput = Pick<z.infer<typeof cameraSchemaBase>, 'events' | 'vendor' | 'onvif' | 'motion'>;

/** What is wrong with a camera's event source settings (events, vendor, motion.onvif), if anything. */
function eventSourceIssues(cam: CameraInput): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const legacy = cam.motion.onvif;
  if (cam.events !== undefined && legacy !== undefined && legacy !== (cam.events === 'onvif')) {
    out.push({ path: ['motion', 'onvif'], message: `contradicts events: ${cam.events}; remove motion.onvif (events replaces it)` });
  }
  if (cam.events === 'onvif' && !cam.onvif) {
    out.push({ path: ['events'], message: 'events: onvif needs an onvif section (or use hikvision, dahua or none)' });
  }
  const vendor = cam.events === 'hikvision' || cam.events === 'dahua';
  if (!vendor) {
    if (cam.vendor) out.push({ path: ['vendor'], message: 'vendor is only read with events: hikvision or dahua' });
    return out;
  }
  if (!(cam.vendor?.host ?? cam.onvif?.host)) out.push({ path: ['vendor', 'host'], message: `events: ${cam.events} needs vendor.host (or onvif.host)` });
  if ((cam.vendor?.username ?? cam.onvif?.username) === undefined || (cam.vendor?.password ?? cam.onvif?.password) === undefined) {
    out.push({ path: ['vendor', 'username'], message: `events: ${cam.events} needs vendor.username and vendor.password (or the onvif ones)` });
  }
  return out;
}

const mqttSchema = z
  .strictObject({
    url: z.string().regex(/^mqtts?:\/\/\S+$|^wss?:\/\/\S+$/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL').describe('Broker URL'),
    username: z.string().optional().describe('Broker user'),
    password: z.string().optional().describe('Broker password; use ${ENV_VAR}'),
    ca: z.string().optional().describe('CA certificate file for mqtts:// brokers with a private CA'),
    snapshots: z
      .enum(['masked', 'off'])
      .default('masked')
      .describe("The retained snapshot image of each camera: its newest clip that is not rejected or deleted, with the camera's privacy masks blacked out (masked), or always a neutral placeholder (off)"),
    clientId: z.string().optional().describe('MQTT client id (default: clipgate-<random>)'),
    topicPrefix: z.string().regex(/^[^#+\s]+$/, 'must not contain #, + or spaces').default('clipgate').describe('First level of every clipgate topic'),
    homeAssistant: z
      .strictObject({
        discovery: z.boolean().default(true).describe('Publish Home Assistant discovery configs'),
        prefix: z.string().default('homeassistant').describe('Home Assistant discovery prefix'),
      })
      .prefault({})
      .describe('Home Assistant MQTT discovery'),
  })
  .describe('MQTT broker (Home Assistant); leave out to publish nothing');

const platformSchema = z
  .strictObject({
    url: z.string().url('must be an http(s) URL').describe('Base URL of the community platform API'),
    token: z.string().min(1).describe('Bearer token; use ${ENV_VAR}'),
    pollRequests: z
      .string()
      .refine((s) => cron.validate(s), 'not a valid cron expression')
      .default('*/5 * * * *')
      .describe('Cron schedule for polling requests for assistance'),
    maxUploadKbps: z.number().min(0).default(0).describe('Upload limit in kilobits per second; 0 = unlimited'),
    concurrency: z.number().int().min(1).max(4).default(1).describe('Uploads at a time'),
    chunkSizeMb: z.number().min(0.25).max(64).default(4).describe('tus PATCH chunk size in MiB'),
  })
  .describe('Community platform; leave out to upload nothing');

/** An IPv4/IPv6 address or CIDR block (`10.0.0.0/8`, `fd00::/8`). */
const addressOrCidr = z.string().refine(isAddressOrCidr, 'must be an IP address or a CIDR block such as 172.30.32.0/23');

const webSchema = z
  .strictObject({
    host: z.string().default('0.0.0.0').describe('Address the web UI listens on'),
    port: z.number().int().min(0).max(65535).default(8080).describe('Port of the web UI'),
    publicUrl: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
      .refine((s) => URL.canParse(s), 'not a valid URL')
      .optional()
      .describe('Address your browser opens the UI at (e.g. http://clipgate.local:8080/); links in Home Assistant (device page, clip notifications) point here'),
    allowedHosts: z
      .array(z.string().min(1).max(253).regex(/^(\*|[A-Za-z0-9._-]+)$/, 'must be a host name (no port, no scheme) or *'))
      .default([])
      .describe(
        'Host names the UI may be reached by, in addition to IP addresses, localhost, this machine\'s host name and <hostname>.local. ' +
          'Other Host headers get 421 (this blocks DNS rebinding). "*" accepts any name and turns the protection off',
      ),
    trustProxy: z
      .array(addressOrCidr)
      .default([])
      .describe(
        'Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For/-Proto/-Host headers are believed: the client address for the ' +
          'login lock-out, https for the Secure cookie. Empty: the headers are ignored',
      ),
    ingress: z
      .boolean()
      .default(false)
      .describe("Home Assistant ingress: requests from web.ingressProxy are the Home Assistant-authenticated owner (no clipgate login)"),
    ingressProxy: z
      .array(addressOrCidr)
      .default(['172.30.32.2'])
      .describe("Addresses of Home Assistant's ingress proxy (the Supervisor); only used when web.ingress is on"),
  })
  .prefault({})
  .describe('The local web UI and HTTP API');

const reviewSchema = z
  .strictObject({
    preview: z
      .boolean()
      .default(true)
      .describe('Approving prepares the redacted export and shows it; only Send uploads it. false: approving sends as soon as the export is done'),
    hideUnlabelled: z
      .boolean()
      .default(false)
      .describe(
        "The review queue's default view leaves out clips the on-device analysis labelled neither person nor vehicle (they stay listed under the queue's label filter and in the API)",
      ),
  })
  .prefault({});

/**
 * On-device analysis of clips (issue 19). Named `detect` as the issue and the README name it; it is
 * not the per-camera `motion.detect` (daemon-side motion detection on the live sub stream): this one
 * looks at finished clip files only.
 */
const analysisConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(process.arch === 'x64' || process.arch === 'arm64')
      .describe(
        'Analyse every new clip on this device: face tracks (blur suggestions) and person/vehicle/animal labels. ' +
          'If the models cannot load, a problem is raised and everything else works as before (default: on for amd64 and arm64)',
      ),
    threads: z.number().int().min(1).max(4).default(1).describe('Inference threads of the analysis worker (runs at nice 10)'),
    faceFps: z.number().min(1).max(30).default(10).describe('Frames per second analysed by the face detector'),
    labelFps: z.number().min(0).max(5).default(1).describe('Frames per second analysed by the object labeller (0 = no labels)'),
    verifyThreshold: z
      .number()
      .min(0.05)
      .max(0.99)
      .default(0.5)
      .describe('A face still found at or above this score in a redacted export is shown before Send, and Send waits for the owner to blur it or confirm'),
  })
  .prefault({});

const retentionSchema = z
  .strictObject({
    pendingDays: z.number().min(0).default(7).describe('Delete unreviewed clips after this many days'),
    rejectedDays: z.number().min(0).default(0).describe('Delete rejected clips after this many days (0 = at once)'),
    sharedDays: z.number().min(0).default(30).describe('Keep local copies of shared clips this long'),
    maxDiskGb: z.number().gt(0).default(20).describe('Upper bound for clips + exports'),
    minFreePercent: z.number().min(0).max(90).default(10).describe('Keep at least this much of the disk free'),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    dataDir: z.string().min(1).default('./data').describe('Database, clips, thumbnails, exports (persistent disk)'),
    clipsDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Clip videos and thumbnails (default: <dataDir>/clips). May be another disk (the Home Assistant add-on uses /media/clipgate); ' +
          'retention and the disk quota follow it. Clips already stored stay where they were when this changes',
      ),
    cacheDir: z.string().min(1).default('/dev/shm/clipgate').describe('Segment ring buffer; a RAM disk saves the SD card'),
    location: z
      .strictObject({
        latitude: z.number().min(-90).max(90).describe('Degrees north (negative: south)'),
        longitude: z.number().min(-180).max(180).describe('Degrees east (negative: west)'),
      })
      .optional()
      .describe('Home location, used only on this device to match requests for assistance'),
    web: webSchema,
    cameras: z.array(cameraSchema).default([]).describe('Cameras and doorbells'),
    mqtt: mqttSchema.optional(),
    platform: platformSchema.optional(),
    review: reviewSchema.describe('How sharing asks for consent'),
    detect: analysisConfigSchema.describe('On-device analysis of finished clips: face tracks for the blur, labels for the queue (not motion detection; see cameras[].motion.detect)'),
    retention: retentionSchema.describe('What is deleted when'),
    logging: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Least severe level written'),
        format: z
          .enum(['auto', 'pretty', 'json'])
          .default('auto')
          .describe(
            'auto: one readable line per event (local time, level, module, message, key=value fields; colour unless NO_COLOR is set) when stdout is a terminal, JSON lines otherwise (systemd journal, Docker, pipes); pretty or json: always that. Secrets are masked either way',
          ),
      })
      .prefault({})
      .describe('Logging on stdout'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.cameras.forEach((cam, i) => {
      const first = seen.get(cam.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `duplicate camera id "${cam.id}" (also cameras.${first}.id)` });
      } else {
        seen.set(cam.id, i);
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type CameraConfig = z.infer<typeof cameraSchema>;
export type RegionConfig = z.infer<typeof regionSchema>;

/**
 * Where the camera's own events come from: `events` when set, else ONVIF for a camera with an
 * onvif section (unless the older `motion.onvif: false` turns it off), else none.
 */
export function eventSource(cam: Pick<CameraConfig, 'events' | 'onvif' | 'motion'>): EventSourceChoice {
  if (cam.events !== undefined) return cam.events;
  return cam.onvif !== undefined && cam.motion.onvif !== false ? 'onvif' : 'none';
}

/** Whether the camera's own ONVIF motion events are used. */
export function usesOnvifMotion(cam: CameraConfig): boolean {
  return eventSource(cam) === 'onvif';
}

export function cameraName(cam: CameraConfig): string {
  return cam.name ?? cam.id;
}
