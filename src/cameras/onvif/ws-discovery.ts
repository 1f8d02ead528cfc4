import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { childrenNamed, find, parseXmlDocument, textOf, XmlError, type XmlNode } from './xml.js';

/**
 * WS-Discovery Probe for ONVIF devices, over our own UDP socket rather than the `onvif`
 * package's Discovery: that one throws out of its socket handler and crashes the process on a
 * non-SOAP UDP reply unless an 'error' listener is attached, and it cannot send a
 * unicast probe to one host or use another port. Garbage replies are counted and ignored here.
 */

export const WS_DISCOVERY_ADDRESS = '239.255.255.250';
export const WS_DISCOVERY_PORT = 3702;

export interface DiscoveredDevice {
  /** IP the reply came from. */
  address: string;
  /** WS-Addressing endpoint reference (urn:uuid:...), when given. */
  endpoint?: string;
  /** Device service URLs. */
  xaddrs: string[];
  scopes: string[];
  /** From the onvif://www.onvif.org/name/ and /hardware/ scopes. */
  name?: string;
  hardware?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Unicast target instead of the multicast group (other subnets, tests). */
  target?: string;
  port?: number;
  /** Called for each ignored reply, with a reason (for verbose output). */
  onIgnored?: (from: string, reason: string) => void;
}

export function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    `<s:Header><a:MessageID>urn:uuid:${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  );
}

function scopeValue(scopes: string[], kind: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  const hit = scopes.find((s) => s.startsWith(prefix));
  if (!hit) return undefined;
  const raw = hit.slice(prefix.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Parse one UDP reply into devices; throws XmlError/Error for anything that is not a ProbeMatches. */
export function parseProbeMatches(text: string, from: string): DiscoveredDevice[] {
  const { root: doc, complete }: { root: XmlNode; complete: boolean } = parseXmlDocument(text);
  if (!complete) throw new Error('truncated XML');
  const matches = find(doc, 'ProbeMatches');
  if (!matches) throw new Error(`not a ProbeMatches message (${doc.name})`);
  const devices = childrenNamed(matches, 'ProbeMatch').map((m) => {
    const scopes = (textOf(m, 'Scopes') ?? '').split(/\s+/).filter(Boolean);
    const device: DiscoveredDevice = {
      address: from,
      xaddrs: (textOf(m, 'XAddrs') ?? '').split(/\s+/).filter((x) => /^https?:\/\//i.test(x)),
      scopes,
    };
    const endpoint = textOf(find(m, 'EndpointReference'), 'Address');
    if (endpoint) device.endpoint = endpoint;
    const name = scopeValue(scopes, 'name');
    const hardware = scopeValue(scopes, 'hardware');
    if (name) device.name = name;
    if (hardware) device.hardware = hardware;
    return device;
  });
  // A match without a service address cannot be onboarded (ONVIF devices always send XAddrs).
  const usable = devices.filter((d) => d.xaddrs.length > 0);
  if (usable.length === 0) throw new Error('ProbeMatches without a service address');
  return usable;
}

/** Send a probe and collect replies until the timeout. Never throws for what remote hosts send. */
export async function probe(opts: ProbeOptions): Promise<DiscoveredDevice[]> {
  const target = opts.target ?? WS_DISCOVERY_ADDRESS;
  const port = opts.port ?? WS_DISCOVERY_PORT;
  const socket = dgram.createSocket({ type: isIP(target) === 6 ? 'udp6' : 'udp4' });
  const found = new Map<string, DiscoveredDevice>();
  const message = Buffer.from(probeMessage(randomUUID()));
  // Socket-level errors (e.g. ICMP port unreachable on unicast) must not crash the command.
  const socketErrors: Error[] = [];
  socket.on('error', (err) => socketErrors.push(err));
  socket.on('message', (buf, rinfo) => {
    try {
      for (const device of parseProbeMatches(buf.toString('utf8'), rinfo.address)) {
        found.set(device.endpoint ?? (device.xaddrs.join(' ') || rinfo.address), device);
      }
    } catch (err) {
      opts.onIgnored?.(`${rinfo.address}:${rinfo.port}`, err instanceof XmlError || err instanceof Error ? err.message : String(err));
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const send = (): void => socket.send(message, port, target, (err) => err && socketErrors.push(err));
  send();
  // UDP is lossy and WS-Discovery recommends repeating the probe; once more after a second.
  const repeat = opts.timeoutMs > 2_000 ? setTimeout(send, 1_000) : undefined;
  await new Promise((r) => setTimeout(r, opts.timeoutMs));
  if (repeat) clearTimeout(repeat);
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return [...found.values()].sort((a, b) => a.address.localeCompare(b.address));
}
