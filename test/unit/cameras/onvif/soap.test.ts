import { describe, expect, it } from 'vitest';
import { parseNotification } from '../../../../src/cameras/onvif/pullpoint.js';
import { faultError } from '../../../../src/cameras/onvif/soap.js';
import { find, parseXml } from '../../../../src/cameras/onvif/xml.js';

describe('SOAP faults', () => {
  it('SOAP 1.2 ter:NotAuthorized (nested subcode) → ONVIF_AUTH_FAILED', () => {
    const fault = find(parseXml('<e:Fault xmlns:e="x"><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>ter:NotAuthorized</e:Value></e:Subcode></e:Code><e:Reason><e:Text>Sender not Authorized</e:Text></e:Reason></e:Fault>'), 'Fault')!;
    const err = faultError(fault, 'admin');
    expect(err.code).toBe('ONVIF_AUTH_FAILED');
    expect(err.message).toContain('for user "admin"');
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
