import type { AssistanceRequest, CameraDevice, CameraEvents, CameraStatus, Clip, ClipTrigger, LedgerEntry, Region, Share, ShareOptions } from './types.js';

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
}

export interface ReviewControl {
  /** Only a pending clip; creates the Share and its ledger entry atomically. */
  approve(clipId: string, input: ApproveInput): Share;
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
  revoke(id: string): Promise<Share>;
}

export interface RequestView extends AssistanceRequest {
  candidateClipIds: string[];
}

export interface RequestsControl {
  list(): RequestView[];
  openCount(): number;
}

export interface LedgerControl {
  list(): LedgerEntry[];
  verify(): { ok: boolean; entries: number; firstBadSeq?: number };
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
}
