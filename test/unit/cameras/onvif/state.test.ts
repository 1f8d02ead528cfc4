import { describe, expect, it } from 'vitest';
import type { EventMessage } from '../../../../src/cameras/onvif/pullpoint.js';
import { OnvifEventState } from '../../../../src/cameras/onvif/state.js';
import { topicRules } from '../../../../src/cameras/onvif/topics.js';

const msg = (topic: string, value: string, extra: Partial<EventMessage> = {}): EventMessage => ({ topic, source: { Source: '000' }, data: { State: value, IsMotion: value }, ...extra });
const MOTION = 'tns1:RuleEngine/CellMotionDetector/Motion';
const PEOPLE = 'tns1:RuleEngine/MyRuleDetector/PeopleDetect';
const VISITOR = 'tns1:RuleEngine/MyRuleDetector/Visitor';

describe('ONVIF event state', () => {
  it('motion is active while any motion topic is active', () => {
    const s = new OnvifEventState(topicRules());
    expect(s.apply([msg(MOTION, 'true', { utcMs: 1000 })])).toEqual({ motion: true, motionAt: 1000, presses: [] });
    expect(s.apply([msg(PEOPLE, 'true')]).motion).toBeUndefined();
    expect(s.apply([msg(MOTION, 'false')]).motion).toBeUndefined();
    expect(s.apply([msg(PEOPLE, 'false')]).motion).toBe(false);
  });

  it('keeps sources apart', () => {
    const s = new OnvifEventState(topicRules());
    s.apply([msg(MOTION, 'true', { source: { VideoSource: '1' } })]);
    expect(s.apply([msg(MOTION, 'false', { source: { VideoSource: '2' } })]).motion).toBeUndefined();
    expect(s.motionActive).toBe(true);
  });

  it('a doorbell press fires once per press, not for the Initialized state or the release', () => {
    let now = 0;
    const s = new OnvifEventState(topicRules(), () => now);
    expect(s.apply([msg(VISITOR, 'true', { operation: 'Initialized' })]).presses).toEqual([]);
    expect(s.apply([msg(VISITOR, 'false')]).presses).toEqual([]);
    expect(s.apply([msg(VISITOR, 'true', { utcMs: 5 })]).presses).toEqual([5]);
    now = 1000;
    expect(s.apply([msg(VISITOR, 'true')]).presses).toHaveLength(0);
    now = 4500;
    // Cameras that only send "true" pulses: a later true is a new press.
    expect(s.apply([msg(VISITOR, 'true')]).presses).toHaveLength(1);
    expect(s.apply([msg(VISITOR, 'false'), msg(VISITOR, 'true')]).presses).toHaveLength(1);
  });

  it('ignores unknown topics and unparsable values; reset ends active motion', () => {
    const s = new OnvifEventState(topicRules());
    expect(s.apply([msg('tns1:Monitoring/ProcessorUsage', 'true'), msg(MOTION, 'maybe')]).motion).toBeUndefined();
    s.apply([msg(MOTION, '1')]);
    expect(s.reset().motion).toBe(false);
    expect(s.reset().motion).toBeUndefined();
  });

  it('a new subscription keeps motion until the camera re-reports it; what it does not re-report ends', () => {
    const s = new OnvifEventState(topicRules());
    s.apply([msg(MOTION, 'true'), msg(PEOPLE, 'true')]);
    s.beginResync();
    expect(s.resyncing).toBe(true);
    // Initialized: cell motion still on, people not mentioned.
    expect(s.apply([msg(MOTION, 'true', { operation: 'Initialized' })]).motion).toBeUndefined();
    expect(s.endResync().motion).toBeUndefined();
    expect(s.motionActive).toBe(true);
    s.beginResync();
    expect(s.apply([]).motion).toBeUndefined();
    // The camera did not re-report the motion at all: it is over.
    expect(s.endResync().motion).toBe(false);
    expect(s.resyncing).toBe(false);
  });

  it('Initialized false after a re-subscription turns motion off at once', () => {
    const s = new OnvifEventState(topicRules());
    s.apply([msg(MOTION, 'true')]);
    s.beginResync();
    expect(s.apply([msg(MOTION, 'false', { operation: 'Initialized' })]).motion).toBe(false);
    expect(s.resyncing).toBe(false);
  });

  it('a camera inventing new sources forever cannot grow the state without bound', () => {
    const s = new OnvifEventState(topicRules());
    for (let i = 0; i < 10_000; i += 1) s.apply([msg(MOTION, 'false', { source: { Source: String(i) } })]);
    // Keys past the cap are ignored: a new source turning on is not tracked any more.
    expect(s.apply([msg(MOTION, 'true', { source: { Source: 'late' } })]).motion).toBeUndefined();
    expect(s.apply([msg(MOTION, 'true', { source: { Source: '0' } })]).motion).toBe(true);
  });
});
