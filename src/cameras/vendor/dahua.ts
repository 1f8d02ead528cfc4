import { isTextPart, type VendorDriver } from './driver.js';
import { DEFAULT_MULTIPART_LIMITS, type PartHeaders } from './multipart.js';
import type { VendorSignal } from './state.js';

/**
 * Dahua event manager (also Amcrest, Lorex and other Dahua OEMs):
 * `GET /cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=5` answers
 * `multipart/x-mixed-replace; boundary=myboundary` with one text/plain part per event, e.g.
 * `Code=VideoMotion;action=Start;index=0`, newer firmware appending `;data={...}` JSON that can
 * span several lines, and a `Heartbeat` part every `heartbeat` seconds (Amcrest HTTP API SDK,
 * "Subscribe to Event Message"; multi-line data as reported in rroller/dahua#166 and
 * kushagharahi/homebridge-dahua-alerts#1). `index` is the 0-based channel.
 *
 * Doorbell presses differ by model, so several signals count, folded into one press per ring:
 * `_DoTalkAction_` with data Action=Invite (Amcrest AD110, dchesterton/amcrest2mqtt#68),
 * `CallNoAnswered` Start (AD410 on the press, AD110 when the ring times out; HA amcrest docs,
 * rroller/dahua#52), `PhoneCallDetect` Start and `Invite` (VTO intercoms), `BackKeyLight` with
 * State 1 or 2 (Dahua VTO, rroller/dahua#556).
 */
export const DAHUA_HEARTBEAT_SECONDS = 5;

/** Detectors that start and stop explicitly. */
const MOTION_CODES = new Set([
  'VideoMotion',
  'SmartMotionHuman',
  'SmartMotionVehicle',
  'CrossLineDetection',
  'CrossRegionDetection',
  'ProfileAlarmTransmit',
]);

/** Events sent as a single Pulse count as motion for this long. */
const PULSE_HOLD_MS = 5_000;

export type AlarmInputMeaning = 'motion' | 'doorbell' | 'ignore';

export interface DahuaOptions {
  /** 1-based channel; events of other channels (NVRs) are ignored. */
  channel: number;
  /** What the camera's alarm input (`AlarmLocal`) means: a PIR or wired sensor, the AD410's button, or nothing. */
  alarmInput: AlarmInputMeaning;
}

export interface DahuaEvent {
  code: string;
  action: string;
  index?: number;
  data?: Record<string, unknown>;
}

/** The events in one part body; `Heartbeat` gives none. Lines that are not events are ignored. */
export function parseDahuaBody(text: string): { heartbeat: boolean; events: DahuaEvent[] } {
  const events: DahuaEvent[] = [];
  let heartbeat = false;
  // One part normally holds one event; NVR firmware may put several, each starting a line with Code=.
  const records = text.split(/\r?\n(?=Code=)/);
  for (const record of records) {
    const trimmed = record.trim();
    if (trimmed === 'Heartbeat') heartbeat = true;
    else if (trimmed.startsWith('Code=')) {
      const event = parseRecord(trimmed);
      if (event) events.push(event);
    }
  }
  return { heartbeat, events };
}

function parseRecord(record: string): DahuaEvent | undefined {
  const dataAt = record.indexOf(';data=');
  const head = dataAt >= 0 ? record.slice(0, dataAt) : record;
  const fields = new Map<string, string>();
  for (const pair of head.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields.set(pair.slice(0, eq).trim().toLowerCase(), pair.slice(eq + 1).trim());
  }
  const code = fields.get('code');
  const action = fields.get('action');
  if (!code || !action) return undefined;
  const event: DahuaEvent = { code, action };
  const index = fields.get('index');
  if (index !== undefined && /^\d{1,4}$/.test(index)) event.index = Number(index);
  if (dataAt >= 0) {
    const data = parseData(record.slice(dataAt + 6));
    if (data) event.data = data;
  }
  return event;
}

function parseData(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Data that is not JSON (some firmware truncates it) does not make the event itself unreadable.
    return undefined;
  }
}

/** Maps one event to signals for the camera on `opts.channel`. */
export function classifyDahuaEvent(e: DahuaEvent, opts: DahuaOptions): VendorSignal[] {
  if (e.index !== undefined && e.index !== opts.channel - 1) return [{ kind: 'other', what: `${e.code} on channel ${e.index + 1}` }];
  const action = e.action.toLowerCase();
  const rule = typeof e.data?.Name === 'string' ? `:${e.data.Name.slice(0, 64)}` : '';
  const key = `${e.code}:${e.index ?? 0}${rule}`;
  if (MOTION_CODES.has(e.code) || (e.code === 'AlarmLocal' && opts.alarmInput === 'motion')) return motion(key, action, e);
  if (e.code === 'AlarmLocal' && opts.alarmInput === 'doorbell') return action === 'start' || action === 'pulse' ? [{ kind: 'press', key }] : [];
  const press = pressKey(e, action);
  if (press) return [{ kind: 'press', key: press }];
  return [{ kind: 'other', what: `${e.code} ${e.action}` }];
}

function motion(key: string, action: string, e: DahuaEvent): VendorSignal[] {
  if (action === 'start') return [{ kind: 'motion', key, active: true }];
  if (action === 'stop') return [{ kind: 'motion', key, active: false }];
  if (action === 'pulse') return [{ kind: 'motion', key, active: true, holdMs: PULSE_HOLD_MS }];
  return [{ kind: 'other', what: `${e.code} ${e.action}` }];
}

function pressKey(e: DahuaEvent, action: string): string | undefined {
  const started = action === 'start' || action === 'pulse';
  switch (e.code) {
    case '_DoTalkAction_':
      return e.data?.Action === 'Invite' ? 'invite' : undefined;
    case 'Invite':
      return started ? 'invite' : undefined;
    case 'CallNoAnswered':
      return action === 'start' ? 'call-no-answered' : undefined;
    case 'PhoneCallDetect':
      return action === 'start' ? 'phone-call' : undefined;
    case 'BackKeyLight': {
      const state = Number(e.data?.State);
      return state === 1 || state === 2 ? 'back-key-light' : undefined;
    }
    default:
      return undefined;
  }
}

export function dahuaStreamPath(heartbeatSeconds = DAHUA_HEARTBEAT_SECONDS): string {
  // The brackets stay literal: firmware matches `codes=[All]` textually (curl users pass -g for this).
  return `/cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=${heartbeatSeconds}`;
}

export function createDahuaDriver(opts: DahuaOptions & { heartbeatSeconds?: number }): VendorDriver {
  const heartbeat = opts.heartbeatSeconds ?? DAHUA_HEARTBEAT_SECONDS;
  return {
    vendor: 'dahua',
    streamPath: dahuaStreamPath(heartbeat),
    defaultBoundary: 'myboundary',
    // Two missed heartbeats: the connection is dead even if TCP has not noticed.
    idleTimeoutMs: 2 * heartbeat * 1000,
    limits: { ...DEFAULT_MULTIPART_LIMITS },
    wanted: isTextPart,
    parse(_headers: PartHeaders, body: Buffer): VendorSignal[] {
      const { heartbeat: beat, events } = parseDahuaBody(body.toString('utf8'));
      const signals: VendorSignal[] = beat ? [{ kind: 'heartbeat' }] : [];
      for (const e of events) signals.push(...classifyDahuaEvent(e, opts));
      return signals;
    },
  };
}
