import { describe, expect, it } from 'vitest';
import type { CameraView } from '../../../src/core/ports.js';
import { configFilter, discoveryMessages, nodeId } from '../../../src/mqtt/ha-discovery.js';
import { topicMap } from '../../../src/mqtt/topics.js';

const cameras: CameraView[] = [
  { id: 'front-door', name: 'Front door', kind: 'doorbell', status: 'online' },
  { id: 'yard', name: 'Yard', kind: 'camera', status: 'privacy' },
];
const ctx = { discoveryPrefix: 'homeassistant', topics: topicMap('clipgate'), version: '1.2.3', cameras };
const messages = discoveryMessages(ctx);
const byTopic = new Map(messages.map((m) => [m.topic, m.payload]));

function payload(topic: string): Record<string, unknown> {
  const p = byTopic.get(topic);
  if (!p) throw new Error(`no discovery message on ${topic}; have ${[...byTopic.keys()].join(', ')}`);
  return p;
}

describe('discoveryMessages', () => {
  it('announces 3 bridge sensors, 6 doorbell entities and 5 camera entities', () => {
    expect(messages).toHaveLength(14);
    expect(messages.filter((m) => m.topic.includes('/front-door_'))).toHaveLength(6);
    expect(messages.filter((m) => m.topic.includes('/yard_'))).toHaveLength(5);
  });

  it('gives every entity a unique unique_id, a device, availability on <prefix>/status and default_entity_id', () => {
    const ids = messages.map((m) => m.payload.unique_id);
    expect(new Set(ids).size).toBe(messages.length);
    for (const { topic, payload: p } of messages) {
      expect(topic).toMatch(/^homeassistant\/(binary_sensor|event|image|switch|button|sensor)\/clipgate\/[a-z0-9_-]+\/config$/);
      const component = topic.split('/')[1];
      expect(p.availability).toEqual([{ topic: 'clipgate/status', payload_available: 'online', payload_not_available: 'offline' }]);
      const device = p.device as { identifiers?: unknown[]; name?: unknown };
      expect(device.identifiers).toHaveLength(1);
      expect(typeof device.name).toBe('string');
      expect(p.default_entity_id).toMatch(new RegExp(`^${component}\\.[a-z0-9_]+$`));
      expect(p).not.toHaveProperty('object_id');
      expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    }
  });

  it('links each camera device to the bridge device', () => {
    const bridge = payload('homeassistant/sensor/clipgate/bridge_pending_clips/config').device as Record<string, unknown>;
    const yard = payload('homeassistant/binary_sensor/clipgate/yard_motion/config').device as Record<string, unknown>;
    expect(bridge.identifiers).toEqual(['clipgate_bridge']);
    expect(bridge.sw_version).toBe('1.2.3');
    expect(yard).toMatchObject({ identifiers: ['clipgate_yard'], name: 'Yard', via_device: 'clipgate_bridge' });
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
    for (const key of ['pending_clips', 'open_requests', 'disk_free']) {
      expect(payload(`homeassistant/sensor/clipgate/bridge_${key}/config`).state_topic).toBe('clipgate/stats');
    }
  });

  it('announces the doorbell event entity only for doorbells', () => {
    expect(messages.some((m) => m.topic === 'homeassistant/event/clipgate/yard_doorbell/config')).toBe(false);
  });

  it('has no entity that commands anything but privacy and trigger', () => {
    const commands = messages.map((m) => m.payload.command_topic).filter((t) => t !== undefined);
    expect(commands.sort()).toEqual(['clipgate/front-door/privacy/set', 'clipgate/front-door/trigger/set', 'clipgate/yard/privacy/set', 'clipgate/yard/trigger/set']);
  });

  it('derives a valid node id from any topic prefix', () => {
    expect(nodeId('home/cams v2')).toBe('home_cams_v2');
    expect(configFilter({ discoveryPrefix: 'ha', topics: topicMap('home/cams') })).toBe('ha/+/home_cams/+/config');
  });
});
