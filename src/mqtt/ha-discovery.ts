import { uiLink } from '../core/links.js';
import type { CameraView } from '../core/ports.js';
import type { CameraTopics, TopicMap } from './topics.js';

/**
 * Home Assistant MQTT discovery, built from declarative entity tables: adding an entity is one
 * row, and every row gets the same unique_id, device, availability and origin treatment.
 *
 * Config topics are `<discovery prefix>/<component>/<node id>/<object id>/config`, the node id
 * derived from our topic prefix so two clipgate instances on one broker do not collide.
 */

export type Component = 'binary_sensor' | 'event' | 'image' | 'switch' | 'button' | 'sensor';

/**
 * What an entity's availability follows, besides the bridge (clipgate itself) being online:
 * - `bridge`: nothing else. The entity reports clipgate's own state about the camera (its
 *   status, the privacy setting, the last recorded clip), which stays true when the camera dies;
 * - `camera`: the camera's status: unavailable while it is `offline` (`privacy` is available:
 *   the camera is fine, clipgate is told not to record it);
 * - `events`: the camera's status and its event source: motion is not "clear" when the camera
 *   is dead or its event stream is `down`, it is unknown.
 */
type Follows = 'bridge' | 'camera' | 'events';

interface EntityRow<T> {
  component: Component;
  /** Object id suffix; stable, because HA keys its entity registry on the unique_id built from it. */
  key: string;
  name: string;
  /** Only announce for matching cameras (e.g. the doorbell event for doorbells). */
  applies?: (cam: CameraView) => boolean;
  follows?: Follows;
  fields: (topics: T) => Record<string, unknown>;
}

/** Event source states `<camera>/events/state` carries (`none`: the camera has no event source). */
export const EVENT_STATE_OPTIONS = ['starting', 'up', 'down', 'fallback', 'stopped', 'none'] as const;

const CAMERA_ENTITIES: EntityRow<CameraTopics>[] = [
  {
    component: 'binary_sensor',
    key: 'motion',
    name: 'Motion',
    follows: 'events',
    fields: (t) => ({ state_topic: t.motion, payload_on: 'ON', payload_off: 'OFF', device_class: 'motion' }),
  },
  {
    // HA event entities ignore retained messages (home-assistant.io/integrations/event.mqtt), so
    // the press is published unretained at QoS 1, and HA subscribes at QoS 1 too.
    component: 'event',
    key: 'doorbell',
    name: 'Doorbell',
    applies: (cam) => cam.kind === 'doorbell',
    follows: 'events',
    fields: (t) => ({ state_topic: t.doorbell, event_types: ['press'], device_class: 'doorbell', qos: 1 }),
  },
  {
    component: 'image',
    key: 'last_clip',
    name: 'Last clip',
    fields: (t) => ({ image_topic: t.snapshot, content_type: 'image/jpeg' }),
  },
  {
    component: 'switch',
    key: 'privacy',
    name: 'Privacy',
    fields: (t) => ({
      state_topic: t.privacyState,
      command_topic: t.privacySet,
      payload_on: 'ON',
      payload_off: 'OFF',
      state_on: 'ON',
      state_off: 'OFF',
      icon: 'mdi:eye-off',
    }),
  },
  {
    component: 'button',
    key: 'trigger',
    name: 'Record clip',
    follows: 'camera',
    fields: (t) => ({ command_topic: t.triggerSet, payload_press: 'PRESS', icon: 'mdi:record-rec' }),
  },
  {
    component: 'sensor',
    key: 'status',
    name: 'Status',
    fields: (t) => ({
      state_topic: t.status,
      device_class: 'enum',
      options: ['online', 'offline', 'privacy'],
      entity_category: 'diagnostic',
    }),
  },
  {
    component: 'sensor',
    key: 'event_source',
    name: 'Event source',
    fields: (t) => ({
      state_topic: t.eventsState,
      device_class: 'enum',
      options: [...EVENT_STATE_OPTIONS],
      entity_category: 'diagnostic',
      icon: 'mdi:motion-sensor',
    }),
  },
];

const BRIDGE_ENTITIES: EntityRow<TopicMap>[] = [
  {
    component: 'sensor',
    key: 'pending_clips',
    name: 'Pending clips',
    fields: (t) => ({ state_topic: t.stats, value_template: '{{ value_json.pending }}', state_class: 'measurement', icon: 'mdi:filmstrip-box' }),
  },
  {
    component: 'sensor',
    key: 'open_requests',
    name: 'Open requests',
    fields: (t) => ({ state_topic: t.stats, value_template: '{{ value_json.requests }}', state_class: 'measurement', icon: 'mdi:hand-wave' }),
  },
  {
    component: 'sensor',
    key: 'disk_free',
    name: 'Free disk',
    fields: (t) => ({
      state_topic: t.stats,
      value_template: '{{ value_json.diskFreeBytes }}',
      device_class: 'data_size',
      unit_of_measurement: 'B',
      suggested_unit_of_measurement: 'GB',
      state_class: 'measurement',
      entity_category: 'diagnostic',
    }),
  },
];

/**
 * Object ids: `<camera id>_<key>` for cameras, `bridge_<key>` for the bridge. Camera keys and bridge
 * keys never overlap, so even a camera called "bridge" cannot collide.
 */
const BRIDGE_OBJECT_PREFIX = 'bridge_';

/** HA compares the template's result with payload_available / payload_not_available. */
const CAMERA_AVAILABLE_TEMPLATE = "{{ 'offline' if value == 'offline' else 'online' }}";
const EVENTS_AVAILABLE_TEMPLATE = "{{ 'offline' if value == 'down' else 'online' }}";

export interface DiscoveryContext {
  discoveryPrefix: string;
  topics: TopicMap;
  version: string;
  cameras: CameraView[];
  /** `web.publicUrl`: the devices' configuration_url points into the UI when set. */
  publicUrl?: string | undefined;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** HA node ids allow [a-zA-Z0-9_-]; the topic prefix may hold anything but `#`, `+` and spaces. */
export function nodeId(topicPrefix: string): string {
  return topicPrefix.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** Subscription matching every config we may ever have announced (to find stale retained ones). */
export function configFilter(ctx: Pick<DiscoveryContext, 'discoveryPrefix' | 'topics'>): string {
  return `${ctx.discoveryPrefix}/+/${nodeId(ctx.topics.prefix)}/+/config`;
}

/**
 * Device identifiers: `<node>_bridge` for the bridge, `<node>_camera_<id>` for a camera, so a
 * camera with the id `bridge` is a device of its own. Cameras also keep the identifier of earlier
 * versions, `<node>_<id>` (never for `bridge`), so Home Assistant updates the device it already
 * has instead of creating a second one.
 */
export function deviceIdentifiers(node: string, cameraId?: string): string[] {
  if (cameraId === undefined) return [`${node}_bridge`];
  return cameraId === 'bridge' ? [`${node}_camera_${cameraId}`] : [`${node}_camera_${cameraId}`, `${node}_${cameraId}`];
}

function cameraDevice(node: string, cam: CameraView, publicUrl: string | undefined): Record<string, unknown> {
  const info = cam.device ?? {};
  const device: Record<string, unknown> = {
    identifiers: deviceIdentifiers(node, cam.id),
    name: cam.name,
    // Without the camera's own answer (RTSP-only cameras), only what the config says is known.
    model: info.model ?? (cam.kind === 'doorbell' ? 'Doorbell' : 'Camera'),
    via_device: deviceIdentifiers(node)[0],
  };
  if (info.manufacturer) device.manufacturer = info.manufacturer;
  if (info.firmwareVersion) device.sw_version = info.firmwareVersion;
  if (info.serialNumber) device.serial_number = info.serialNumber;
  const url = uiLink(publicUrl, 'cameras', cam.id);
  if (url) device.configuration_url = url;
  return device;
}

function availability(follows: Follows, bridge: TopicMap, cam: CameraTopics | undefined): Record<string, unknown> {
  const list: Record<string, string>[] = [{ topic: bridge.status, payload_available: 'online', payload_not_available: 'offline' }];
  if (cam && follows !== 'bridge') list.push({ topic: cam.status, value_template: CAMERA_AVAILABLE_TEMPLATE, payload_available: 'online', payload_not_available: 'offline' });
  if (cam && follows === 'events') list.push({ topic: cam.eventsState, value_template: EVENTS_AVAILABLE_TEMPLATE, payload_available: 'online', payload_not_available: 'offline' });
  return list.length > 1 ? { availability: list, availability_mode: 'all' } : { availability: list };
}

export function discoveryMessages(ctx: DiscoveryContext): DiscoveryMessage[] {
  const node = nodeId(ctx.topics.prefix);
  const bridgeDevice: Record<string, unknown> = {
    identifiers: deviceIdentifiers(node),
    name: ctx.topics.prefix === 'clipgate' ? 'clipgate' : `clipgate (${ctx.topics.prefix})`,
    manufacturer: 'clipgate',
    model: 'clipgate bridge',
    sw_version: ctx.version,
  };
  const home = uiLink(ctx.publicUrl);
  if (home) bridgeDevice.configuration_url = home;
  const out: DiscoveryMessage[] = [];
  const add = (row: EntityRow<never>, objectId: string, device: Record<string, unknown>, fields: Record<string, unknown>, cam?: CameraTopics): void => {
    const uniqueId = `${node}_${objectId}`;
    out.push({
      topic: `${ctx.discoveryPrefix}/${row.component}/${node}/${objectId}/config`,
      payload: {
        name: row.name,
        unique_id: uniqueId,
        // `default_entity_id` (domain.slug) replaces `object_id`, deprecated since HA 2025.10 and
        // ignored from 2026.4.
        default_entity_id: `${row.component}.${uniqueId.replace(/-/g, '_')}`,
        ...fields,
        ...availability(row.follows ?? 'bridge', ctx.topics, cam),
        device,
        origin: { name: 'clipgate', sw_version: ctx.version },
      },
    });
  };
  for (const row of BRIDGE_ENTITIES) add(row, `${BRIDGE_OBJECT_PREFIX}${row.key}`, bridgeDevice, row.fields(ctx.topics));
  for (const cam of ctx.cameras) {
    const device = cameraDevice(node, cam, ctx.publicUrl);
    const topics = ctx.topics.camera(cam.id);
    for (const row of CAMERA_ENTITIES) {
      if (row.applies && !row.applies(cam)) continue;
      add(row, `${cam.id}_${row.key}`, device, row.fields(topics), topics);
    }
  }
  return out;
}
