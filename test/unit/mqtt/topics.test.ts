import { describe, expect, it } from 'vitest';
import { parseCommand, parseOnOff, topicMap } from '../../../src/mqtt/topics.js';

describe('topicMap', () => {
  it('builds exactly the topics of docs/mqtt.md', () => {
    const t = topicMap('clipgate');
    expect([t.status, t.stats, t.events]).toEqual(['clipgate/status', 'clipgate/stats', 'clipgate/events']);
    expect(t.camera('front-door')).toEqual({
      status: 'clipgate/front-door/status',
      eventsState: 'clipgate/front-door/events/state',
      motion: 'clipgate/front-door/motion',
      doorbell: 'clipgate/front-door/doorbell',
      snapshot: 'clipgate/front-door/snapshot',
      privacyState: 'clipgate/front-door/privacy/state',
      privacySet: 'clipgate/front-door/privacy/set',
      triggerSet: 'clipgate/front-door/trigger/set',
    });
  });

  it('follows a custom prefix', () => {
    expect(topicMap('home/cams').camera('yard').privacySet).toBe('home/cams/yard/privacy/set');
  });
});

describe('parseCommand', () => {
  it.each([
    ['clipgate/yard/privacy/set', { kind: 'privacy', cameraId: 'yard' }],
    ['clipgate/yard/trigger/set', { kind: 'trigger', cameraId: 'yard' }],
  ])('%s', (topic, expected) => {
    expect(parseCommand('clipgate', topic)).toEqual(expected);
  });

  it.each([
    'clipgate/yard/approve/set',
    'clipgate/clips/approve/set',
    'clipgate/approve/set',
    'clipgate/yard/privacy/state',
    'clipgate/yard/clip/approve/set',
    'other/yard/privacy/set',
  ])('%s is not a command', (topic) => {
    expect(parseCommand('clipgate', topic).kind).toBe('unknown');
  });

  it('works with a multi-level prefix', () => {
    expect(parseCommand('home/cams', 'home/cams/yard/trigger/set')).toEqual({ kind: 'trigger', cameraId: 'yard' });
  });
});

describe('parseOnOff', () => {
  it.each([
    ['ON', true],
    [' off\n', false],
    ['on', true],
    ['1', undefined],
    ['', undefined],
  ])('%j → %s', (payload, expected) => {
    expect(parseOnOff(payload)).toBe(expected);
  });
});
