import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { digestAuthorization, parseDigestChallenge } from '../onvif/digest.js';
import { VendorError } from './errors.js';

/**
 * GET requests to a camera's own HTTP API with the guarantees the event sources need:
 * - HTTP Digest (MD5/SHA-256) with a fresh challenge per request: some Hikvision firmware
 *   breaks when a nonce is reused and then answers 401 without any challenge, which would look
 *   like a wrong password. Basic only when the camera offers nothing else;
 * - credentials only to the configured host: a redirect is followed only to the same host name
 *   (a camera set to "HTTPS only" redirects http → https), anything else is refused;
 * - one deadline over the whole connect phase (TCP, challenge round trip, response headers);
 * - an AbortSignal that tears down the socket at once.
 * HTTPS certificates are not verified: cameras ship self-signed ones. Digest never sends the
 * password itself.
 */
export interface CameraEndpoint {
  host: string;
  port: number;
  https: boolean;
  username: string;
  password: string;
}

export interface OpenOptions {
  signal: AbortSignal;
  /** Deadline for everything up to the response headers. */
  timeoutMs: number;
  /** Called once when the camera offers only Basic (so the owner can be told). */
  onBasic?: () => void;
}

export interface OpenResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

const MAX_REDIRECTS = 3;
const MAX_ERROR_BODY = 4 * 1024;

export function endpointUrl(ep: CameraEndpoint, pathAndQuery: string): URL {
  const host = ep.host.includes(':') && !ep.host.startsWith('[') ? `[${ep.host}]` : ep.host;
  return new URL(`${ep.https ? 'https' : 'http'}://${host}:${ep.port}${pathAndQuery}`);
}

/** GET with auth and the redirect policy; resolves with a 2xx response whose body is still unread. */
export async function openGet(ep: CameraEndpoint, pathAndQuery: string, opts: OpenOptions): Promise<OpenResponse> {
  // The deadline covers the connect phase only; the stream itself then lives until stopped.
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  let url = endpointUrl(ep, pathAndQuery);
  try {
    for (let hop = 0; ; hop++) {
      let res = await request(url, undefined, opts.signal, deadline);
      if (res.statusCode === 401) {
        const authorization = answerChallenge(res.headers['www-authenticate'], url, ep, opts);
        if (authorization) {
          res.resume();
          res = await request(url, authorization, opts.signal, deadline);
        }
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        if (hop >= MAX_REDIRECTS) throw new VendorError('VENDOR_BAD_RESPONSE', `camera redirected more than ${MAX_REDIRECTS} times`);
        url = sameHostRedirect(url, res.headers.location, ep.host);
        continue;
      }
      if (status >= 200 && status < 300) return { status, headers: res.headers, body: res };
      throw await statusError(res, url, ep.username);
    }
  } catch (err) {
    if (opts.signal.aborted) throw abortReason(opts.signal);
    if (err instanceof VendorError) throw err;
    if (deadline.aborted) throw new VendorError('VENDOR_UNREACHABLE', `camera at ${url.host} did not answer within ${Math.round(opts.timeoutMs / 1000)} s`);
    throw new VendorError('VENDOR_UNREACHABLE', `cannot reach camera at ${url.host}: ${networkCause(err)}`);
  }
}

/** GET a small document (status polling); the body is read with a size cap and the same deadline. */
export async function getText(ep: CameraEndpoint, pathAndQuery: string, opts: OpenOptions & { maxBytes: number }): Promise<string> {
  const res = await openGet(ep, pathAndQuery, opts);
  return readCapped(res.body, opts.maxBytes, AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]));
}

function request(url: URL, authorization: string | undefined, stop: AbortSignal, deadline: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: '*/*', Connection: 'close' };
    if (authorization) headers.Authorization = authorization;
    const tls = url.protocol === 'https:';
    const req = (tls ? https : http).request(url, { method: 'GET', headers, agent: false, signal: stop, ...(tls ? { rejectUnauthorized: false } : {}) });
    const onDeadline = (): void => {
      req.destroy(new Error('deadline'));
    };
    if (deadline.aborted) onDeadline();
    deadline.addEventListener('abort', onDeadline, { once: true });
    req.on('socket', (socket) => socket.setKeepAlive(true, 10_000));
    req.once('response', (res) => {
      deadline.removeEventListener('abort', onDeadline);
      resolve(res);
    });
    // Kept for the life of the request: a socket error after the response must not go unhandled;
    // the body reader sees it as the response's own 'error'/'close'.
    req.on('error', (err) => {
      deadline.removeEventListener('abort', onDeadline);
      reject(err);
    });
    req.end();
  });
}

function answerChallenge(header: string | string[] | undefined, url: URL, ep: CameraEndpoint, opts: OpenOptions): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  const uri = url.pathname + url.search;
  const challenge = parseDigestChallenge(text ?? null);
  if (challenge) return digestAuthorization({ challenge, method: 'GET', uri, username: ep.username, password: ep.password, nc: 1 });
  if (text && /^\s*Basic\b/i.test(text)) {
    opts.onBasic?.();
    return `Basic ${Buffer.from(`${ep.username}:${ep.password}`).toString('base64')}`;
  }
  return undefined;
}

function sameHostRedirect(from: URL, location: string, configuredHost: string): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new VendorError('VENDOR_BAD_RESPONSE', 'camera sent an unreadable redirect');
  }
  const bare = (h: string): string => h.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare(to.hostname) !== bare(configuredHost) || (to.protocol !== 'http:' && to.protocol !== 'https:')) {
    throw new VendorError('VENDOR_BAD_RESPONSE', `camera redirected to ${to.protocol}//${to.host}; not followed, credentials go only to ${configuredHost}`);
  }
  return to;
}

async function statusError(res: IncomingMessage, url: URL, username: string): Promise<VendorError> {
  const status = res.statusCode ?? 0;
  const text = (await readCapped(res, MAX_ERROR_BODY, AbortSignal.timeout(2_000)).catch(() => '')).replace(/\s+/g, ' ').trim();
  const detail = text ? `: ${text.slice(0, 160)}` : '';
  if (status === 401) return new VendorError('VENDOR_AUTH_FAILED', `camera refused the credentials for user "${username}"`, status);
  if (status === 403) return new VendorError('VENDOR_AUTH_FAILED', `camera user "${username}" may not use ${url.pathname} (HTTP 403)${detail}`, status);
  if (status === 404) return new VendorError('VENDOR_BAD_RESPONSE', `camera has no ${url.pathname} (HTTP 404): wrong event source for this brand, or the API is disabled`, status);
  return new VendorError('VENDOR_BAD_RESPONSE', `camera answered HTTP ${status} at ${url.pathname}${detail}`, status);
}

/** Read a body up to maxBytes (more is an error), as latin1-safe UTF-8 text. */
export function readCapped(body: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      body.removeAllListeners('data');
    };
    const onAbort = (): void => {
      cleanup();
      body.destroy();
      reject(new VendorError('VENDOR_UNREACHABLE', 'camera answer did not complete in time'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        body.destroy();
        reject(new VendorError('VENDOR_BAD_RESPONSE', `camera answer larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    body.once('error', (err) => {
      cleanup();
      reject(new VendorError('VENDOR_UNREACHABLE', `camera connection dropped: ${networkCause(err)}`));
    });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

export function networkCause(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  return e.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
