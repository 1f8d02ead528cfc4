import { describe, expect, it } from 'vitest';
import { classifyHikvisionAlert, createCallStatusPoller, createHikvisionDriver, parseCallStatus, parseHikvisionAlert } from '../../../../src/cameras/vendor/hikvision.js';

function alertXml(fields: Record<string, string>, ns = 'http://www.hikvision.com/ver20/XMLSchema'): string {
  const inner = Object.entries(fields).map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${v}</${k}>`)).join('\r\n');
  return `<EventNotificationAlert version="2.0" xmlns="${ns}">\r\n<ipAddress>192.0.2.16</ipAddress>\r\n<portNo>80</portNo>\r\n<protocol>HTTP</protocol>\r\n${inner}\r\n</EventNotificationAlert>\r\n`;
}

const OPTS = { channel: 1, holdMs: 5_000 };

describe('parseHikvisionAlert', () => {
  it.each([
    // pyHik#14: the idle heartbeat.
    [alertXml({ channelID: '1', dateTime: '2017-12-11T22:21:47+00:00', activePostCount: '0', eventType: 'videoloss', eventState: 'inactive', eventDescription: 'videoloss alarm' }), { eventType: 'videoloss', eventState: 'inactive', channel: 1 }],
    // home-assistant/core#82767: NVR heartbeat with empty channel elements, isapi.org namespace.
    [alertXml({ dynChannelID: '', channelID: '', eventType: 'videoloss', eventState: 'inactive' }, 'http://www.isapi.org/ver20/XMLSchema'), { eventType: 'videoloss', eventState: 'inactive' }],
    // node-red-contrib-hikvision-ultimate#83: DVR motion on a dynamic channel, no time zone.
    [alertXml({ dynChannelID: '12', dateTime: '2025-04-06T14:16:04', activePostCount: '1', eventType: 'VMD', eventState: 'active' }), { eventType: 'VMD', eventState: 'active', channel: 12 }],
    // ioBroker hikvision-alarmserver#7: intrusion with a region list (nested elements).
    [alertXml({ channelID: '1', eventType: 'fielddetection', eventState: 'active', DetectionRegionList: '<DetectionRegionEntry><regionID>3</regionID></DetectionRegionEntry>' }), { eventType: 'fielddetection', eventState: 'active', channel: 1 }],
    ['{"ipAddress":"192.0.2.5","channelID":1,"eventType":"linedetection","eventState":"active"}', { eventType: 'linedetection', eventState: 'active', channel: 1 }],
    ['{"EventNotificationAlert":{"eventType":"VMD","eventState":"inactive","channelID":"2"}}', { eventType: 'VMD', eventState: 'inactive', channel: 2 }],
    ['<ns0:EventNotificationAlert xmlns:ns0="urn:x"><ns0:eventType>PIR</ns0:eventType><ns0:eventState>active</ns0:eventState></ns0:EventNotificationAlert>', { eventType: 'PIR', eventState: 'active' }],
  ])('%#', (text, expected) => {
    expect(parseHikvisionAlert(text)).toEqual(expected);
  });

  it.each([['<?xml version="1.0" encoding="UTF-8"?>'], ['<ResponseStatus><statusCode>4</statusCode></ResponseStatus>'], ['{"eventType": 5}'], ['{not json'], ['garbage'], [alertXml({ eventState: 'active' })]])('no alert in %j', (text) => {
    expect(parseHikvisionAlert(text)).toBeUndefined();
  });

  it('finds no alert in hostile repetitions of an opening tag', () => {
    expect(parseHikvisionAlert('<EventNotificationAlert>' + '<eventType'.repeat(6_000) + 'x'.repeat(1000))).toBeUndefined();
  });
});

describe('classifyHikvisionAlert', () => {
  it.each([
    [{ eventType: 'videoloss', eventState: 'inactive' }, [{ kind: 'heartbeat' }]],
    [{ eventType: 'videoloss', eventState: 'active', channel: 1 }, [{ kind: 'other', what: 'videoloss active' }]],
    [{ eventType: 'VMD', eventState: 'active', channel: 1 }, [{ kind: 'motion', key: 'vmd:1', active: true, holdMs: 5000 }]],
    [{ eventType: 'VMD', eventState: 'inactive', channel: 1 }, [{ kind: 'motion', key: 'vmd:1', active: false }]],
    [{ eventType: 'linedetection', eventState: 'active' }, [{ kind: 'motion', key: 'linedetection:1', active: true, holdMs: 5000 }]],
    [{ eventType: 'fielddetection', eventState: 'active', channel: 1 }, [{ kind: 'motion', key: 'fielddetection:1', active: true, holdMs: 5000 }]],
    [{ eventType: 'regionEntrance', eventState: 'active', channel: 1 }, [{ kind: 'motion', key: 'regionentrance:1', active: true, holdMs: 5000 }]],
    [{ eventType: 'VMD', eventState: 'active', channel: 2 }, [{ kind: 'other', what: 'VMD on channel 2' }]],
    [{ eventType: 'shelteralarm', eventState: 'active', channel: 1 }, [{ kind: 'other', what: 'shelteralarm active' }]],
  ])('%j', (alert, expected) => {
    expect(classifyHikvisionAlert(alert, OPTS)).toEqual(expected);
  });
});

describe('call status', () => {
  it.each([
    ['{"CallStatus":{"status":"idle"}}', 'idle'],
    ['{"CallStatus": {"status": "ring"}}', 'ring'],
    ['<?xml version="1.0"?><CallStatus xmlns="http://www.isapi.org/ver20/XMLSchema"><status>onCall</status></CallStatus>', 'onCall'],
    ['{"statusCode":4,"subStatusCode":"invalidOperation"}', undefined],
    ['<html>', undefined],
  ])('%s → %s', (text, expected) => {
    expect(parseCallStatus(text)).toBe(expected);
  });

  it('one press per change into ring; a ring already going at the first poll is not a press', () => {
    const poller = createCallStatusPoller(1000);
    const presses = (text: string): number => poller.read(text).filter((s) => s.kind === 'press').length;
    const status = (s: string): string => `{"CallStatus":{"status":"${s}"}}`;
    expect(presses(status('ring'))).toBe(0);
    expect(presses(status('idle'))).toBe(0);
    expect(presses(status('ring'))).toBe(1);
    expect(presses(status('ring'))).toBe(0);
    expect(presses(status('onCall'))).toBe(0);
    expect(presses(status('idle'))).toBe(0);
    expect(presses(status('ring'))).toBe(1);
    poller.reset();
    expect(presses(status('ring'))).toBe(0);
    expect(() => poller.read('garbage')).toThrow(/unreadable call status/);
  });

  it('only doorbells poll', () => {
    expect(createHikvisionDriver({ channel: 1, holdMs: 5000, doorbell: true }).createPoller?.()?.path).toBe('/ISAPI/VideoIntercom/callStatus?format=json');
    expect(createHikvisionDriver({ channel: 1, holdMs: 5000, doorbell: false }).createPoller?.()).toBeUndefined();
  });
});
