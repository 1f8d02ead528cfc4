import { z } from 'zod';
import cron from 'node-cron';

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

const motionSchema = z
  .strictObject({
    onvif: z.boolean().optional().describe("Use the camera's own motion/doorbell events (default: true when onvif is set)"),
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

export const cameraSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+ (lower-case letters, digits, dashes)')
      .max(64)
      .describe('Stable identifier used in topics, URLs and folder names'),
    name: z.string().min(1).max(100).optional().describe('Display name (default: the id)'),
    kind: z.enum(['doorbell', 'camera']).default('camera').describe('doorbell or camera'),
    onvif: onvifSchema.optional(),
    rtsp: rtspSchema.optional(),
    simulated: simulatedSchema.optional(),
    motion: motionSchema.describe('Where motion events come from'),
    record: recordSchema.describe('Clip recording'),
    privacyMasks: z.array(regionSchema).default([]).describe('Areas always blurred on export'),
    inbox: z.string().min(1).optional().describe('Folder the camera itself drops clips into (FTP/SMB)'),
  })
  .superRefine((cam, ctx) => {
    const sources = (['onvif', 'rtsp', 'simulated'] as const).filter((k) => cam[k] !== undefined);
    if (sources.length > 1) {
      ctx.addIssue({ code: 'custom', path: [sources[1] ?? 'rtsp'], message: `only one of onvif, rtsp, simulated may be set (found ${sources.join(', ')})` });
    }
    if (sources.length === 0 && cam.inbox === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs a source: onvif, rtsp, simulated, or an inbox folder' });
    }
  });

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

const reviewSchema = z
  .strictObject({
    preview: z
      .boolean()
      .default(true)
      .describe('Approving prepares the redacted export and shows it; only Send uploads it. false: approving sends as soon as the export is done'),
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
    cacheDir: z.string().min(1).default('/dev/shm/clipgate').describe('Segment ring buffer; a RAM disk saves the SD card'),
    location: z
      .strictObject({
        latitude: z.number().min(-90).max(90).describe('Degrees north (negative: south)'),
        longitude: z.number().min(-180).max(180).describe('Degrees east (negative: west)'),
      })
      .optional()
      .describe('Home location, used only on this device to match requests for assistance'),
    web: z
      .strictObject({
        host: z.string().default('0.0.0.0').describe('Address the web UI listens on'),
        port: z.number().int().min(0).max(65535).default(8080).describe('Port of the web UI'),
      })
      .prefault({})
      .describe('The local web UI and HTTP API'),
    cameras: z.array(cameraSchema).default([]).describe('Cameras and doorbells'),
    mqtt: mqttSchema.optional(),
    platform: platformSchema.optional(),
    review: reviewSchema.describe('How sharing asks for consent'),
    retention: retentionSchema.describe('What is deleted when'),
    logging: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Least severe level written'),
      })
      .prefault({})
      .describe('Logging (JSON lines on stdout)'),
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

/** Whether the camera's own ONVIF motion events are used (defaults to true with onvif). */
export function usesOnvifMotion(cam: CameraConfig): boolean {
  return cam.onvif !== undefined && cam.motion.onvif !== false;
}

export function cameraName(cam: CameraConfig): string {
  return cam.name ?? cam.id;
}
