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

interface EntityRow<T> {
  component: Component;
  /** Object id suffix; stable, because HA keys its entity registry on the unique_id built from it. */
  key: string;
  name: string;
  /** Only announce for matching cameras (e.g. the doorbell event for doorbells). */
  applies?: (cam: CameraView) => boolean;
  fields: (topics: T) => Record<string, unknown>;
}

const CAMERA_ENTITIES: EntityRow<CameraTopics>[] = [
  {
    component: 'binary_sensor',
    key: 'motion',
    name: 'Motion',
    fields: (t) => ({ state_topic: t.motion, payload_on: 'ON', payload_off: 'OFF', device_class: 'motion' }),
  },
  {
    // HA event entities ignore retained messages (home-assistant.io/integrations/event.mqtt), so
    // the press is published unretained at QoS 1, and HA subscribes at QoS 1 too.
    component: 'event',
    key: 'doorbell',
    name: 'Doorbell',
    applies: (cam) => cam.kind === 'doorbell',
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

export interface DiscoveryContext {
  discoveryPrefix: string;
  topics: TopicMap;
  version: string;
  cameras: CameraView[];
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

export function discoveryMessages(ctx: DiscoveryContext): DiscoveryMessage[] {
  const node = nodeId(ctx.topics.prefix);
  const bridgeDevice = {
    identifiers: [`${node}_bridge`],
    name: ctx.topics.prefix === 'clipgate' ? 'clipgate' : `clipgate (${ctx.topics.prefix})`,
    manufacturer: 'clipgate',
    model: 'clipgate bridge',
    sw_version: ctx.version,
  };
  const out: DiscoveryMessage[] = [];
  const add = (row: Pick<EntityRow<unknown>, 'component' | 'name'>, objectId: string, device: Record<string, unknown>, fields: Record<string, unknown>): void => {
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
        availability: [{ topic: ctx.topics.status, payload_available: 'online', payload_not_available: 'offline' }],
        device,
        origin: { name: 'clipgate', sw_version: ctx.version },
      },
    });
  };
  for (const row of BRIDGE_ENTITIES) add(row, `${BRIDGE_OBJECT_PREFIX}${row.key}`, bridgeDevice, row.fields(ctx.topics));
  for (const cam of ctx.cameras) {
    const device = {
      identifiers: [`${node}_${cam.id}`],
      name: cam.name,
      manufacturer: 'clipgate',
      model: cam.kind === 'doorbell' ? 'Doorbell' : 'Camera',
      via_device: `${node}_bridge`,
    };
    const topics = ctx.topics.camera(cam.id);
    for (const row of CAMERA_ENTITIES) {
      if (row.applies && !row.applies(cam)) continue;
      add(row, `${cam.id}_${row.key}`, device, row.fields(topics));
    }
  }
  return out;
}
