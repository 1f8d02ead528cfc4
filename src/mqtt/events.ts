import type { EventMap, EventName } from '../core/events.js';

/** A message on `<prefix>/events` (docs/mqtt.md): not retained, QoS 1. */
export interface EventMessage {
  type: EventName;
  clipId?: string;
  shareId?: string;
  cameraId?: string;
  at: string;
}

type Fields = Omit<EventMessage, 'type' | 'at'> & { at?: string };
type Mappers = { [K in EventName]?: (payload: EventMap[K]) => Fields };

/**
 * Which bus events become `<prefix>/events` messages, and with which ids. Left out on purpose:
 * share.progress (several per second during an upload), clip.trigger (internal), motion and
 * camera status (they have their own retained topics), stats.changed (retained `stats`).
 * Problems are announced by type only; their text can name hosts and paths.
 */
export const EVENT_MESSAGES: Mappers = {
  'doorbell.pressed': (e) => ({ cameraId: e.cameraId, at: e.at }),
  'clip.created': (e) => ({ clipId: e.clip.id, cameraId: e.clip.cameraId }),
  'clip.updated': (e) => ({ clipId: e.clip.id, cameraId: e.clip.cameraId }),
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

/** The message for a bus event, or undefined for events not published. */
export function eventMessage<K extends EventName>(event: K, payload: EventMap[K], now: string): EventMessage | undefined {
  const map = EVENT_MESSAGES[event];
  if (!map) return undefined;
  const { at, ...ids } = map(payload);
  return { type: event, ...ids, at: at ?? now };
}
