import { describe, expect, it } from 'vitest';
import type { CameraView } from '../../../src/core/ports.js';
import { configFilter, deviceIdentifiers, discoveryMessages, nodeId } from '../../../src/mqtt/ha-discovery.js';
import { topicMap } from '../../../src/mqtt/topics.js';

const cameras: CameraView[] = [
  {
    id: 'front-door',
    name: 'Front door',
    kind: 'doorbell',
    status: 'online',
    events: { source: 'dahua', state: 'up', since: '2026-11-29T12:00:00.000Z' },
    device: { manufacturer: 'Amcrest', model: 'AD410', firmwareVersion: '1.000.0000000.7.R', serialNumber: '9B0123PAZ' },
  },
  { id: 'yard', name: 'Yard', kind: 'camera', status: 'privacy' },
  { id: 'bridge', name: 'Bridge cam', kind: 'camera', status: 'online' },
];
const ctx = { discoveryPrefix: 'homeassistant', topics: topicMap('clipgate'), version: '1.2.3', cameras, publicUrl: 'http://clipgate.lan:8080' };
const messages = discoveryMessages(ctx);
const byTopic = new Map(messages.map((m) => [m.topic, m.payload]));

function payload(topic: string): Record<string, unknown> {
  const p = byTopic.get(topic);
  if (!p) throw new Error(`no discovery message on ${topic}; have ${[...byTopic.keys()].join(', ')}`);
  return p;
}

const BRIDGE_AVAILABLE = { topic: 'clipgate/status', payload_available: 'online', payload_not_available: 'offline' };
const cameraAvailable = (id: string) => ({ topic: `clipgate/${id}/status`, value_template: "{{ 'offline' if value == 'offline' else 'online' }}", payload_available: 'online', payload_not_available: 'offline' });
const eventsAvailable = (id: string) => ({ topic: `clipgate/${id}/events/state`, value_template: "{{ 'offline' if value == 'down' else 'online' }}", payload_available: 'online', payload_not_available: 'offline' });

describe('discoveryMessages', () => {
  it('announces 3 bridge sensors, 7 doorbell entities and 6 per camera', () => {
    expect(messages).toHaveLength(3 + 7 + 6 + 6);
    expect(messages.filter((m) => m.topic.includes('/front-door_'))).toHaveLength(7);
    expect(messages.filter((m) => m.topic.includes('/yard_'))).toHaveLength(6);
  });

  it('gives every entity a unique unique_id, a device and default_entity_id, and keeps the unique_ids of earlier versions', () => {
    const ids = messages.map((m) => m.payload.unique_id);
    expect(new Set(ids).size).toBe(messages.length);
    expect(ids).toEqual(expect.arrayContaining(['clipgate_front-door_motion', 'clipgate_yard_privacy', 'clipgate_bridge_pending_clips', 'clipgate_bridge_motion']));
    for (const { topic, payload: p } of messages) {
      expect(topic).toMatch(/^homeassistant\/(binary_sensor|event|image|switch|button|sensor)\/clipgate\/[a-z0-9_-]+\/config$/);
      const component = topic.split('/')[1];
      const device = p.device as { identifiers?: unknown[]; name?: unknown };
      expect(typeof device.name).toBe('string');
      expect(p.default_entity_id).toMatch(new RegExp(`^${component}\\.[a-z0-9_]+$`));
      expect(p).not.toHaveProperty('object_id');
      expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    }
  });

  it('live camera entities follow the bridge AND the camera (and motion its event source); clipgate-side ones only the bridge', () => {
    const availability = (key: string, id = 'front-door'): unknown => {
      const m = messages.find((x) => x.topic.endsWith(`/${id}_${key}/config`));
      return m && { list: m.payload.availability, mode: m.payload.availability_mode };
    };
    expect(availability('motion')).toEqual({ list: [BRIDGE_AVAILABLE, cameraAvailable('front-door'), eventsAvailable('front-door')], mode: 'all' });
    expect(availability('doorbell')).toEqual({ list: [BRIDGE_AVAILABLE, cameraAvailable('front-door'), eventsAvailable('front-door')], mode: 'all' });
    expect(availability('trigger', 'yard')).toEqual({ list: [BRIDGE_AVAILABLE, cameraAvailable('yard')], mode: 'all' });
    for (const key of ['last_clip', 'privacy', 'status', 'event_source']) expect(availability(key, 'yard')).toEqual({ list: [BRIDGE_AVAILABLE], mode: undefined });
    expect(payload('homeassistant/sensor/clipgate/bridge_pending_clips/config').availability).toEqual([BRIDGE_AVAILABLE]);
  });

  it('camera devices carry what the camera reported, link to the bridge and to their page in the UI', () => {
    const bridge = payload('homeassistant/sensor/clipgate/bridge_pending_clips/config').device as Record<string, unknown>;
    expect(bridge).toEqual({ identifiers: ['clipgate_bridge'], name: 'clipgate', manufacturer: 'clipgate', model: 'clipgate bridge', sw_version: '1.2.3', configuration_url: 'http://clipgate.lan:8080/' });
    expect(payload('homeassistant/binary_sensor/clipgate/front-door_motion/config').device).toEqual({
      identifiers: ['clipgate_camera_front-door', 'clipgate_front-door'],
      name: 'Front door',
      manufacturer: 'Amcrest',
      model: 'AD410',
      sw_version: '1.000.0000000.7.R',
      serial_number: '9B0123PAZ',
      via_device: 'clipgate_bridge',
      configuration_url: 'http://clipgate.lan:8080/#/cameras/front-door',
    });
    // Nothing reported (an RTSP camera): no invented manufacturer.
    expect(payload('homeassistant/binary_sensor/clipgate/yard_motion/config').device).toEqual({
      identifiers: ['clipgate_camera_yard', 'clipgate_yard'],
      name: 'Yard',
      model: 'Camera',
      via_device: 'clipgate_bridge',
      configuration_url: 'http://clipgate.lan:8080/#/cameras/yard',
    });
  });

  it('a camera with the id "bridge" is a device of its own', () => {
    const cam = payload('homeassistant/binary_sensor/clipgate/bridge_motion/config').device as { identifiers: string[] };
    expect(cam.identifiers).toEqual(['clipgate_camera_bridge']);
    const all = messages.flatMap((m) => (m.payload.device as { identifiers: string[] }).identifiers);
    const bridgeOwners = new Set(messages.filter((m) => (m.payload.device as { identifiers: string[] }).identifiers.includes('clipgate_bridge')).map((m) => (m.payload.device as { name: string }).name));
    expect(bridgeOwners).toEqual(new Set(['clipgate']));
    expect(all).toContain('clipgate_camera_bridge');
    expect(deviceIdentifiers('x')).toEqual(['x_bridge']);
  });

  it('without web.publicUrl no configuration_url is announced', () => {
    const plain = discoveryMessages({ ...ctx, publicUrl: undefined });
    expect(plain.some((m) => 'configuration_url' in (m.payload.device as object))).toBe(false);
  });

  it('points every entity at the right topics', () => {
    expect(payload('homeassistant/binary_sensor/clipgate/front-door_motion/config')).toMatchObject({
      state_topic: 'clipgate/front-door/motion',
      payload_on: 'ON',
      payload_off: 'OFF',
      device_class: 'motion',
    });
    expect(payload('homeassistant/event/clipgate/front-door_doorbell/config')).toMatchObject({
      state_topic: 'clipgate/front-door/doorbell',
      event_types: ['press'],
    });
    expect(payload('homeassistant/image/clipgate/yard_last_clip/config')).toMatchObject({ image_topic: 'clipgate/yard/snapshot', content_type: 'image/jpeg' });
    expect(payload('homeassistant/switch/clipgate/yard_privacy/config')).toMatchObject({
      state_topic: 'clipgate/yard/privacy/state',
      command_topic: 'clipgate/yard/privacy/set',
    });
    expect(payload('homeassistant/button/clipgate/yard_trigger/config')).toMatchObject({ command_topic: 'clipgate/yard/trigger/set', payload_press: 'PRESS' });
    expect(payload('homeassistant/sensor/clipgate/yard_status/config')).toMatchObject({ state_topic: 'clipgate/yard/status', options: ['online', 'offline', 'privacy'] });
    expect(payload('homeassistant/sensor/clipgate/yard_event_source/config')).toMatchObject({
      state_topic: 'clipgate/yard/events/state',
      options: ['starting', 'up', 'down', 'fallback', 'stopped', 'none'],
      entity_category: 'diagnostic',
    });
    for (const key of ['pending_clips', 'open_requests', 'disk_free']) {
      expect(payload(`homeassistant/sensor/clipgate/bridge_${key}/config`).state_topic).toBe('clipgate/stats');
    }
  });

  it('announces the doorbell event entity only for doorbells', () => {
    expect(messages.some((m) => m.topic === 'homeassistant/event/clipgate/yard_doorbell/config')).toBe(false);
  });

  it('has no entity that commands anything but privacy and trigger', () => {
    const commands = messages.map((m) => m.payload.command_topic).filter((t) => t !== undefined);
    expect(commands.sort()).toEqual([
      'clipgate/bridge/privacy/set',
      'clipgate/bridge/trigger/set',
      'clipgate/front-door/privacy/set',
      'clipgate/front-door/trigger/set',
      'clipgate/yard/privacy/set',
      'clipgate/yard/trigger/set',
    ]);
  });

  it('derives a valid node id from any topic prefix', () => {
    expect(nodeId('home/cams v2')).toBe('home_cams_v2');
    expect(configFilter({ discoveryPrefix: 'ha', topics: topicMap('home/cams') })).toBe('ha/+/home_cams/+/config');
  });
});
