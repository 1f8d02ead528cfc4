import { describe, expect, it } from 'vitest';
import { parseNotification } from '../../../../src/cameras/onvif/pullpoint.js';
import { ACTIONS } from '../../../../src/cameras/onvif/pullpoint.js';
import { addressing, faultCodes, faultError, safeText, sameHost } from '../../../../src/cameras/onvif/soap.js';
import { find, parseXml } from '../../../../src/cameras/onvif/xml.js';

describe('SOAP faults', () => {
  it('SOAP 1.2 ter:NotAuthorized (nested subcode) → ONVIF_AUTH_FAILED', () => {
    const fault = find(parseXml('<e:Fault xmlns:e="x"><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>ter:NotAuthorized</e:Value></e:Subcode></e:Code><e:Reason><e:Text>Sender not Authorized</e:Text></e:Reason></e:Fault>'), 'Fault')!;
    const err = faultError(fault, 'admin');
    expect(err.code).toBe('ONVIF_AUTH_FAILED');
    expect(err.message).toContain('for user "admin"');
  });

  it('keeps the codes for callers (no-PullPoint detection) and the HTTP status', () => {
    const fault = find(parseXml('<Fault><Code><Value>env:Receiver</Value><Subcode><Value>ter:ActionNotSupported</Value></Subcode></Code><Reason><Text>Optional Action Not Implemented</Text></Reason></Fault>'), 'Fault')!;
    const err = faultError(fault, 'admin', 400);
    expect(faultCodes(err)).toEqual(['env:Receiver', 'ter:ActionNotSupported']);
    expect(err.details).toEqual({ codes: ['env:Receiver', 'ter:ActionNotSupported'], status: 400 });
    expect(faultCodes(new Error('x'))).toEqual([]);
  });

  it('camera text is bounded and stripped of control and bidi characters', () => {
    expect(safeText('a\u202eb\u0000c\u001b[0m')).toBe('a b c [0m');
    expect(safeText('x'.repeat(1000))).toHaveLength(200);
    const huge = find(parseXml(`<Fault><Reason><Text>${'y'.repeat(100_000)}</Text></Reason></Fault>`), 'Fault')!;
    expect(faultError(huge, undefined).message.length).toBeLessThan(300);
  });

  it('SOAP 1.1 faultcode/faultstring and other faults → ONVIF_FAULT with the reason', () => {
    const fault = find(parseXml('<Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>Action Failed</faultstring></Fault>'), 'Fault')!;
    const err = faultError(fault, undefined);
    expect(err.code).toBe('ONVIF_FAULT');
    expect(err.message).toContain('Action Failed');
  });
});

describe('notification messages', () => {
  it('reads topic, UtcTime, PropertyOperation, Source and Data items (Axis VMD 4 shape)', () => {
    const node = parseXml(
      '<wsnt:NotificationMessage><wsnt:Topic Dialect="x">tnsaxis:CameraApplicationPlatform/VMD/Camera1Profile1</wsnt:Topic>' +
        '<wsnt:Message><tt:Message UtcTime="2025-01-02T03:04:05.678Z" PropertyOperation="Changed"><tt:Source><tt:SimpleItem Name="VideoSourceConfigurationToken" Value="0"/></tt:Source>' +
        '<tt:Data><tt:SimpleItem Name="active" Value="1"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>',
    );
    expect(parseNotification(node)).toEqual([
      { topic: 'tnsaxis:CameraApplicationPlatform/VMD/Camera1Profile1', utcMs: Date.UTC(2025, 0, 2, 3, 4, 5, 678), operation: 'Changed', source: { VideoSourceConfigurationToken: '0' }, data: { active: '1' } },
    ]);
  });

  it('drops messages without a topic and tolerates unparsable times', () => {
    expect(parseNotification(parseXml('<NotificationMessage><Message/></NotificationMessage>'))).toEqual([]);
    const [m] = parseNotification(parseXml('<NotificationMessage><Topic>a/b</Topic><Message><Message UtcTime="yesterday"><Data><SimpleItem Name="State" Value="true"/></Data></Message></Message></NotificationMessage>'));
    expect(m?.utcMs).toBeUndefined();
    expect(m?.data).toEqual({ State: 'true' });
  });
});

describe('WS-Addressing headers', () => {
  it('carry the action, a fresh urn:uuid MessageID, an anonymous ReplyTo and the destination', () => {
    const a = addressing(ACTIONS.renew, 'http://10.0.0.2/onvif/Subscription?Idx=1&x="y"');
    expect(a).toContain('<wsa:Action>http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest</wsa:Action>');
    expect(a).toMatch(/<wsa:MessageID>urn:uuid:[0-9a-f-]{36}<\/wsa:MessageID>/);
    expect(a).toContain('<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>');
    expect(a).toContain('<wsa:To>http://10.0.0.2/onvif/Subscription?Idx=1&amp;x=&quot;y&quot;</wsa:To>');
    const ids = new Set(Array.from({ length: 1000 }, () => /MessageID>([^<]+)</.exec(addressing('a', 'b'))?.[1]));
    expect(ids.size).toBe(1000);
  });

  it('use the action URIs the WSDLs define', () => {
    expect(ACTIONS).toEqual({
      create: 'http://www.onvif.org/ver10/events/wsdl/EventPortType/CreatePullPointSubscriptionRequest',
      pull: 'http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest',
      renew: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest',
      unsubscribe: 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest',
    });
  });

  it('hosts compare without case or IPv6 brackets', () => {
    expect(sameHost('[::1]', '::1')).toBe(true);
    expect(sameHost('Cam.Local', 'cam.local')).toBe(true);
    expect(sameHost('127.0.0.1', 'localhost')).toBe(false);
  });
});
