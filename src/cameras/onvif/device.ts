import { AppError } from '../../core/errors.js';
import { safeText, sameHost, SoapClient, type Credentials } from './soap.js';
import { childrenNamed, escapeXml, find, path, textOf, type XmlNode } from './xml.js';

export interface OnvifTarget {
  host: string;
  port: number;
  credentials?: Credentials;
}

export interface ServiceUrls {
  device: string;
  media?: string;
  events?: string;
}

export interface MediaProfile {
  token: string;
  name: string;
  width: number;
  height: number;
  encoding?: string;
}

export interface DeviceInformation {
  manufacturer?: string;
  model?: string;
  firmwareVersion?: string;
  serialNumber?: string;
}

const ACTION = {
  device: 'http://www.onvif.org/ver10/device/wsdl',
  media: 'http://www.onvif.org/ver10/media/wsdl',
};

/** Host for URLs, with IPv6 literals bracketed. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export interface OnvifDeviceOptions {
  timeoutMs?: number;
  now?: () => number;
  /** Told when an address the camera reported named another host and was re-pointed. */
  onRepoint?: (reported: string, used: string) => void;
}

/**
 * One camera's device and media services. Every address the camera reports goes through
 * repoint(): requests, and the credentials they carry, only ever reach the configured host.
 */
export class OnvifDevice {
  readonly client: SoapClient;
  readonly base: string;
  services: ServiceUrls;

  constructor(readonly target: OnvifTarget, private readonly opts: OnvifDeviceOptions = {}) {
    this.client = new SoapClient({
      host: target.host,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      ...(target.credentials ? { credentials: target.credentials } : {}),
    });
    this.base = `http://${urlHost(target.host)}:${target.port}`;
    this.services = { device: `${this.base}/onvif/device_service` };
  }

  /** Clock offset, then service addresses. Throws AppError (unreachable, auth, fault). */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.syncClock(signal);
    this.services = await this.serviceUrls(signal);
  }

  /**
   * Measures camera clock minus ours; WS-Security timestamps are written in camera time. Sent
   * without a UsernameToken (the clock is what we are asking for); a camera that puts all of
   * /onvif/ behind HTTP Digest gets its challenge answered.
   */
  async syncClock(signal?: AbortSignal): Promise<number> {
    const sentAt = Date.now();
    const body = await this.client.call(this.services.device, '<tds:GetSystemDateAndTime/>', { wsse: false, signal, action: `${ACTION.device}/GetSystemDateAndTime` });
    const cameraMs = parseOnvifDateTime(find(body, 'UTCDateTime'));
    if (cameraMs !== undefined) this.client.clockOffsetMs = cameraMs - Math.round((sentAt + Date.now()) / 2);
    return this.client.clockOffsetMs;
  }

  private async serviceUrls(signal?: AbortSignal): Promise<ServiceUrls> {
    const urls: ServiceUrls = { device: this.services.device };
    try {
      const caps = await this.client.call(this.services.device, '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>', { signal, action: `${ACTION.device}/GetCapabilities` });
      const media = textOf(find(caps, 'Media'), 'XAddr');
      const events = textOf(find(caps, 'Events'), 'XAddr');
      if (media) urls.media = this.repoint(media);
      if (events) urls.events = this.repoint(events);
    } catch (err) {
      // Some newer firmwares only implement GetServices; auth failures are final either way.
      if (err instanceof AppError && err.code !== 'ONVIF_FAULT') throw err;
    }
    if (urls.media && urls.events) return urls;
    const answer = await this.client.call(this.services.device, '<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>', { signal, action: `${ACTION.device}/GetServices` });
    for (const svc of childrenNamed(answer, 'Service')) {
      const ns = textOf(svc, 'Namespace') ?? '';
      const xaddr = textOf(svc, 'XAddr');
      if (!xaddr) continue;
      if (ns.endsWith('/ver10/media/wsdl')) urls.media ??= this.repoint(xaddr);
      if (ns.endsWith('/ver10/events/wsdl')) urls.events ??= this.repoint(xaddr);
    }
    return urls;
  }

  /**
   * Where to send requests for an address the camera reported (a service XAddr or a subscription
   * address), keeping its path:
   * - on the configured host: used as reported, port included (Tapo serves its subscriptions on
   *   ports 1024+, not on the ONVIF port);
   * - on any other host (NAT, containers, a second interface, or a hostile camera): the
   *   configured host and port. Requests carry credentials, so they never go anywhere else.
   */
  repoint(xaddr: string): string {
    const first = xaddr.trim().split(/\s+/)[0] ?? '';
    let u: URL;
    try {
      u = new URL(first);
    } catch {
      return this.services.device;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return this.services.device;
    const pathAndQuery = `${u.pathname}${u.search}`;
    if (u.protocol === 'http:' && sameHost(u.hostname, this.target.host)) return `http://${urlHost(this.target.host)}:${u.port || '80'}${pathAndQuery}`;
    const used = `${this.base}${pathAndQuery}`;
    this.opts.onRepoint?.(first.slice(0, 300), used);
    return used;
  }

  async deviceInformation(signal?: AbortSignal): Promise<DeviceInformation> {
    const info = await this.client.call(this.services.device, '<tds:GetDeviceInformation/>', { signal, action: `${ACTION.device}/GetDeviceInformation` });
    const out: DeviceInformation = {};
    for (const key of ['Manufacturer', 'Model', 'FirmwareVersion', 'SerialNumber'] as const) {
      const value = safeText(textOf(info, key) ?? '', 100);
      if (value) out[(key[0]?.toLowerCase() + key.slice(1)) as keyof DeviceInformation] = value;
    }
    return out;
  }

  async profiles(signal?: AbortSignal): Promise<MediaProfile[]> {
    const answer = await this.client.call(this.mediaUrl(), '<trt:GetProfiles/>', { signal, action: `${ACTION.media}/GetProfiles` });
    return childrenNamed(answer, 'Profiles').flatMap((p) => {
      const token = p.attrs.token;
      if (!token) return [];
      const vec = path(p, 'VideoEncoderConfiguration');
      const profile: MediaProfile = {
        token,
        name: textOf(p, 'Name') ?? token,
        width: Number(textOf(path(vec, 'Resolution'), 'Width') ?? 0) || 0,
        height: Number(textOf(path(vec, 'Resolution'), 'Height') ?? 0) || 0,
      };
      const encoding = textOf(vec, 'Encoding');
      if (encoding) profile.encoding = encoding;
      return [profile];
    });
  }

  async streamUri(token: string, signal?: AbortSignal): Promise<string> {
    const body =
      `<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>` +
      `<trt:ProfileToken>${escapeXml(token)}</trt:ProfileToken></trt:GetStreamUri>`;
    const answer = await this.client.call(this.mediaUrl(), body, { signal, action: `${ACTION.media}/GetStreamUri` });
    const uri = textOf(answer, 'Uri');
    if (!uri) throw new AppError('ONVIF_BAD_RESPONSE', `camera gave no stream URI for profile "${token}"`);
    return uri;
  }

  /** Snapshot URI, or undefined when the camera has none (many answer with a fault). */
  async snapshotUri(token: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const answer = await this.client.call(this.mediaUrl(), `<trt:GetSnapshotUri><trt:ProfileToken>${escapeXml(token)}</trt:ProfileToken></trt:GetSnapshotUri>`, { signal, action: `${ACTION.media}/GetSnapshotUri` });
      return textOf(answer, 'Uri') || undefined;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'ONVIF_FAULT' || err.code === 'ONVIF_BAD_RESPONSE')) return undefined;
      throw err;
    }
  }

  private mediaUrl(): string {
    return this.services.media ?? `${this.base}/onvif/media_service`;
  }
}

/** tt:DateTime ({Date{Year,Month,Day}, Time{Hour,Minute,Second}}) → epoch ms, or undefined if incomplete. */
export function parseOnvifDateTime(node: XmlNode | undefined): number | undefined {
  const date = path(node, 'Date');
  const time = path(node, 'Time');
  const n = (parent: XmlNode | undefined, name: string): number => Number(textOf(parent, name));
  const parts = [n(date, 'Year'), n(date, 'Month'), n(date, 'Day'), n(time, 'Hour'), n(time, 'Minute'), n(time, 'Second')];
  if (parts.some((p) => !Number.isFinite(p))) return undefined;
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = parts;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
