import type { EventMap, EventName } from '../core/events.js';
import type { ClipLabels } from '../core/types.js';

/** A message on `<prefix>/events` (docs/mqtt.md): not retained, QoS 1. */
export interface EventMessage {
  type: EventName;
  clipId?: string;
  shareId?: string;
  cameraId?: string;
  at: string;
  /** The clip in the web UI (`<web.publicUrl>#/clips/<id>`), when web.publicUrl is set. */
  url?: string;
  /** For a new clip: the retained topic with the camera's snapshot (its thumbnail). */
  snapshotTopic?: string;
  /**
   * On clip messages: the clip's labels from the on-device analysis (best score per label, ≥ 0.5);
   * `{}` until analysed (`clip.analysed` follows). For automations only: nothing is ever shared or deleted by label.
   */
  labels?: ClipLabels;
}

/** What a message may point to beyond the event itself. */
export interface EventLinks {
  /** The clip's page in the UI, or undefined without web.publicUrl. */
  clipUrl(clipId: string): string | undefined;
  snapshotTopic(cameraId: string): string;
}

type Fields = Omit<EventMessage, 'type' | 'at'> & { at?: string };
type Mappers = { [K in EventName]?: (payload: EventMap[K], links: EventLinks) => Fields };

/**
 * Which bus events become `<prefix>/events` messages, and with which ids. Left out on purpose:
 * share.progress (several per second during an upload), clip.trigger (internal), motion and
 * camera status (they have their own retained topics), stats.changed (retained `stats`).
 * Problems are announced by type only; their text can name hosts and paths.
 */
export const EVENT_MESSAGES: Mappers = {
  'doorbell.pressed': (e) => ({ cameraId: e.cameraId, at: e.at }),
  // A notification for a new clip needs the picture and a way to open the clip.
  'clip.created': (e, links) => ({ clipId: e.clip.id, cameraId: e.clip.cameraId, snapshotTopic: links.snapshotTopic(e.clip.cameraId), labels: { ...e.clip.labels } }),
  'clip.updated': (e) => ({ clipId: e.clip.id, cameraId: e.clip.cameraId, labels: { ...e.clip.labels } }),
  'clip.analysed': (e) => ({ clipId: e.clip.id, cameraId: e.clip.cameraId, at: e.at, labels: { ...e.labels } }),
  'clip.deleted': (e) => ({ clipId: e.clipId, cameraId: e.cameraId, at: e.at }),
  'share.created': (e) => ({ shareId: e.share.id, clipId: e.share.clipId }),
  'share.updated': (e) => ({ shareId: e.share.id, clipId: e.share.clipId }),
  'share.uploaded': (e) => ({ shareId: e.share.id, clipId: e.share.clipId }),
  'share.revoked': (e) => ({ shareId: e.share.id, clipId: e.share.clipId }),
  'request.received': () => ({}),
  'problem.raised': () => ({}),
  'problem.cleared': () => ({}),
};

export const EVENT_NAMES = Object.keys(EVENT_MESSAGES) as EventName[];

/** The message for a bus event, or undefined for events not published. A deleted clip gets no link. */
export function eventMessage<K extends EventName>(event: K, payload: EventMap[K], now: string, links: EventLinks): EventMessage | undefined {
  const map = EVENT_MESSAGES[event];
  if (!map) return undefined;
  const { at, ...ids } = map(payload, links);
  const url = ids.clipId !== undefined && event !== 'clip.deleted' ? links.clipUrl(ids.clipId) : undefined;
  return { type: event, ...ids, at: at ?? now, ...(url !== undefined ? { url } : {}) };
}
