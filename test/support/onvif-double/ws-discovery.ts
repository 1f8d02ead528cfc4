// WS-Discovery responder of the fake ONVIF device: answers a unicast Probe on a loopback UDP port
// with a ProbeMatches, optionally preceded by garbage datagrams to prove the prober ignores them.
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';

export interface DiscoveryResponderOptions {
  port: number;
  deviceUrl: () => string;
  name: string;
  hardware: string;
  /** Send non-SOAP and broken replies before the real one. */
  garbage: () => boolean;
}

const GARBAGE = [
  Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x0a]),
  Buffer.from('HTTP/1.1 200 OK\r\n\r\nnot soap at all'),
  Buffer.from('<?xml version="1.0"?><s:Envelope><s:Body><d:ProbeMatches><d:ProbeMatch><d:XAddrs>'),
  Buffer.from('<root><unrelated/></root>'),
  Buffer.from('{"json": "reply"}'),
];

function probeMatches(relatesTo: string, o: DiscoveryResponderOptions): string {
  const scopes = [
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/Profile/Streaming',
    `onvif://www.onvif.org/name/${encodeURIComponent(o.name)}`,
    `onvif://www.onvif.org/hardware/${encodeURIComponent(o.hardware)}`,
  ].join(' ');
  return (
    '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><SOAP-ENV:Header>' +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo>` +
    '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>' +
    '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>' +
    '<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:5f5a69c2-e0ae-504f-829b-00387c0e5a41</wsa:Address></wsa:EndpointReference>' +
    `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${scopes}</d:Scopes><d:XAddrs>${o.deviceUrl()}</d:XAddrs>` +
    '<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}

export class DiscoveryResponder {
  probes = 0;
  private socket: dgram.Socket | undefined;
  /** Bound port, reused after a restart so the device keeps its address. */
  private port: number | undefined;

  constructor(private readonly opts: DiscoveryResponderOptions) {}

  async start(): Promise<number> {
    const socket = dgram.createSocket('udp4');
    this.socket = socket;
    socket.on('message', (buf, rinfo) => {
      const text = buf.toString('utf8');
      if (!text.includes('Probe')) return;
      this.probes += 1;
      const relatesTo = /MessageID>([^<]+)</.exec(text)?.[1] ?? '';
      const replies = this.opts.garbage() ? [...GARBAGE, Buffer.from(probeMatches(relatesTo, this.opts))] : [Buffer.from(probeMatches(relatesTo, this.opts))];
      for (const reply of replies) socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port ?? this.opts.port, '127.0.0.1', () => resolve());
    });
    this.port = socket.address().port;
    return this.port;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
