import type { CameraView, RequestView } from '../core/ports.js';
import { shareActions } from '../core/share-rules.js';
import { cleanLine } from '../core/text.js';
import type { LedgerEntry, Problem, Share, ShareView } from '../core/types.js';
import { toShare } from '../db/repos/shares.js';

/**
 * The API's objects, copied field by field: services may hand over richer records (local paths,
 * tus URLs, options), and nothing beyond the documented shapes (docs/web.md) may leave through the API or SSE.
 * Clips and shares go through the repositories' projections (toClip, toShare), so each shape is
 * copied in one place.
 */

/** Whether a clip is still there (not deleted); the clips repository is one. */
export interface ClipLookup {
  get(id: string): unknown;
}

/** The API's Share: the one public projection (toShare) plus the actions its status allows (core/share-rules.ts). */
export function shareView(s: Share, clips: ClipLookup): ShareView {
  return { ...toShare(s), actions: shareActions(s.status, clips.get(s.clipId) !== undefined) };
}

export function cameraView(c: CameraView): CameraView {
  const v: CameraView = { id: c.id, name: c.name, kind: c.kind, status: c.status };
  // Error text comes from ffmpeg or the camera itself: shown without control or bidi characters.
  if (c.lastError !== undefined) v.lastError = cleanLine(c.lastError);
  if (c.events) {
    const { source, state, since, lastError } = c.events;
    v.events = { source, state, since, ...(lastError !== undefined ? { lastError } : {}) };
  }
  if (c.device) {
    const { manufacturer, model, firmwareVersion, serialNumber } = c.device;
    v.device = {
      ...(manufacturer !== undefined && { manufacturer }),
      ...(model !== undefined && { model }),
      ...(firmwareVersion !== undefined && { firmwareVersion }),
      ...(serialNumber !== undefined && { serialNumber }),
    };
  }
  return v;
}

/** Problems quote what a peer said (a camera's fault string, a broker's refusal): cleaned like any peer text. */
export function problemView(p: Problem): Problem {
  const v: Problem = { id: p.id, severity: p.severity, summary: cleanLine(p.summary), since: p.since };
  if (p.details !== undefined) v.details = cleanLine(p.details);
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
  /** SHA-256 of the original clip. */
  sha256: string | null;
  /** SHA-256 of the shared (redacted) file, on entries about a share's export. */
  exportSha256?: string;
  prevHash: string;
  hash: string;
  signature: string;
}

export function ledgerView(e: LedgerEntry): LedgerView {
  const v: LedgerView = { seq: e.seq, at: e.at, action: e.action, clipId: e.clipId, shareId: e.shareId, sha256: e.sha256, prevHash: e.prevHash, hash: e.hash, signature: e.signature };
  if (e.exportSha256 !== null) v.exportSha256 = e.exportSha256;
  return v;
}
