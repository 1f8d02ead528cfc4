import type { CameraView, RequestView } from '../core/ports.js';
import type { Clip, LedgerEntry, Share } from '../core/types.js';

/**
 * The API's objects, copied field by field: services may hand over richer records (local paths,
 * tus URLs, options), and nothing beyond the DESIGN.md shapes may leave through the API or SSE.
 */

export function clipView(c: Clip): Clip {
  return {
    id: c.id, cameraId: c.cameraId, status: c.status, trigger: c.trigger, startedAt: c.startedAt, endedAt: c.endedAt,
    durationMs: c.durationMs, sizeBytes: c.sizeBytes, width: c.width, height: c.height, hasAudio: c.hasAudio, sha256: c.sha256,
  };
}

export function shareView(s: Share): Share {
  const v: Share = {
    id: s.id, clipId: s.clipId, status: s.status, bytesSent: s.bytesSent, bytesTotal: s.bytesTotal, sha256: s.sha256, createdAt: s.createdAt,
  };
  if (s.remoteUrl !== undefined) v.remoteUrl = s.remoteUrl;
  if (s.requestId !== undefined) v.requestId = s.requestId;
  if (s.error !== undefined) v.error = s.error;
  if (s.uploadedAt !== undefined) v.uploadedAt = s.uploadedAt;
  return v;
}

export function cameraView(c: CameraView): CameraView {
  const v: CameraView = { id: c.id, name: c.name, kind: c.kind, status: c.status };
  if (c.lastError !== undefined) v.lastError = c.lastError;
  return v;
}

export function requestView(r: RequestView): RequestView {
  return {
    id: r.id, agency: r.agency, caseNumber: r.caseNumber, title: r.title, description: r.description, startsAt: r.startsAt,
    endsAt: r.endsAt, area: r.area && { latitude: r.area.latitude, longitude: r.area.longitude, radiusMeters: r.area.radiusMeters },
    candidateClipIds: [...r.candidateClipIds],
  };
}

export interface LedgerView {
  seq: number;
  at: string;
  action: LedgerEntry['action'];
  clipId: string;
  shareId: string | null;
  sha256: string | null;
  prevHash: string;
  hash: string;
}

export function ledgerView(e: LedgerEntry): LedgerView {
  return { seq: e.seq, at: e.at, action: e.action, clipId: e.clipId, shareId: e.shareId, sha256: e.sha256, prevHash: e.prevHash, hash: e.hash };
}
