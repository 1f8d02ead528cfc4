// A Hikvision camera/doorbell as far as its ISAPI event interface goes, built from the public
// ISAPI documentation and the captures users posted (pyHik#14, home-assistant/core#82767,
// toxuin/alarmserver#15, node-red-contrib-hikvision-ultimate#83, the DS-KB8113 notes):
// - GET /ISAPI/Event/notification/alertStream → raw `multipart/mixed; boundary=boundary` of
//   EventNotificationAlert XML parts with Content-Length, `videoloss`/`inactive` as idle
//   heartbeat, detectors repeating `active` once a second while they last;
// - GET /ISAPI/VideoIntercom/callStatus?format=json → {"CallStatus":{"status":"idle|ring|onCall"}}
//   on doorbells, 404 + ResponseStatus elsewhere;
// - Digest with single-use nonces; a wrong password gets 401 forever; other methods get
//   ResponseStatus `methodNotAllowed`, unknown URLs `notSupport`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VendorDouble, type OpenStream } from './common.js';

export interface HikvisionDoubleOptions {
  username: string;
  password: string;
  /** Idle heartbeat period (videoloss inactive); null for firmware that sends none. Default 10 s. */
  heartbeatMs?: number | null;
  /** Period of the `active` repeats while a detector lasts. Default 1 s. */
  repeatMs?: number;
  /** Send `inactive` when a detector ends (some firmware does, most do not). */
  sendInactive?: boolean;
  /** Boundary named in the Content-Type; the body always uses `boundary` (NVR quirk when they differ). */
  declaredBoundary?: string;
  /** Answers callStatus (a doorbell / intercom). */
  doorbell?: boolean;
  channel?: number;
}

const PATH_STREAM = '/ISAPI/Event/notification/alertStream';
const PATH_CALL = '/ISAPI/VideoIntercom/callStatus';

export class HikvisionDouble extends VendorDouble {
  private readonly o: Required<Omit<HikvisionDoubleOptions, 'username' | 'password'>>;
  private postCount = 0;
  private readonly repeating = new Map<string, NodeJS.Timeout>();
  callStatus: 'idle' | 'ring' | 'onCall' = 'idle';
  private callTimers: NodeJS.Timeout[] = [];

  constructor(opts: HikvisionDoubleOptions) {
    super({ username: opts.username, password: opts.password, realm: 'DS-2CD2043G2' });
    this.o = { heartbeatMs: 10_000, repeatMs: 1_000, sendInactive: false, declaredBoundary: 'boundary', doorbell: false, channel: 1, ...opts };
  }

  /** Successful alertStream connections so far. */
  get connects(): number {
    return this.http.count(PATH_STREAM, 200);
  }

  /** A detector starts: `active` now and every repeatMs until stop. Returns the first write's time. */
  start(eventType: 'VMD' | 'linedetection' | 'fielddetection' | 'PIR' = 'VMD'): number {
    const at = this.alert(eventType, 'active');
    clearInterval(this.repeating.get(eventType));
    this.repeating.set(eventType, setInterval(() => this.alert(eventType, 'active'), this.o.repeatMs));
    return at;
  }

  /** The detector ends: repeats stop, `inactive` only with sendInactive. Returns the write time (or now). */
  stop(eventType: 'VMD' | 'linedetection' | 'fielddetection' | 'PIR' = 'VMD'): number {
    clearInterval(this.repeating.get(eventType));
    this.repeating.delete(eventType);
    return this.o.sendInactive ? this.alert(eventType, 'inactive') : this.http.now();
  }

  /** A one-shot rule event (line crossing, intrusion): a single `active` part. */
  pulse(eventType: 'linedetection' | 'fielddetection'): number {
    return this.alert(eventType, 'active');
  }

  /** The doorbell button: callStatus goes ring for ringMs, then onCall for talkMs (message mode), then idle. */
  ring(ringMs = 31_200, talkMs = 31_200): void {
    for (const t of this.callTimers) clearTimeout(t);
    this.callStatus = 'ring';
    this.callTimers = [
      setTimeout(() => (this.callStatus = 'onCall'), ringMs),
      setTimeout(() => (this.callStatus = 'idle'), ringMs + talkMs),
    ];
  }

  alert(eventType: string, eventState: 'active' | 'inactive', channel = this.o.channel): number {
    if (eventState === 'active') this.postCount += 1;
    return this.writePart(alertXml({ channel, eventType, eventState, activePostCount: eventState === 'active' ? this.postCount : 0 }));
  }

  heartbeat(): number {
    return this.writePart(alertXml({ channel: this.o.channel, eventType: 'videoloss', eventState: 'inactive', activePostCount: 0 }));
  }

  /** A JPEG snapshot part, as newer firmware sends after some events. */
  snapshot(bytes: number): number {
    const jpeg = Buffer.alloc(bytes, 0xd8);
    return this.http.writeAll(Buffer.concat([Buffer.from(`--boundary\r\nContent-Type: image/jpeg\r\nContent-Length: ${bytes}\r\n\r\n`), jpeg, Buffer.from('\r\n')]));
  }

  /** A well-framed part whose body is not an alert at all. */
  garbagePart(): number {
    return this.writePart('\u0000\u0001 not xml at all {[<', 'application/xml');
  }

  /** A text part larger than any sane alert; with `declareLength` false it has no length and no boundary follows for `bytes`. */
  oversizePart(bytes: number, declareLength = true): number {
    const head = `--boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\n${declareLength ? `Content-Length: ${bytes}\r\n` : ''}\r\n`;
    return this.http.writeAll(Buffer.concat([Buffer.from(head), Buffer.alloc(bytes, 0x41)]));
  }

  protected route(req: IncomingMessage, res: ServerResponse, url: URL): number {
    if (url.pathname !== PATH_STREAM && url.pathname !== PATH_CALL) return this.status(res, 404, 'notSupport', 'Invalid Operation');
    if (req.method !== 'GET') return this.status(res, 405, 'methodNotAllowed', 'Invalid Operation');
    if (url.pathname === PATH_CALL) return this.answerCall(res, url);
    this.openAlertStream(this.http.openStream(req, res, ['MIME-Version: 1.0', 'Connection: close', `Content-Type: multipart/mixed; boundary=${this.o.declaredBoundary}`]));
    return 200;
  }

  protected clearTimers(): void {
    for (const t of this.repeating.values()) clearInterval(t);
    for (const t of this.callTimers) clearTimeout(t);
  }

  private writePart(xml: string, type = 'application/xml; charset="UTF-8"'): number {
    return this.http.writeAll(`--boundary\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n`);
  }

  private openAlertStream(stream: OpenStream): void {
    if (this.o.heartbeatMs === null) return;
    this.heartbeatEvery(stream, this.o.heartbeatMs, () => {
      const xml = alertXml({ channel: this.o.channel, eventType: 'videoloss', eventState: 'inactive', activePostCount: 0 });
      return `--boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n`;
    });
  }

  private answerCall(res: ServerResponse, url: URL): number {
    if (!this.o.doorbell) return this.status(res, 404, 'notSupport', 'Invalid Operation');
    if (url.searchParams.get('format') === 'json') {
      res.writeHead(200, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify({ CallStatus: { status: this.callStatus } }, null, 2));
    } else {
      res.writeHead(200, { 'Content-Type': 'application/xml', Connection: 'close' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\r\n<CallStatus version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><status>${this.callStatus}</status></CallStatus>`);
    }
    return 200;
  }

  private status(res: ServerResponse, code: number, sub: string, text: string): number {
    res.writeHead(code, { 'Content-Type': 'application/xml', Connection: 'close' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\r\n<ResponseStatus version="1.0" xmlns="urn:psialliance-org">\r\n<requestURL>${PATH_STREAM}</requestURL>\r\n<statusCode>4</statusCode>\r\n<statusString>${text}</statusString>\r\n<subStatusCode>${sub}</subStatusCode>\r\n</ResponseStatus>\r\n`);
    return code;
  }
}

function alertXml(a: { channel: number; eventType: string; eventState: string; activePostCount: number }): string {
  const description = a.eventType === 'VMD' ? 'Motion alarm' : `${a.eventType} alarm`;
  return (
    `<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\r\n<ipAddress>127.0.0.1</ipAddress>\r\n<portNo>80</portNo>\r\n` +
    `<protocol>HTTP</protocol>\r\n<macAddress>44:19:b6:00:00:01</macAddress>\r\n<channelID>${a.channel}</channelID>\r\n<dateTime>${new Date().toISOString().slice(0, 19)}+00:00</dateTime>\r\n` +
    `<activePostCount>${a.activePostCount}</activePostCount>\r\n<eventType>${a.eventType}</eventType>\r\n<eventState>${a.eventState}</eventState>\r\n` +
    `<eventDescription>${description}</eventDescription>\r\n<channelName>Camera 01</channelName>\r\n</EventNotificationAlert>`
  );
}

export async function startHikvisionDouble(opts: HikvisionDoubleOptions): Promise<HikvisionDouble> {
  return new HikvisionDouble(opts).listen();
}
