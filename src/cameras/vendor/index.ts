import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { Problems } from '../../core/problems.js';
import type { EventSourceStatus } from '../types.js';
import type { Backoff } from './backoff.js';
import { createDahuaDriver, type AlarmInputMeaning } from './dahua.js';
import type { VendorDriver, VendorName } from './driver.js';
import { createHikvisionDriver, HIKVISION_DEFAULTS } from './hikvision.js';
import { VendorEventSource } from './source.js';

export { VendorEventSource, type VendorEventSourceDeps } from './source.js';
export { VENDOR_ERROR_CODES, VendorError, type VendorErrorCode } from './errors.js';
export type { Backoff } from './backoff.js';
export type { AlarmInputMeaning } from './dahua.js';
export type { VendorName } from './driver.js';

/** What one camera's vendor event source needs, resolved from its config entry. */
export interface VendorCameraSettings {
  id: string;
  kind: 'camera' | 'doorbell';
  vendor: VendorName;
  host: string;
  /** Default 80, or 443 with https. */
  port?: number;
  https?: boolean;
  username: string;
  password: string;
  /** 1-based channel on an NVR or a multi-sensor camera (default 1). */
  channel?: number;
  /** Dahua: what the alarm input (`AlarmLocal`) means (default motion). */
  alarmInput?: AlarmInputMeaning;
}

/** The parts of a camera's config entry a vendor source reads (structural, so it fits the schema as extended). */
export interface VendorCameraConfig {
  id: string;
  kind: 'camera' | 'doorbell';
  onvif?: { host: string; username?: string | undefined; password?: string | undefined } | undefined;
  vendor?:
    | {
        host?: string | undefined;
        port?: number | undefined;
        https?: boolean | undefined;
        username?: string | undefined;
        password?: string | undefined;
        channel?: number | undefined;
        alarmInput?: AlarmInputMeaning | undefined;
      }
    | undefined;
}

/**
 * Settings for `events: hikvision | dahua`: the vendor block where given, else the camera's
 * ONVIF host and account. Returns a reason instead when something needed is missing.
 */
export function vendorSettingsFromCamera(cam: VendorCameraConfig, vendor: VendorName): VendorCameraSettings | { missing: string } {
  const v = cam.vendor ?? {};
  const host = v.host ?? cam.onvif?.host;
  const username = v.username ?? cam.onvif?.username;
  const password = v.password ?? cam.onvif?.password;
  if (!host) return { missing: 'vendor.host (or onvif.host)' };
  if (username === undefined || password === undefined) return { missing: 'vendor.username and vendor.password (or the onvif ones)' };
  const settings: VendorCameraSettings = { id: cam.id, kind: cam.kind, vendor, host, username, password };
  if (v.port !== undefined) settings.port = v.port;
  if (v.https !== undefined) settings.https = v.https;
  if (v.channel !== undefined) settings.channel = v.channel;
  if (v.alarmInput !== undefined) settings.alarmInput = v.alarmInput;
  return settings;
}

export interface VendorSourceDeps {
  bus: EventBus;
  log: Logger;
  clock: Clock;
  problems: Problems;
  backoff?: Backoff;
  /** Told on every change of the source's state (for the camera registry and status). */
  onStatus?: (status: EventSourceStatus) => void;
}

export function vendorDriver(s: VendorCameraSettings): VendorDriver {
  const channel = s.channel ?? 1;
  if (s.vendor === 'hikvision') return createHikvisionDriver({ channel, holdMs: HIKVISION_DEFAULTS.holdMs, doorbell: s.kind === 'doorbell' });
  return createDahuaDriver({ channel, alarmInput: s.alarmInput ?? 'motion' });
}

/** The one factory the app, the CLI and the tests use; does no I/O until started. */
export function createVendorEventSource(s: VendorCameraSettings, deps: VendorSourceDeps): VendorEventSource {
  const https = s.https ?? false;
  return new VendorEventSource({
    cameraId: s.id,
    endpoint: { host: s.host, port: s.port ?? (https ? 443 : 80), https, username: s.username, password: s.password },
    driver: vendorDriver(s),
    bus: deps.bus,
    log: deps.log.child({ module: `${s.vendor}-events`, camera: s.id }),
    clock: deps.clock,
    problems: deps.problems,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    ...(deps.onStatus ? { onStatus: deps.onStatus } : {}),
  });
}
