import { describe, expect, it } from 'vitest';
import { classifyDahuaEvent, createDahuaDriver, dahuaStreamPath, parseDahuaBody, type DahuaOptions } from '../../../../src/cameras/vendor/dahua.js';

const CAMERA: DahuaOptions = { channel: 1, alarmInput: 'motion' };
const signalsOf = (text: string, opts: DahuaOptions = CAMERA): unknown[] => createDahuaDriver(opts).parse({ 'content-type': 'text/plain' }, Buffer.from(text));

describe('parseDahuaBody', () => {
  it.each([
    ['Heartbeat', true, []],
    ['Code=VideoMotion;action=Start;index=0', false, [{ code: 'VideoMotion', action: 'Start', index: 0 }]],
    ['Code=VideoBlind;action=Start;index=0\r\n', false, [{ code: 'VideoBlind', action: 'Start', index: 0 }]],
    // rroller/dahua#166: data={...} over several lines.
    ['Code=VideoMotion;action=Stop;index=0;data={\n   "Id" : [ 0 ],\n   "RegionName" : [ "Region1" ],\n   "SmartMotionEnable" : true\n}\n', false, [{ code: 'VideoMotion', action: 'Stop', index: 0, data: { Id: [0], RegionName: ['Region1'], SmartMotionEnable: true } }]],
    // dchesterton/amcrest2mqtt#68: AD110 button.
    ['Code=_DoTalkAction_;action=Pulse;index=0;data={\n   "Action" : "Invite",\n   "CallID" : "abc@x",\n   "CallSrcMask" : 4\n}', false, [{ code: '_DoTalkAction_', action: 'Pulse', index: 0, data: { Action: 'Invite', CallID: 'abc@x', CallSrcMask: 4 } }]],
    // Data that is not JSON keeps the event, without data.
    ['Code=CrossLineDetection;action=Start;index=0;data={ truncated', false, [{ code: 'CrossLineDetection', action: 'Start', index: 0 }]],
    // Several events in one part (NVR firmware).
    ['Code=VideoMotion;action=Start;index=2\r\nCode=VideoMotion;action=Start;index=0', false, [{ code: 'VideoMotion', action: 'Start', index: 2 }, { code: 'VideoMotion', action: 'Start', index: 0 }]],
    ['garbage \u0000\u0001 text', false, []],
    ['Code=;action=Start', false, []],
    ['Code=VideoMotion;index=0', false, []],
  ])('%j', (text, heartbeat, events) => {
    expect(parseDahuaBody(text)).toEqual({ heartbeat, events });
  });
});

describe('classifyDahuaEvent', () => {
  it.each([
    ['Code=VideoMotion;action=Start;index=0', [{ kind: 'motion', key: 'VideoMotion:0', active: true }]],
    ['Code=VideoMotion;action=Stop;index=0', [{ kind: 'motion', key: 'VideoMotion:0', active: false }]],
    ['Code=SmartMotionHuman;action=Start;index=0', [{ kind: 'motion', key: 'SmartMotionHuman:0', active: true }]],
    ['Code=CrossRegionDetection;action=Start;index=0;data={"Name":"IVS-1","Object":{"ObjectType":"Human"}}', [{ kind: 'motion', key: 'CrossRegionDetection:0:IVS-1', active: true }]],
    ['Code=CrossLineDetection;action=Pulse;index=0', [{ kind: 'motion', key: 'CrossLineDetection:0', active: true, holdMs: 5000 }]],
    ['Code=AlarmLocal;action=Start;index=0', [{ kind: 'motion', key: 'AlarmLocal:0', active: true }]],
    ['Code=VideoMotion;action=Start;index=3', [{ kind: 'other', what: 'VideoMotion on channel 4' }]],
    ['Code=VideoMotionInfo;action=State;index=0', [{ kind: 'other', what: 'VideoMotionInfo State' }]],
    ['Code=_DoTalkAction_;action=Pulse;index=0;data={"Action":"Invite"}', [{ kind: 'press', key: 'invite' }]],
    ['Code=_DoTalkAction_;action=Pulse;index=0;data={"Action":"Hangup"}', [{ kind: 'other', what: '_DoTalkAction_ Pulse' }]],
    ['Code=CallNoAnswered;action=Start;index=0;data={"CallID":"1"}', [{ kind: 'press', key: 'call-no-answered' }]],
    ['Code=CallNoAnswered;action=Stop;index=0', [{ kind: 'other', what: 'CallNoAnswered Stop' }]],
    ['Code=BackKeyLight;action=Pulse;index=0;data={"State":1}', [{ kind: 'press', key: 'back-key-light' }]],
    ['Code=BackKeyLight;action=Pulse;index=0;data={"State":0}', [{ kind: 'other', what: 'BackKeyLight Pulse' }]],
    ['Code=PhoneCallDetect;action=Start;index=0', [{ kind: 'press', key: 'phone-call' }]],
    ['Code=Invite;action=Start;index=0;data={"CallID":"1001","LockID":0}', [{ kind: 'press', key: 'invite' }]],
  ])('%s', (text, expected) => {
    const [event] = parseDahuaBody(text).events;
    expect(classifyDahuaEvent(event!, CAMERA)).toEqual(expected);
  });

  it('AlarmLocal follows alarmInput: a doorbell button (AD410), or nothing', () => {
    expect(signalsOf('Code=AlarmLocal;action=Start;index=0', { channel: 1, alarmInput: 'doorbell' })).toEqual([{ kind: 'press', key: 'AlarmLocal:0' }]);
    expect(signalsOf('Code=AlarmLocal;action=Stop;index=0', { channel: 1, alarmInput: 'doorbell' })).toEqual([]);
    expect(signalsOf('Code=AlarmLocal;action=Start;index=0', { channel: 1, alarmInput: 'ignore' })).toEqual([{ kind: 'other', what: 'AlarmLocal Start' }]);
  });

  it('channel 2 of an NVR takes index 1 only', () => {
    expect(signalsOf('Code=VideoMotion;action=Start;index=1', { channel: 2, alarmInput: 'motion' })).toEqual([{ kind: 'motion', key: 'VideoMotion:1', active: true }]);
    expect(signalsOf('Code=VideoMotion;action=Start;index=0', { channel: 2, alarmInput: 'motion' })).toEqual([{ kind: 'other', what: 'VideoMotion on channel 1' }]);
  });
});

describe('Dahua driver', () => {
  it('heartbeat part → heartbeat signal; garbage → no signal', () => {
    expect(signalsOf('Heartbeat')).toEqual([{ kind: 'heartbeat' }]);
    expect(signalsOf('<html>not an event</html>')).toEqual([]);
  });

  it('asks for every code with the heartbeat and watches for two missed heartbeats', () => {
    expect(dahuaStreamPath()).toBe('/cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=5');
    const driver = createDahuaDriver({ ...CAMERA, heartbeatSeconds: 3 });
    expect(driver.streamPath).toContain('heartbeat=3');
    expect(driver.idleTimeoutMs).toBe(6_000);
    expect(driver.defaultBoundary).toBe('myboundary');
    expect(driver.wanted({ 'content-type': 'text/plain' })).toBe(true);
    expect(driver.wanted({ 'content-type': 'image/jpeg' })).toBe(false);
  });
});
