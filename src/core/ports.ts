import type { AssistanceRequest, CameraDevice, CameraEvents, CameraStatus, Clip, ClipAnalysisView, ClipTrigger, FaceFinding, LedgerEntry, Region, Share, ShareOptions } from './types.js';

/**
 * The interfaces the outward-facing layers (web API, MQTT bridge, CLI) use to reach the
 * services. app.ts wires the implementations in; web/ and mqtt/ never construct services.
 */

export interface CameraView {
  id: string;
  name: string;
  kind: 'doorbell' | 'camera';
  status: CameraStatus;
  lastError?: string;
  /** The camera's own event source; absent when it has none (`events: none`, RTSP-only cameras). */
  events?: CameraEvents;
  /** Identity the camera reported (ONVIF GetDeviceInformation), once it has been onboarded. */
  device?: CameraDevice;
}

export interface CameraControl {
  list(): CameraView[];
  get(id: string): CameraView | undefined;
  /** Privacy on: recording stops and the camera's cache is discarded; persisted. */
  setPrivacy(id: string, enabled: boolean): Promise<CameraView>;
  /** A manual clip; throws AppError CAMERA_NOT_FOUND / CAMERA_PRIVACY. */
  trigger(id: string, opts?: { seconds?: number; trigger?: ClipTrigger }): { eventId: string };
}

export interface ApproveInput {
  stripAudio?: boolean;
  trim?: { startMs: number; endMs: number };
  blur?: Region[];
  caption?: string;
  requestId?: string;
  /**
   * Face tracks of the clip's analysis to blur frame by frame (ids from GET /api/clips/:id/analysis).
   * Omitted: every suggested track; [] none.
   */
  tracks?: number[];
}

export interface ReviewControl {
  /**
   * Only a pending clip: prepares the share (exporting → ready). No consent is recorded yet;
   * with `send` (or `review.preview: false`) the export is sent as soon as it is done.
   */
  approve(clipId: string, input: ApproveInput, opts?: { send?: boolean }): Share;
  /**
   * Consent: a `ready` share's `approved` ledger entry (naming its export's SHA-256) and its queueing,
   * in one transaction. When the face check found faces (or could not run) it is refused with
   * FACES_REMAIN unless `confirmFaces` (the confirmation is recorded in the entry).
   */
  send(shareId: string, opts?: { confirmFaces?: boolean }): Share;
  reject(clipId: string): Clip;
  /** Removes files, keeps ledger entries, appends a `deleted` entry. */
  delete(clipId: string): void;
  /** A failed share: export again (export failed) or upload again (upload failed). */
  retry(shareId: string): Share;
  options(share: Share): ShareOptions;
}

export interface ShareControl {
  list(): Share[];
  get(id: string): Share | undefined;
  /**
   * Withdraw: before Send the export is deleted and nothing is recorded; after Send, until the
   * platform acknowledged a byte, the upload is stopped and `withdrawn` recorded; after that it
   * is a revocation.
   */
  cancel(id: string): Promise<Share>;
  revoke(id: string): Promise<Share>;
}

export interface RequestView extends AssistanceRequest {
  candidateClipIds: string[];
}

export interface RequestsControl {
  list(): RequestView[];
  openCount(): number;
}

export interface LedgerKeyView {
  algorithm: 'Ed25519';
  /** Raw 32-byte public key, base64 (the `deviceKey` every upload carries). */
  publicKey: string;
  /** Hex SHA-256 of the raw public key. */
  fingerprint: string;
}

export interface LedgerControl {
  list(): LedgerEntry[];
  verify(): Promise<{ ok: boolean; entries: number; firstBadSeq?: number; reason?: string }>;
  keyView(): LedgerKeyView;
}

/** Where on-device analysis stands (GET /api/detect). */
export interface AnalysisStatus {
  /** config detect.enabled */
  enabled: boolean;
  /** false once the models failed to load (the `detect` problem says why). */
  available: boolean;
  reason?: string;
  /** Clips waiting; the clip being analysed. */
  queued: number;
  current?: string;
  /** review.hideUnlabelled and detect.verifyThreshold, for the UI. */
  hideUnlabelled: boolean;
  verifyThreshold: number;
}

export interface AnalysisControl {
  status(): AnalysisStatus;
  /** Analyse this clip next (again, when it was). Throws CLIP_NOT_FOUND, CLIP_FILE_GONE, DETECT_UNAVAILABLE. */
  request(clipId: string): void;
  /** The clip's analysis (state, labels, tracks); throws CLIP_NOT_FOUND. */
  get(clipId: string): Promise<ClipAnalysisView>;
  /** Faces still found at ≥ detect.verifyThreshold in a file; null when detection is off or unavailable. */
  verify(file: string, opts: { fps: number; signal?: AbortSignal }): Promise<FaceFinding[] | null>;
}

export interface Stats {
  pending: number;
  requests: number;
  diskFreeBytes: number;
}

/** The interfaces the web API and the MQTT bridge reach the services through; App builds them from the feature factories. */
export interface Controls {
  cameras: CameraControl;
  review: ReviewControl;
  shares: ShareControl;
  ledger: LedgerControl;
  stats: () => Stats;
  /** Absent without a platform (outside the demo): no requests for assistance are polled. */
  requests?: RequestsControl;
  /** On-device analysis; absent only where an App was built without it (a CLI command). */
  analysis?: AnalysisControl;
}
