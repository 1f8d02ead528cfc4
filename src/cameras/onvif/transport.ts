import { Readable } from 'node:stream';
import { boundedCause, boundedRequest, type BoundedCause } from '../../core/bounded-http.js';

/**
 * One bounded HTTP POST to a camera, on the code base's one bounded exchange
 * (src/core/bounded-http.ts): a total deadline (a body trickled at 1 byte/s is cut by it), an
 * idle timeout once the answer has started (a PullMessages long-poll is silent by design until
 * then), a byte budget counted while streaming, and redirects refused, never followed — following
 * one would send the SOAP envelope, and the WS-Security token inside it, to wherever the camera
 * pointed. One connection per request: cameras often serve subscriptions from another listener.
 */

/** Why a request failed, in `AppError.details.cause`; the event loop acts on `closed` (a long-poll cut by the camera). */
export type TransportCause = BoundedCause;

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  /** Deadline for the whole exchange, from connect to the last byte. */
  totalMs: number;
  /** Longest silence allowed once the answer head has arrived. */
  idleMs: number;
  maxBytes: number;
  signal?: AbortSignal | undefined;
}

export interface PostAnswer {
  status: number;
  /** Lower-cased header names; repeated headers joined by ', '. */
  header(name: string): string | undefined;
  body: string;
}

export const transportCause = boundedCause;

export async function postXml(url: URL, o: PostOptions): Promise<PostAnswer> {
  const body = Buffer.from(o.body);
  const res = await boundedRequest(url, {
    method: 'POST',
    headers: { ...o.headers, 'Content-Length': String(body.length) },
    body: Readable.from([body]),
    maxBytes: o.maxBytes,
    totalMs: o.totalMs,
    idleMs: o.idleMs,
    idleBeforeAnswer: false,
    signal: o.signal,
    peer: `the camera at ${url.host}`,
    codes: { unreachable: 'ONVIF_UNREACHABLE', badResponse: 'ONVIF_BAD_RESPONSE' },
  });
  return {
    status: res.status,
    body: res.body.toString('utf8'),
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
  };
}
