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
export const CLIP_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ClipStatus = (typeof CLIP_STATUSES)[number];
/** What made a clip (API filter `trigger=`, the queue's trigger filter). */
export const CLIP_TRIGGERS = ['motion', 'doorbell', 'manual', 'inbox', 'detect'] as const;
export type ClipTrigger = (typeof CLIP_TRIGGERS)[number];
/**
 * exporting → ready (the owner previews the export) → Send → queued → uploading → uploaded; Cancel
 * before the platform acknowledged a byte ends in `cancelled`, after it in `revoked` (docs/review.md).
 */
export type ShareStatus = 'exporting' | 'ready' | 'queued' | 'uploading' | 'uploaded' | 'failed' | 'revoked' | 'cancelled';
/** `approved` is the owner's consent (Send), naming the export's SHA-256; `withdrawn` is consent taken back before a byte left. */
export type LedgerAction = 'approved' | 'uploaded' | 'withdrawn' | 'revoked' | 'deleted' | 'rejected';

/** What the on-device analysis labels a clip with (README "Detection models and licences"). */
export type ClipLabel = 'person' | 'vehicle' | 'animal' | 'other';
export const CLIP_LABELS: readonly ClipLabel[] = ['person', 'vehicle', 'animal', 'other'];
/** Best score per label, only labels at or above LABEL_THRESHOLD; a label not seen is absent. */
export type ClipLabels = Partial<Record<ClipLabel, number>>;
/** A label scored below this is not a label of the clip (not listed, not filtered on). */
export const LABEL_THRESHOLD = 0.5;
/**
 * Where a clip's analysis stands: `pending` (queued or running), `done`, `failed` (the file could
 * not be analysed) or `off` (detection was off or unavailable when the clip came).
 */
export type AnalysisState = 'pending' | 'done' | 'failed' | 'off';

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
  /** Labels from the on-device analysis (empty until analysed). */
  labels: ClipLabels;
  analysis: AnalysisState;
}

/** A face track's position at one analysed instant (t: seconds from the clip's start; box: fractions of the frame). */
export interface TrackKeyframeView {
  t: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A suggested face track of a clip (GET /api/clips/:id/analysis): the approve dialog draws and toggles these. */
export interface FaceTrackView {
  id: number;
  /** When the face is first and last seen, seconds from the clip's start. */
  start: number;
  end: number;
  scoreMax: number;
  keyframes: TrackKeyframeView[];
}

/** A clip's analysis as the API shows it: no paths, no model internals beyond their ids. */
export interface ClipAnalysisView {
  clipId: string;
  state: AnalysisState;
  /** Labels at or above LABEL_THRESHOLD, as on the Clip. */
  labels: ClipLabels;
  tracks: FaceTrackView[];
  /** Present once analysed. */
  analysedAt?: string;
  faceFps?: number;
  labelFps?: number;
  durationSec?: number;
  models?: { face: string; labels: string | null };
}

/** A face the verification pass still found in a redacted export: its time in the export (s), box (fractions), score. */
export interface FaceFinding {
  t: number;
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/**
 * The face check of a share's export, run before the owner is asked to Send: `clear` (no face at or
 * above the threshold), `faces` (some found: Send needs a blur for them or the owner's confirmation),
 * `failed` (the check could not run: Send needs the owner's confirmation) or `off` (detection off or
 * unavailable: no check).
 */
export interface ShareVerification {
  status: 'clear' | 'faces' | 'failed' | 'off';
  threshold: number;
  /** How many detections the check found (findings holds at most the strongest per half second, capped). */
  found: number;
  findings: FaceFinding[];
  /** Why the check could not run. */
  error?: string;
  /** When the owner confirmed sending with the findings (recorded in the `approved` ledger entry). */
  confirmedAt?: string;
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
  /** Face tracks of the clip's analysis blurred frame by frame (ids), and how many were suggested. */
  faces?: { tracks: number[]; suggested: number; analysedAt: string };
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
  /** Duration of the export, once it exists (the preview shows it). */
  durationMs?: number;
  /** What the export removes from the clip, in plain terms (the preview lists it; the ledger records it). */
  redaction: Redaction;
  /** The caption the owner wrote when approving: posted with the clip. */
  caption?: string;
  /** The face check of the export (once the export exists). */
  verification?: ShareVerification;
}

/** What a share's export takes out of the original clip; derived from the stored approval options. */
export interface Redaction {
  /** The audio track is removed (only true when the clip had audio). */
  audioRemoved: boolean;
  /** Areas blurred in every frame, the camera's privacy masks included. */
  blurredAreas: number;
  /** Of blurredAreas, how many are the camera's configured privacy masks. */
  privacyMasks: number;
  /** Faces blurred by a box that follows them frame by frame (accepted face tracks). */
  trackedFaces: number;
  /** The part of the clip that is kept; null when the whole clip is. */
  trim: { startMs: number; endMs: number } | null;
  /** Container and stream metadata, encoder tags and SEI are always removed. */
  metadataRemoved: true;
}

/**
 * What the owner can do with a share now: `send` (consent: POST /api/shares/:id/send), `cancel`
 * (withdraw: POST /api/shares/:id/cancel), `retry`, `revoke`, and `delete`, which deletes the
 * shared clip (DELETE /api/clips/:id).
 */
export type ShareAction = 'send' | 'cancel' | 'revoke' | 'retry' | 'delete';

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
  /** Base64 Ed25519 signature by the device key over the entry's hash (src/ledger/signing.ts). */
  signature: string;
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
