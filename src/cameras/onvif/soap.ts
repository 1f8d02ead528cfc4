import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from './digest.js';
import { postXml, type PostAnswer } from './transport.js';
import { childrenNamed, escapeXml, findAll, MAX_XML_BYTES, parseXmlDocument, textOf, XmlError, type XmlNode } from './xml.js';

/**
 * A minimal SOAP 1.2 client for ONVIF, written instead of using the `onvif` package's Cam: that
 * library cannot be cancelled (no AbortSignal), and its own event loop re-subscribes in a tight
 * loop when a camera faults. Owning the transport lets us bound every request (deadline, idle
 * timeout, byte budget), choose the auth scheme, address every message the way strict firmware
 * wants (WS-Addressing), and keep the credentials on the configured host.
 */

export interface Credentials {
  username: string;
  password: string;
}

export const NS = {
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
} as const;

export const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

export interface SoapCallOptions {
  /** The WSDL action URI: sent as wsa:Action and in the Content-Type. */
  action: string;
  /** wsa:To; defaults to the URL posted to. Subscription requests use the address the camera gave. */
  to?: string;
  /** Extra SOAP header XML (the subscription's reference parameters). */
  header?: string;
  /** Add a WS-Security UsernameToken (default true). GetSystemDateAndTime goes without: the clock is not known yet. */
  wsse?: boolean;
  /** Total deadline of the exchange. */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

export interface SoapClientOptions {
  /** The configured camera host: the only host credentials are ever sent to. */
  host: string;
  credentials?: Credentials;
  /** Default total deadline per request. */
  timeoutMs?: number;
  /** Silence allowed once an answer has started. */
  idleMs?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_MS = 5_000;
/** Camera-supplied text shown to the owner: no control or bidi characters, bounded length. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are removed
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function safeText(text: string, max = 200): string {
  return text.replace(UNSAFE_TEXT, ' ').trim().slice(0, max);
}

/** Host names compared the way URLs write them: lower case, IPv6 without brackets. */
export function sameHost(a: string, b: string): boolean {
  const norm = (h: string): string => h.toLowerCase().replace(/^\[|\]$/g, '');
  return norm(a) === norm(b);
}

export class SoapClient {
  /** Milliseconds to add to our clock to get the camera's (WS-Security timestamps use camera time). */
  clockOffsetMs = 0;
  private digest: { challenge: DigestChallenge; nc: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: SoapClientOptions) {
    this.now = opts.now ?? Date.now;
  }

  get username(): string | undefined {
    return this.opts.credentials?.username;
  }

  /** POST a SOAP body; returns the first element inside soap:Body. Throws AppError on any failure. */
  async call(url: string, body: string, opts: SoapCallOptions): Promise<XmlNode> {
    const target = this.checkedUrl(url);
    let answer = await this.post(target, body, opts);
    if (answer.status === 401 && this.opts.credentials) {
      // One retry with the fresh challenge (also after a stale nonce); a second 401 means wrong credentials.
      const challenge = parseDigestChallenge(answer.header('www-authenticate') ?? null);
      if (challenge) {
        this.digest = { challenge, nc: 0 };
        answer = await this.post(target, body, opts);
      }
    }
    return this.readAnswer(target, answer);
  }

  /** Refuses any URL whose host is not the configured one: credentials travel with every request. */
  private checkedUrl(url: string): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new AppError('ONVIF_BAD_RESPONSE', 'camera gave a service address that is not a URL');
    }
    if (u.protocol !== 'http:') throw new AppError('ONVIF_BAD_RESPONSE', `camera gave a service address clipgate cannot use (${safeText(u.protocol, 20)})`);
    if (!sameHost(u.hostname, this.opts.host)) {
      throw new AppError('ONVIF_BAD_RESPONSE', `refusing to send ONVIF requests to ${safeText(u.hostname, 100)}: not the configured camera host ${this.opts.host}`);
    }
    return u;
  }

  private async post(url: URL, body: string, opts: SoapCallOptions): Promise<PostAnswer> {
    const headers: Record<string, string> = { 'Content-Type': `application/soap+xml; charset=utf-8; action="${opts.action}"` };
    const credentials = this.opts.credentials;
    if (this.digest && credentials) {
      this.digest.nc += 1;
      headers.Authorization = digestAuthorization({
        challenge: this.digest.challenge,
        method: 'POST',
        uri: url.pathname + url.search,
        username: credentials.username,
        password: credentials.password,
        nc: this.digest.nc,
      });
    }
    // Each attempt is a new message: a new MessageID and a new WS-Security nonce.
    const envelope = this.envelope(url, body, opts);
    return postXml(url, {
      headers,
      body: envelope,
      totalMs: opts.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      idleMs: this.opts.idleMs ?? DEFAULT_IDLE_MS,
      maxBytes: MAX_XML_BYTES,
      signal: opts.signal,
    });
  }

  private readAnswer(url: URL, res: PostAnswer): XmlNode {
    let root: XmlNode | undefined;
    let complete = false;
    let refused: string | undefined;
    try {
      ({ root, complete } = parseXmlDocument(res.body));
    } catch (err) {
      if (!(err instanceof XmlError)) throw err;
      refused = err.message;
    }
    const first = childrenNamed(root, 'Body')[0]?.children[0];
    const fault = first?.name === 'Fault' ? first : root?.name === 'Fault' ? root : undefined;
    if (fault) throw faultError(fault, this.username, res.status);
    if (res.status === 401) {
      throw new AppError('ONVIF_AUTH_FAILED', `camera refused the ONVIF credentials${this.username ? ` for user "${this.username}"` : ' (none configured)'}`);
    }
    if (res.status < 200 || res.status >= 300) {
      const why = refused === undefined ? '' : ` (unreadable: ${safeText(refused, 100)})`;
      throw new AppError('ONVIF_BAD_RESPONSE', `camera answered HTTP ${res.status} at ${safeText(url.pathname, 100)}${why}`, { status: res.status });
    }
    if (refused !== undefined) throw new AppError('ONVIF_BAD_RESPONSE', `camera sent an unreadable SOAP answer (${res.body.length} bytes): ${safeText(refused)}`);
    // A truncated answer (camera rebooting mid-reply) parses into a plausible but partial tree: refuse it.
    if (root && !complete) throw new AppError('ONVIF_BAD_RESPONSE', `camera sent a truncated SOAP answer (${res.body.length} bytes)`);
    if (!first) throw new AppError('ONVIF_BAD_RESPONSE', `camera sent an unreadable SOAP answer (${res.body.length} bytes)`);
    return first;
  }

  private envelope(url: URL, body: string, opts: SoapCallOptions): string {
    const credentials = this.opts.credentials;
    const security = opts.wsse !== false && credentials ? this.wsSecurity(credentials) : '';
    const ns = Object.entries(NS)
      .map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`)
      .join('');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>` +
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"${ns}>` +
      `<s:Header>${addressing(opts.action, opts.to ?? url.href)}${security}${opts.header ?? ''}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
    );
  }

  /** WS-Security UsernameToken with PasswordDigest; Created is in the camera's clock so skewed cameras accept it. */
  private wsSecurity(c: Credentials): string {
    const nonce = randomBytes(16);
    const created = new Date(this.now() + this.clockOffsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(c.password)])).digest('base64');
    const wsse = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
    const wsu = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
    const profile = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';
    return (
      `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${wsse}" xmlns:wsu="${wsu}"><wsse:UsernameToken>` +
      `<wsse:Username>${escapeXml(c.username)}</wsse:Username>` +
      `<wsse:Password Type="${profile}#PasswordDigest">${digest}</wsse:Password>` +
      `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
      `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
    );
  }
}

/**
 * WS-Addressing 1.0 headers for a request that expects its answer on the same connection: a
 * unique MessageID (some firmware faults every request without one), the WSDL action, the
 * destination and an anonymous ReplyTo.
 */
export function addressing(action: string, to: string): string {
  return (
    `<wsa:Action>${escapeXml(action)}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
    `<wsa:ReplyTo><wsa:Address>${WSA_ANONYMOUS}</wsa:Address></wsa:ReplyTo>` +
    `<wsa:To>${escapeXml(to)}</wsa:To>`
  );
}

export interface FaultDetails {
  /** Fault codes and subcodes as written (`env:Sender`, `ter:ActionNotSupported`). */
  codes: string[];
  /** HTTP status the fault came with. */
  status: number;
}

/** Codes of an ONVIF_FAULT error (empty for any other error). */
export function faultCodes(err: unknown): string[] {
  if (!(err instanceof AppError) || err.code !== 'ONVIF_FAULT') return [];
  return (err.details as FaultDetails | undefined)?.codes ?? [];
}

/** Turn a SOAP Fault into an AppError; NotAuthorized (any SOAP version's spelling) means bad credentials. */
export function faultError(fault: XmlNode, username: string | undefined, status = 500): AppError {
  // SOAP 1.2 nests the interesting code (ter:NotAuthorized) in Code/Subcode/Value; SOAP 1.1 uses faultcode.
  const codes = [...findAll(fault, 'Value').slice(0, 8).map((v) => v.text), textOf(fault, 'faultcode')]
    .filter((v): v is string => Boolean(v))
    .map((v) => safeText(v, 100));
  const joined = codes.join(' ');
  const reason = safeText(textOf(fault, 'Text') ?? textOf(fault, 'faultstring') ?? '');
  if (/NotAuthorized|FailedAuthentication|not authori[sz]ed|InvalidSecurity/i.test(`${joined} ${reason}`)) {
    return new AppError('ONVIF_AUTH_FAILED', `camera refused the ONVIF credentials${username ? ` for user "${username}"` : ' (none configured)'}${reason ? `: ${reason}` : ''}`);
  }
  const details: FaultDetails = { codes, status };
  return new AppError('ONVIF_FAULT', `camera answered with a SOAP fault${reason ? `: ${reason}` : ''}${joined ? ` (${joined.slice(0, 200)})` : ''}`, details);
}
