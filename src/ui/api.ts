import type { CameraView, LedgerKeyView, RequestView } from '../core/ports.js';
import type { Clip, LedgerEntry, Problem, Redaction, ShareAction, ShareView } from '../core/types.js';

/** A share as the API sends it: with the actions (`send`, `cancel`, `retry`, `revoke`, `delete`) its status allows now. */
export type Share = ShareView;
export type { CameraView, Clip, LedgerKeyView, Problem, Redaction, RequestView, ShareAction };
export type LedgerRow = Pick<LedgerEntry, 'seq' | 'at' | 'action' | 'clipId' | 'shareId' | 'sha256' | 'prevHash' | 'hash' | 'signature'> & { exportSha256?: string };
export interface SessionInfo {
  authenticated: boolean;
  csrfToken: string | null;
  setupRequired: boolean;
  /** Reached through Home Assistant's ingress: Home Assistant signed the owner in (no sign-out here). */
  ingress?: boolean;
}
export interface ClipPage {
  items: Clip[];
  nextCursor: string | null;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401 (session expired or revoked): the app shows the login page. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * Every URL the app asks for is relative to the page, never absolute: behind a prefixing proxy
 * (Home Assistant's ingress serves the app at /api/hassio_ingress/<token>/) `api/clips` reaches
 * this daemon where `/api/clips` would reach Home Assistant. Callers may write `/api/...`.
 */
export function apiUrl(path: string): string {
  return path.replace(/^\/+/, '');
}

/** JSON request to the API; state-changing requests carry the session's CSRF token. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const url = apiUrl(path);
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) {
    if (res.status === 401 && !url.startsWith('api/session') && !url.startsWith('api/setup')) onUnauthorized();
    throw new ApiError(res.status, data.error?.code ?? 'HTTP_' + res.status, data.error?.message ?? res.statusText);
  }
  return data as T;
}

export const getSession = (): Promise<SessionInfo> => api<SessionInfo>('GET', '/api/session');

/**
 * A page of clips as the queue asks for it. `from`/`to` are ISO instants (from inclusive, to
 * exclusive, on startedAt); `label` any of these labels (`person,vehicle`).
 */
export interface ClipQuery {
  status?: string;
  camera?: string;
  trigger?: string;
  from?: string;
  to?: string;
  label?: string;
  /** The queue's default view under review.hideUnlabelled. */
  hideUnlabelled?: boolean;
  limit?: number;
  cursor?: string | null;
}

export function clipsUrl(q: ClipQuery): string {
  const p = new URLSearchParams();
  if (q.status) p.set('status', q.status);
  if (q.camera) p.set('camera', q.camera);
  if (q.trigger) p.set('trigger', q.trigger);
  if (q.from) p.set('from', q.from);
  if (q.to) p.set('to', q.to);
  if (q.label) p.set('label', q.label);
  if (q.hideUnlabelled) p.set('hideUnlabelled', 'true');
  p.set('limit', String(q.limit ?? 24));
  if (q.cursor) p.set('cursor', q.cursor);
  return apiUrl(`/api/clips?${p.toString()}`);
}

/** A clip as the queue shows it (labels: what on-device analysis saw, `{}` until analysed). */
export type ClipView = Clip;

/** One id's outcome of a bulk reject or delete (POST /api/clips/reject, /api/clips/delete). */
export interface BulkResult {
  id: string;
  ok: boolean;
  status?: Clip['status'];
  error?: { code: string; message: string };
}

/** Bulk reject or delete; there is deliberately no bulk approve (consent is per clip). */
export const bulkUrl = (action: 'reject' | 'delete'): string => apiUrl(`/api/clips/${action}`);
export const rejectUrl = (id: string): string => apiUrl(`/api/clips/${encodeURIComponent(id)}/reject`);
export const triggerUrl = (cameraId: string): string => apiUrl(`/api/cameras/${encodeURIComponent(cameraId)}/trigger`);

export const clipUrl = (id: string): string => apiUrl(`/api/clips/${encodeURIComponent(id)}`);
export const videoUrl = (id: string): string => apiUrl(`/api/clips/${encodeURIComponent(id)}/video`);
export const thumbUrl = (id: string): string => apiUrl(`/api/clips/${encodeURIComponent(id)}/thumbnail`);
/** The redacted export of a share: the exact file Send uploads (HTTP Range, for the preview player). */
export const shareVideoUrl = (id: string): string => apiUrl(`/api/shares/${encodeURIComponent(id)}/video`);
export const shareUrl = (id: string): string => apiUrl(`/api/shares/${encodeURIComponent(id)}`);
/** POST target of a share action the server offers (`send`, `cancel`, `retry`, `revoke`). */
export const shareActionUrl = (id: string, action: 'send' | 'cancel' | 'retry' | 'revoke'): string => `${shareUrl(id)}/${action}`;
export const approveUrl = (clipId: string): string => apiUrl(`/api/clips/${encodeURIComponent(clipId)}/approve`);
/** The clip's on-device analysis: labels and suggested face tracks (GET). */
export const clipAnalysisUrl = (clipId: string): string => apiUrl(`/api/clips/${encodeURIComponent(clipId)}/analysis`);
/** Where on-device analysis stands, and review.hideUnlabelled for the queue's default view (GET). */
export const detectUrl = (): string => apiUrl('/api/detect');
