/**
 * The MQTT topic map (docs/mqtt.md). Every topic the bridge publishes or listens on is built
 * here, so the contract lives in one place and the tests can assert on it.
 */

export interface CameraTopics {
  status: string;
  /** The camera's event source state (`starting|up|down|fallback|stopped`, or `none`), retained. */
  eventsState: string;
  motion: string;
  doorbell: string;
  snapshot: string;
  privacyState: string;
  privacySet: string;
  triggerSet: string;
}

export interface TopicMap {
  prefix: string;
  /** online | offline, retained; the last will. */
  status: string;
  /** {"pending","requests","diskFreeBytes"}, retained. */
  stats: string;
  /** JSON {type, clipId?, shareId?, cameraId?, at, url?, snapshotTopic?}, not retained. */
  events: string;
  camera(cameraId: string): CameraTopics;
  /** Subscriptions that receive every `.../set` command (known or not, so unknown ones can be logged). */
  commandFilters: string[];
}

export function topicMap(prefix: string): TopicMap {
  return {
    prefix,
    status: `${prefix}/status`,
    stats: `${prefix}/stats`,
    events: `${prefix}/events`,
    camera: (id) => ({
      status: `${prefix}/${id}/status`,
      eventsState: `${prefix}/${id}/events/state`,
      motion: `${prefix}/${id}/motion`,
      doorbell: `${prefix}/${id}/doorbell`,
      snapshot: `${prefix}/${id}/snapshot`,
      privacyState: `${prefix}/${id}/privacy/state`,
      privacySet: `${prefix}/${id}/privacy/set`,
      triggerSet: `${prefix}/${id}/trigger/set`,
    }),
    commandFilters: [`${prefix}/+/set`, `${prefix}/+/+/set`, `${prefix}/+/+/+/set`],
  };
}

export type Command =
  | { kind: 'privacy'; cameraId: string }
  | { kind: 'trigger'; cameraId: string }
  | { kind: 'unknown'; reason: string };

/**
 * What a message on a command topic asks for. Only privacy and trigger exist: approving, rejecting
 * or deleting clips is deliberately impossible over MQTT (the owner's consent is given in the web
 * UI or CLI, authenticated), so every other topic is `unknown`.
 */
export function parseCommand(prefix: string, topic: string): Command {
  if (!topic.startsWith(`${prefix}/`)) return { kind: 'unknown', reason: 'not under the topic prefix' };
  const parts = topic.slice(prefix.length + 1).split('/');
  const [cameraId, action, verb] = parts;
  if (parts.length !== 3 || !cameraId || verb !== 'set') return { kind: 'unknown', reason: 'not a command topic' };
  if (action === 'privacy') return { kind: 'privacy', cameraId };
  if (action === 'trigger') return { kind: 'trigger', cameraId };
  return { kind: 'unknown', reason: `no command "${action}"` };
}

/** `ON` / `OFF` (case-insensitive, surrounding whitespace ignored), else undefined. */
export function parseOnOff(payload: string): boolean | undefined {
  const p = payload.trim().toUpperCase();
  if (p === 'ON') return true;
  if (p === 'OFF') return false;
  return undefined;
}

export function onOff(value: boolean): 'ON' | 'OFF' {
  return value ? 'ON' : 'OFF';
}
