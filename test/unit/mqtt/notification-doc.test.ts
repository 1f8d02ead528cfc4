// The Home Assistant automation in docs/mqtt.md must match what clipgate publishes: the topic, the
// event type and fields it reads, and the image entity id it builds (rendered by real Jinja2).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { discoveryMessages } from '../../../src/mqtt/ha-discovery.js';
import { eventMessage } from '../../../src/mqtt/events.js';
import { topicMap } from '../../../src/mqtt/topics.js';
import type { Clip } from '../../../src/core/types.js';
import { renderHaTemplates } from '../../support/ha-availability.js';

interface Automation {
  triggers: { trigger: string; topic: string }[];
  conditions: { value_template: string }[];
  actions: ({ variables: Record<string, string> } | { action: string; data: { data: { image: string; url: string; actions: { action: string; uri: string }[] } } } | { delay: unknown })[];
}

const section = readFileSync('docs/mqtt.md', 'utf8').split('## Phone notification with the snapshot')[1] ?? '';
const automation = parse(/```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '') as Automation;

describe('docs/mqtt.md notification automation', () => {
  const topics = topicMap('clipgate');
  const clip = { id: 'c-42', cameraId: 'front-door' } as Clip;
  const message = eventMessage('clip.created', { clip }, '2026-11-29T12:00:00.000Z', { clipUrl: (id) => `http://pi:8080/#/clips/${id}`, snapshotTopic: (id) => topics.camera(id).snapshot });

  it('listens where clip events are published and reads fields they carry', () => {
    expect(automation.triggers).toEqual([{ trigger: 'mqtt', topic: topics.events }]);
    expect(automation.conditions[0]?.value_template).toContain(`'${message?.type}'`);
    const vars = automation.actions.find((a): a is { variables: Record<string, string> } => 'variables' in a)?.variables ?? {};
    expect(vars.camera).toContain('trigger.payload_json.cameraId');
    expect(vars.url).toContain('trigger.payload_json.url');
    expect(message).toHaveProperty('cameraId', 'front-door');
    expect(message).toHaveProperty('url', 'http://pi:8080/#/clips/c-42');
  });

  it("builds the image entity id clipgate suggests for the camera's last clip", async () => {
    const vars = automation.actions.find((a): a is { variables: Record<string, string> } => 'variables' in a)?.variables ?? {};
    const template = (vars.image_entity ?? '').replace(/\bcamera\b/, 'value');
    const [entityId] = await renderHaTemplates([{ template, value: 'front-door' }]);
    const image = discoveryMessages({ discoveryPrefix: 'homeassistant', topics, version: '1', cameras: [{ id: 'front-door', name: 'Front door', kind: 'camera', status: 'online' }] })
      .find((m) => m.topic.endsWith('/front-door_last_clip/config'));
    expect(entityId).toBe(image?.payload.default_entity_id);
  });

  it('opens the clip from the notification and its Open button', () => {
    const notify = automation.actions.find((a): a is Extract<Automation['actions'][number], { action: string }> => 'action' in a);
    expect(notify?.data.data.url).toBe('{{ url }}');
    expect(notify?.data.data.actions).toEqual([{ action: 'URI', title: 'Open', uri: '{{ url }}' }]);
    expect(notify?.data.data.image).toContain('entity_picture');
  });
});
