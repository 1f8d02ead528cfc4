import { createHash, randomBytes } from 'node:crypto';
import { AppError, errorMessage } from '../../core/errors.js';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from './digest.js';
import { find, findAll, parseXmlDocument, textOf, XmlError, MAX_XML_BYTES, escapeXml, type XmlNode } from './xml.js';

/**
 * A minimal SOAP 1.2 client for ONVIF, written instead of using the `onvif` package's Cam:
 * that library cannot be cancelled (no AbortSignal, so a stop or a registry retry would leave
 * requests hanging), its promise typings are wrong, and its automatic event loop re-subscribes
 * in a tight loop on faults and stops on some date formats (see TEAM.md traps). Owning the
 * transport lets us bound every request, pick the auth scheme, and parse broken XML safely.
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

export interface SoapCallOptions {
  /** SOAP action URI, sent in the Content-Type; some cameras route on it. */
  action?: string;
  /** Extra SOAP header XML (WS-Addressing for PullPoint subscriptions). */
  header?: string;
  /** Send credentials (false for GetSystemDateAndTime, which must work before the clock is known). */
  auth?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SoapClientOptions {
  credentials?: Credentials;
  /** Default request timeout. */
  timeoutMs?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Milliseconds to add to our clock to get the camera's (WS-Security timestamps use camera time). */
export class SoapClient {
  clockOffsetMs = 0;
  private digest: { challenge: DigestChallenge; nc: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: SoapClientOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  get username(): string | undefined {
    return this.opts.credentials?.username;
  }

  /** POST a SOAP body; returns the first element inside soap:Body. Throws AppError on any failure. */
  async call(url: string, body: string, opts: SoapCallOptions = {}): Promise<XmlNode> {
    const auth = opts.auth !== false && this.opts.credentials !== undefined;
    const envelope = this.envelope(body, auth, opts.header ?? '');
    let res = await this.post(url, envelope, auth, opts);
    if (res.status === 401 && auth) {
      const challenge = parseDigestChallenge(res.headers.get('www-authenticate'));
      // One retry with a fresh challenge; a second 401 means the credentials are wrong.
      if (challenge) {
        this.digest = { challenge, nc: 0 };
        await res.body?.cancel();
        res = await this.post(url, envelope, auth, opts);
      }
    }
    return this.readAnswer(url, res);
  }

  private async post(url: string, envelope: string, auth: boolean, opts: SoapCallOptions): Promise<Response> {
    const headers: Record<string, string> = {
      'Content-Type': `application/soap+xml; charset=utf-8${opts.action ? `; action="${opts.action}"` : ''}`,
    };
    if (auth && this.digest && this.opts.credentials) {
      this.digest.nc += 1;
      headers.Authorization = digestAuthorization({
        challenge: this.digest.challenge,
        method: 'POST',
        uri: new URL(url).pathname + new URL(url).search,
        username: this.opts.credentials.username,
        password: this.opts.credentials.password,
        nc: this.digest.nc,
      });
    }
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    try {
      return await fetch(url, { method: 'POST', headers, body: envelope, signal });
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      const where = new URL(url).host;
      if (timeout.aborted) throw new AppError('ONVIF_UNREACHABLE', `camera at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s`);
      throw new AppError('ONVIF_UNREACHABLE', `cannot reach camera at ${where}: ${networkCause(err)}`);
    }
  }

  private async readAnswer(url: string, res: Response): Promise<XmlNode> {
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > MAX_XML_BYTES) {
      await res.body?.cancel();
      throw new AppError('ONVIF_BAD_RESPONSE', `camera answer too large (${length} bytes)`);
    }
    const text = await res.text().catch((err: unknown) => {
      throw new AppError('ONVIF_UNREACHABLE', `camera connection dropped: ${networkCause(err)}`);
    });
    let doc: XmlNode | undefined;
    let complete = false;
    try {
      ({ root: doc, complete } = parseXmlDocument(text));
    } catch (err) {
      if (!(err instanceof XmlError)) throw err;
    }
    const fault = find(doc, 'Fault');
    if (fault) throw faultError(fault, this.username);
    if (res.status === 401) {
      throw new AppError('ONVIF_AUTH_FAILED', `camera refused the ONVIF credentials${this.username ? ` for user "${this.username}"` : ' (none configured)'}`);
    }
    if (res.status < 200 || res.status >= 300) {
      throw new AppError('ONVIF_BAD_RESPONSE', `camera answered HTTP ${res.status} at ${new URL(url).pathname}`);
    }
    // A truncated answer (camera rebooting mid-reply) parses into a plausible but partial tree: refuse it.
    if (doc && !complete) throw new AppError('ONVIF_BAD_RESPONSE', `camera sent a truncated SOAP answer (${text.length} bytes)`);
    const first = find(doc, 'Body')?.children[0];
    if (!first) throw new AppError('ONVIF_BAD_RESPONSE', `camera sent an unreadable SOAP answer (${text.length} bytes)`);
    return first;
  }

  private envelope(body: string, auth: boolean, header: string): string {
    const security = auth && this.opts.credentials ? this.wsSecurity(this.opts.credentials) : '';
    const ns = Object.entries(NS)
      .map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`)
      .join('');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>` +
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"${ns}>` +
      `<s:Header>${security}${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
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

function networkCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(err);
}

/** Turn a SOAP Fault into an AppError; NotAuthorized (any SOAP version's spelling) means bad credentials. */
export function faultError(fault: XmlNode, username: string | undefined): AppError {
  // SOAP 1.2 nests the interesting code (ter:NotAuthorized) in Code/Subcode/Value; SOAP 1.1 uses faultcode.
  const codes = [...findAll(fault, 'Value').map((v) => v.text), textOf(fault, 'faultcode')]
    .filter((v): v is string => Boolean(v))
    .join(' ');
  const reason = (textOf(fault, 'Text') ?? textOf(fault, 'faultstring') ?? '').slice(0, 200);
  if (/NotAuthorized|FailedAuthentication|not authori[sz]ed|InvalidSecurity/i.test(`${codes} ${reason}`)) {
    return new AppError('ONVIF_AUTH_FAILED', `camera refused the ONVIF credentials${username ? ` for user "${username}"` : ' (none configured)'}${reason ? `: ${reason}` : ''}`);
  }
  return new AppError('ONVIF_FAULT', `camera answered with a SOAP fault${reason ? `: ${reason}` : ''}${codes ? ` (${codes.slice(0, 200)})` : ''}`);
}
