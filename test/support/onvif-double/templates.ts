// SOAP answers of the fake ONVIF device. Written as literal XML (not through clipgate's own
// code) so a bug in clipgate's XML handling cannot hide behind the same bug in the double.

export const ENVELOPE_NS =
  'xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ' +
  'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" ' +
  'xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" ' +
  'xmlns:wsa5="http://www.w3.org/2005/08/addressing" xmlns:tns1="http://www.onvif.org/ver10/topics" ' +
  'xmlns:ter="http://www.onvif.org/ver10/error"';

export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope ${ENVELOPE_NS}><SOAP-ENV:Header/><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

/** A SOAP 1.2 fault as gSOAP-based firmware writes it: Code (Sender/Receiver), one Subcode, Reason, optional Detail. */
export function fault(subcode: string, reason: string, opts: { code?: 'Sender' | 'Receiver'; detail?: string } = {}): string {
  return envelope(
    `<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:${opts.code ?? 'Sender'}</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>${subcode}</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code>` +
      `<SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">${reason}</SOAP-ENV:Text></SOAP-ENV:Reason>${opts.detail ? `<SOAP-ENV:Detail>${opts.detail}</SOAP-ENV:Detail>` : ''}</SOAP-ENV:Fault>`,
  );
}

export function dateTime(ms: number): string {
  const d = new Date(ms);
  return (
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
    `<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
    `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
  );
}

export function capabilities(base: string, pullPoint = true): string {
  return (
    `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
    `<tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device>` +
    `<tt:Events><tt:XAddr>${base}/onvif/event_service</tt:XAddr><tt:WSSubscriptionPolicySupport>${!pullPoint}</tt:WSSubscriptionPolicySupport>` +
    `<tt:WSPullPointSupport>${pullPoint}</tt:WSPullPointSupport></tt:Events>` +
    `<tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr></tt:Media>` +
    `</tds:Capabilities></tds:GetCapabilitiesResponse>`
  );
}

export function services(base: string): string {
  const svc = (ns: string, path: string): string =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base}${path}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>`;
  return (
    `<tds:GetServicesResponse>${svc('http://www.onvif.org/ver10/device/wsdl', '/onvif/device_service')}` +
    `${svc('http://www.onvif.org/ver10/media/wsdl', '/onvif/media_service')}${svc('http://www.onvif.org/ver10/events/wsdl', '/onvif/event_service')}</tds:GetServicesResponse>`
  );
}

/** `name` is inserted raw: tests pass names with a bare '&' to imitate cameras that do not escape. */
export function deviceInformation(manufacturer: string, model: string, firmware = 'v3.1.0.2347', serial = '192168001020'): string {
  return (
    `<tds:GetDeviceInformationResponse><tds:Manufacturer>${manufacturer}</tds:Manufacturer><tds:Model>${model}</tds:Model>` +
    `<tds:FirmwareVersion>${firmware}</tds:FirmwareVersion><tds:SerialNumber>${serial}</tds:SerialNumber><tds:HardwareId>IPC_5</tds:HardwareId></tds:GetDeviceInformationResponse>`
  );
}

function profile(token: string, name: string, width: number, height: number, bitrate: number): string {
  return (
    `<trt:Profiles token="${token}" fixed="true"><tt:Name>${name}</tt:Name>` +
    `<tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSource</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>000</tt:SourceToken>` +
    `<tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="enc_${token}"><tt:Name>enc_${token}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>` +
    `<tt:Resolution><tt:Width>${width}</tt:Width><tt:Height>${height}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>` +
    `<tt:RateControl><tt:FrameRateLimit>15</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>${bitrate}</tt:BitrateLimit></tt:RateControl>` +
    `</tt:VideoEncoderConfiguration></trt:Profiles>`
  );
}

/** Sub profile first, as several cameras list them: clipgate must choose by resolution, not order. */
export function profiles(): string {
  return `<trt:GetProfilesResponse>${profile('Profile_sub', 'subStream', 640, 360, 512)}${profile('Profile_main', 'mainStream', 1920, 1080, 4096)}</trt:GetProfilesResponse>`;
}

export function mediaUri(element: 'GetStreamUriResponse' | 'GetSnapshotUriResponse', uri: string): string {
  return (
    `<trt:${element}><trt:MediaUri><tt:Uri>${uri}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:${element}>`
  );
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function subscription(address: string, now: number, termination: number): string {
  return (
    `<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa5:Address>${address}</wsa5:Address></tev:SubscriptionReference>` +
    `<wsnt:CurrentTime>${iso(now)}</wsnt:CurrentTime><wsnt:TerminationTime>${iso(termination)}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>`
  );
}

export function pullResponse(now: number, termination: number, messages: string[]): string {
  return `<tev:PullMessagesResponse><tev:CurrentTime>${iso(now)}</tev:CurrentTime><tev:TerminationTime>${iso(termination)}</tev:TerminationTime>${messages.join('')}</tev:PullMessagesResponse>`;
}

export function renewResponse(now: number, termination: number): string {
  return `<wsnt:RenewResponse><wsnt:TerminationTime>${iso(termination)}</wsnt:TerminationTime><wsnt:CurrentTime>${iso(now)}</wsnt:CurrentTime></wsnt:RenewResponse>`;
}

export interface DoubleEvent {
  /** Full topic as the camera writes it, e.g. `tns1:RuleEngine/CellMotionDetector/Motion`. */
  topic: string;
  source: Record<string, string>;
  data: Record<string, string>;
  operation?: 'Initialized' | 'Changed' | 'Deleted';
}

/** One wsnt:NotificationMessage in the shape Hikvision and Reolink firmwares send. */
export function notification(e: DoubleEvent, atMs: number): string {
  const items = (rec: Record<string, string>): string =>
    Object.entries(rec)
      .map(([k, v]) => `<tt:SimpleItem Name="${k}" Value="${v}"/>`)
      .join('');
  return (
    `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${e.topic}</wsnt:Topic>` +
    `<wsnt:Message><tt:Message UtcTime="${iso(atMs)}" PropertyOperation="${e.operation ?? 'Changed'}">` +
    `<tt:Source>${items(e.source)}</tt:Source><tt:Key/><tt:Data>${items(e.data)}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`
  );
}

/** Named event shapes from real firmwares (see docs/onvif.md). */
export const EVENT_STYLES = {
  /** Hikvision: cell motion detector with the analytics/rule tokens as source. */
  hikvision: (on: boolean): DoubleEvent => ({
    topic: 'tns1:RuleEngine/CellMotionDetector/Motion',
    source: { VideoSourceConfigurationToken: 'VideoSourceToken', VideoAnalyticsConfigurationToken: 'VideoAnalyticsToken', Rule: 'MyMotionDetectorRule' },
    data: { IsMotion: on ? 'true' : 'false' },
  }),
  /** Hikvision/Dahua motion alarm on the video source. */
  'motion-alarm': (on: boolean): DoubleEvent => ({
    topic: 'tns1:VideoSource/MotionAlarm',
    source: { Source: 'VideoSourceToken' },
    data: { State: on ? 'true' : 'false' },
  }),
  /** Reolink: AI people detection. */
  'reolink-people': (on: boolean): DoubleEvent => ({
    topic: 'tns1:RuleEngine/MyRuleDetector/PeopleDetect',
    source: { Source: '000' },
    data: { State: on ? 'true' : 'false' },
  }),
  /** Reolink doorbell button. */
  'reolink-visitor': (on: boolean): DoubleEvent => ({
    topic: 'tns1:RuleEngine/MyRuleDetector/Visitor',
    source: { Source: '000' },
    data: { State: on ? 'true' : 'false' },
  }),
} as const;

export type EventStyle = keyof typeof EVENT_STYLES;
