import { describe, expect, it } from 'vitest';
import { classifyTopic, messageValue, normaliseTopic, parseBool, topicRules } from '../../../../src/cameras/onvif/topics.js';

const rules = topicRules({ motion: ['tns1:UserAlarm/IVA/HumanShapeDetect'], doorbell: ['Device/Trigger/DigitalInput'] });

describe('ONVIF topic table', () => {
  it.each([
    ['tns1:RuleEngine/CellMotionDetector/Motion', 'motion'],
    ['tns1:VideoSource/MotionAlarm', 'motion'],
    ['tns1:RuleEngine/MyRuleDetector/PeopleDetect', 'motion'],
    ['tns1:RuleEngine/MyRuleDetector/VehicleDetect', 'motion'],
    ['tns1:RuleEngine/MyRuleDetector/DogCatDetect', 'motion'],
    ['tns1:RuleEngine/MyRuleDetector/FaceDetect', 'motion'],
    ['tns1:RuleEngine/PeopleDetector/People', 'motion'],
    ['tns1:RuleEngine/tnsaxis:VMD3/vmd3_video_1', 'motion'],
    ['tnsaxis:CameraApplicationPlatform/VMD/Camera1Profile1', 'motion'],
    ['tns1:VideoAnalytics/tnsaxis:MotionDetection', 'motion'],
    ['tns1:RuleEngine/MyRuleDetector/Visitor', 'doorbell'],
    ['tns1:UserAlarm/IVA/HumanShapeDetect', 'motion'],
    ['tns1:Device/Trigger/DigitalInput', 'doorbell'],
    ['tns1:Monitoring/ProcessorUsage', undefined],
    ['tns1:RuleEngine/CellMotionDetector/MotionX', undefined],
    ['tns1:RuleEngine/MyRuleDetector/Visitors', undefined],
  ])('%s → %s', (topic, kind) => {
    expect(classifyTopic(topic, rules)).toBe(kind);
  });

  it('normalises namespace prefixes per segment', () => {
    expect(normaliseTopic(' tns1:RuleEngine/tnsaxis:VMD3/x ')).toBe('RuleEngine/VMD3/x');
  });

  it('accepts true/false/1/0 only', () => {
    expect([parseBool('true'), parseBool(' TRUE '), parseBool('1'), parseBool('false'), parseBool('0'), parseBool('yes'), parseBool(undefined)]).toEqual([true, true, true, false, false, undefined, undefined]);
  });

  it('reads the value from the known data item, or the only boolean one', () => {
    expect(messageValue({ IsMotion: 'true' })).toBe(true);
    expect(messageValue({ State: '0' })).toBe(false);
    expect(messageValue({ active: '1' })).toBe(true);
    expect(messageValue({ Level: '3', Custom: 'true' })).toBe(true);
    expect(messageValue({ A: 'true', B: 'false' })).toBeUndefined();
    expect(messageValue({})).toBeUndefined();
  });
});
