import { isTextPart, type StatusPoller, type VendorDriver } from './driver.js';
import { DEFAULT_MULTIPART_LIMITS, type PartHeaders } from './multipart.js';
import type { VendorSignal } from './state.js';

/**
 * Hikvision ISAPI (also Annke, HiWatch, Hikvision-made OEM models):
 * `GET /ISAPI/Event/notification/alertStream` answers `multipart/mixed; boundary=boundary`
 * (some models name it `hikboundary`, some NVRs declare `myboundary` and send `--boundary`:
 * toxuin/alarmserver#15, mezz64/pyHik#10) whose parts are `EventNotificationAlert` XML (newer
 * firmware: JSON, and JPEG snapshots after some events). Fields used: eventType, eventState
 * (active/inactive), channelID or dynChannelID (NVR channels).
 *
 * Motion: most detectors only repeat `active` about once a second while they last and many
 * never send `inactive` (ioBroker hikvision-alarmserver clears after 5 s without a repeat;
 * node-red-contrib-hikvision-ultimate#83: "the event message is sent once per second until the
 * event clears"), line crossing and intrusion are often a single `active`. So a detector is on
 * while `active` parts keep coming and off `holdMs` after the last one, or at once on an
 * explicit `inactive`.
 *
 * Heartbeat: idle cameras send `videoloss` with `inactive` every 1-10 s (pyHik#14,
 * home-assistant/core#82767), but newer firmware sends nothing at all while idle, so silence is
 * only treated as a dead stream after `idleTimeoutMs` (Scrypted's Hikvision doorbell uses 60 s).
 *
 * Doorbells: the call state is not delivered on the alert stream (CornerBit/HikSink#6; on the
 * DS-KB8113 the alertStream even closes after 40 bytes), so doorbells are read by polling
 * `GET /ISAPI/VideoIntercom/callStatus?format=json` → `{"CallStatus":{"status":"idle|ring|onCall"}}`
 * once a second (a ring lasts ~30 s); each change to `ring` is one press.
 */
export const HIKVISION_STREAM_PATH = '/ISAPI/Event/notification/alertStream';
export const HIKVISION_CALL_STATUS_PATH = '/ISAPI/VideoIntercom/callStatus?format=json';

const MOTION_TYPES = new Set(['vmd', 'pir', 'linedetection', 'fielddetection', 'regionentrance', 'regionexiting']);
const HEARTBEAT_TYPES = new Set(['videoloss', 'heartbeat']);

export interface HikvisionOptions {
  /** 1-based channel; other channels' events (NVRs) are ignored. */
  channel: number;
  /** A detector is off this long after its last `active` part. */
  holdMs: number;
  /** Poll the intercom call state (doorbells). */
  doorbell: boolean;
  pollIntervalMs?: number;
  idleTimeoutMs?: number;
}

export const HIKVISION_DEFAULTS = { holdMs: 5_000, pollIntervalMs: 1_000, idleTimeoutMs: 60_000 };

export interface HikvisionAlert {
  eventType: string;
  eventState?: string;
  channel?: number;
}

/** Reads the fields we use from one EventNotificationAlert (XML or JSON); undefined when there is none. */
export function parseHikvisionAlert(text: string): HikvisionAlert | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return alertFromJson(trimmed);
  if (!/<(?:[\w.-]{1,32}:)?EventNotificationAlert[\s>]/.test(trimmed)) return undefined;
  const eventType = xmlField(trimmed, 'eventType');
  if (!eventType) return undefined;
  const alert: HikvisionAlert = { eventType };
  const state = xmlField(trimmed, 'eventState');
  if (state) alert.eventState = state;
  const channel = channelNumber(xmlField(trimmed, 'channelID')) ?? channelNumber(xmlField(trimmed, 'dynChannelID'));
  if (channel !== undefined) alert.channel = channel;
  return alert;
}

/** First `<name>text</name>` (any namespace prefix); bounded quantifiers keep this linear on hostile input. */
function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]{1,32}:)?${name}(?:\\s[^<>]{0,256})?>([^<]{0,256})<`).exec(xml);
  return m?.[1] === undefined ? undefined : decodeEntities(m[1].trim());
}

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

function alertFromJson(text: string): HikvisionAlert | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const root = record(value);
  const doc = record(root?.EventNotificationAlert) ?? root;
  const eventType = doc?.eventType;
  if (typeof eventType !== 'string' || eventType === '') return undefined;
  const alert: HikvisionAlert = { eventType };
  if (typeof doc?.eventState === 'string') alert.eventState = doc.eventState;
  const channel = channelNumber(doc?.channelID) ?? channelNumber(doc?.dynChannelID);
  if (channel !== undefined) alert.channel = channel;
  return alert;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function channelNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,4}$/.test(v.trim()) ? Number(v) : undefined;
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

export function classifyHikvisionAlert(a: HikvisionAlert, opts: Pick<HikvisionOptions, 'channel' | 'holdMs'>): VendorSignal[] {
  const type = a.eventType.toLowerCase();
  const state = a.eventState?.toLowerCase();
  if (HEARTBEAT_TYPES.has(type) && state !== 'active') return [{ kind: 'heartbeat' }];
  // channelID 0 or missing: a single camera or a device-wide event.
  if (a.channel !== undefined && a.channel !== 0 && a.channel !== opts.channel) return [{ kind: 'other', what: `${a.eventType} on channel ${a.channel}` }];
  if (MOTION_TYPES.has(type)) {
    const key = `${type}:${a.channel ?? opts.channel}`;
    if (state === 'inactive') return [{ kind: 'motion', key, active: false }];
    return [{ kind: 'motion', key, active: true, holdMs: opts.holdMs }];
  }
  return [{ kind: 'other', what: `${a.eventType} ${a.eventState ?? ''}`.trim() }];
}

/** `idle`, `ring`, `onCall`... from a callStatus answer (JSON, or XML where `format=json` is ignored). */
export function parseCallStatus(text: string): string | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const status = record(record(JSON.parse(trimmed))?.CallStatus)?.status;
      return typeof status === 'string' ? status : undefined;
    } catch {
      return undefined;
    }
  }
  return /<(?:[\w.-]{1,32}:)?CallStatus[\s>]/.test(trimmed) ? xmlField(trimmed, 'status') : undefined;
}

/** One press per change into `ring`; the first answer only sets the baseline (a ring in progress at start is not new). */
export function createCallStatusPoller(intervalMs: number): StatusPoller {
  let last: string | undefined;
  return {
    path: HIKVISION_CALL_STATUS_PATH,
    intervalMs,
    read(text: string): VendorSignal[] {
      const status = parseCallStatus(text);
      if (status === undefined) throw new Error(`unreadable call status (${text.length} bytes)`);
      const previous = last;
      last = status;
      if (status === 'ring' && previous !== undefined && previous !== 'ring') return [{ kind: 'press', key: 'call-status' }];
      return [{ kind: 'other', what: `call status ${status}` }];
    },
    reset(): void {
      last = undefined;
    },
  };
}

export function createHikvisionDriver(opts: HikvisionOptions): VendorDriver {
  const hold = { channel: opts.channel, holdMs: opts.holdMs };
  return {
    vendor: 'hikvision',
    streamPath: HIKVISION_STREAM_PATH,
    defaultBoundary: 'boundary',
    idleTimeoutMs: opts.idleTimeoutMs ?? HIKVISION_DEFAULTS.idleTimeoutMs,
    // Snapshots (JPEG parts) are skipped unread, but they are large: allow skipping up to 4 MB.
    limits: { ...DEFAULT_MULTIPART_LIMITS, maxSkipBytes: 4 * 1024 * 1024 },
    wanted: isTextPart,
    parse(_headers: PartHeaders, body: Buffer): VendorSignal[] {
      const alert = parseHikvisionAlert(body.toString('utf8'));
      return alert ? classifyHikvisionAlert(alert, hold) : [];
    },
    createPoller: () => (opts.doorbell ? createCallStatusPoller(opts.pollIntervalMs ?? HIKVISION_DEFAULTS.pollIntervalMs) : undefined),
  };
}
