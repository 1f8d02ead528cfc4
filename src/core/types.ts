/** Domain objects shared by every module; their shapes are the public API contract (README "HTTP API", docs/web.md). */

export type CameraStatus = 'online' | 'offline' | 'privacy';
/** Where a camera's own motion and doorbell events come from (config `cameras[].events`). */
export type EventSourceName = 'onvif' | 'hikvision' | 'dahua';
/**
 * A camera's event source as the owner sees it: `up` while events flow (or the stream is open),
 * `down` once it has failed for longer than its grace period, `fallback` when the camera has no
 * usable events and daemon-side detection took over, `stopped` when the daemon stops it.
 */
export type EventSourceState = 'starting' | 'up' | 'down' | 'fallback' | 'stopped';

/** The event source part of a camera view (API `GET /api/cameras`, MQTT `<camera>/events/state`). */
export interface CameraEvents {
  source: EventSourceName;
  state: EventSourceState;
  /** ISO time of the last state change. */
  since: string;
  /** The last failure, while down (or why it fell back). */
  lastError?: string;
}

/** What the camera said about itself (ONVIF GetDeviceInformation); every field is optional. */
export interface CameraDevice {
  manufacturer?: string;
  model?: string;
  firmwareVersion?: string;
  serialNumber?: string;
}
export type ClipStatus = 'pending' | 'approved' | 'rejected';
export type ClipTrigger = 'motion' | 'doorbell' | 'manual' | 'inbox' | 'detect';
export type ShareStatus = 'exporting' | 'queued' | 'uploading' | 'uploaded' | 'failed' | 'revoked';
export type LedgerAction = 'approved' | 'uploaded' | 'revoked' | 'deleted' | 'rejected';

export interface Clip {
  id: string;
  cameraId: string;
  status: ClipStatus;
  trigger: ClipTrigger;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  sizeBytes: number;
  width: number;
  height: number;
  hasAudio: boolean;
  sha256: string;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ShareOptions {
  stripAudio: boolean;
  trim?: { startMs: number; endMs: number };
  blur: Region[];
  caption?: string;
  requestId?: string;
}

export interface Share {
  id: string;
  clipId: string;
  status: ShareStatus;
  bytesSent: number;
  bytesTotal: number;
  sha256: string | null;
  remoteUrl?: string;
  requestId?: string;
  error?: string;
  createdAt: string;
  uploadedAt?: string;
}

/** What the owner can do with a share now; `delete` deletes the shared clip (DELETE /api/clips/:id). */
export type ShareAction = 'revoke' | 'retry' | 'delete';

/** A Share as the API and the event stream send it: with the actions its status allows (core/share-rules.ts). */
export interface ShareView extends Share {
  actions: ShareAction[];
}

export interface AssistanceRequest {
  id: string;
  agency: string;
  caseNumber: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  area: { latitude: number; longitude: number; radiusMeters: number } | null;
}

export interface LedgerEntry {
  seq: number;
  at: string;
  action: LedgerAction;
  clipId: string;
  shareId: string | null;
  sha256: string | null;
  exportSha256: string | null;
  requestId: string | null;
  options: unknown;
  prevHash: string;
  hash: string;
}

export type ProblemSeverity = 'info' | 'warning' | 'error';

/** Something the owner should see instead of the daemon crashing (cross-seed style). */
export interface Problem {
  id: string;
  severity: ProblemSeverity;
  summary: string;
  details?: string;
  since: string;
}
