import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, type ErrorCode } from './errors.js';

/**
 * One HTTP exchange with a peer that may be hostile (the community platform; invariant 7):
 * - the answer body is counted while it streams, chunked included, and the exchange is cut the
 *   moment it passes `maxBytes`, whatever Content-Length says, so memory per answer is bounded;
 * - a total deadline covers everything from connect to the last byte (an answer trickled at one
 *   byte a second is cut by it), and an idle timeout cuts a silent peer in either direction
 *   (no request bytes taken, no answer bytes sent);
 * - redirects are refused, never followed: the bearer token goes only to the configured host;
 * - an AbortSignal tears the socket down at once.
 * node:http rather than fetch: no hidden redirect following, no decompression, no connection
 * pool shared with anything else. Every failure is an AppError with one of the caller's two codes
 * and the reason in `details.cause`.
 */

export type BoundedCause = 'refused' | 'network' | 'closed' | 'timeout' | 'idle' | 'too-large' | 'redirect' | 'protocol';

export interface BoundedRequestOptions {
  method: string;
  /** Sent as they are; a streamed body needs its Content-Length here. */
  headers: Record<string, string>;
  body?: Readable;
  /** Largest answer body accepted, in bytes. */
  maxBytes: number;
  /** Deadline of the whole exchange. */
  totalMs: number;
  /** Longest silence allowed in either direction. */
  idleMs: number;
  /**
   * Whether the idle timeout also runs while waiting for the answer to begin (default true). A
   * long-poll (ONVIF PullMessages) is held open silently by design: it sets false and relies on
   * the total deadline until the answer starts.
   */
  idleBeforeAnswer?: boolean;
  signal?: AbortSignal | undefined;
  /** Called as request body bytes are handed to the socket. */
  onBytes?: ((n: number) => void) | undefined;
  /** The peer as the owner knows it, for messages ("the community platform"). */
  peer: string;
  /** Error codes: the peer could not be reached, or it answered in a way that is refused. */
  codes: { unreachable: ErrorCode; badResponse: ErrorCode };
}

export interface BoundedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function boundedCause(err: unknown): BoundedCause | undefined {
  if (!(err instanceof AppError)) return undefined;
  return (err.details as { cause?: BoundedCause } | undefined)?.cause;
}

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}

function socketCause(err: NodeJS.ErrnoException): BoundedCause {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(err.message)) return 'closed';
  if (code.startsWith('HPE_')) return 'protocol';
  return 'network';
}

export function boundedRequest(url: URL, o: BoundedRequestOptions): Promise<BoundedResponse> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const what = `${o.method} ${url.pathname}`;
    let settled = false;
    let answered = false;
    let received = 0;
    let chunks: Buffer[] = [];
    let idle: NodeJS.Timeout | undefined;
    const req = transport.request(url, { method: o.method, headers: o.headers, agent: false });
    const finish = (): void => {
      settled = true;
      clearTimeout(total);
      clearTimeout(idle);
      o.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error): void => {
      if (settled) return;
      finish();
      chunks = [];
      req.destroy();
      o.body?.destroy();
      reject(err);
    };
    const failWith = (cause: BoundedCause, message: string): void => {
      // A dropped connection is a network matter whenever it happens; a slow or silent peer is
      // unreachable only until it has begun to answer.
      const unreachable = cause === 'closed' || (!answered && (cause === 'refused' || cause === 'network' || cause === 'timeout' || cause === 'idle'));
      fail(new AppError(unreachable ? o.codes.unreachable : o.codes.badResponse, message, { cause }));
    };
    const onAbort = (): void => fail(abortError(o.signal));
    const armIdle = (): void => {
      clearTimeout(idle);
      if (settled || (!answered && o.idleBeforeAnswer === false)) return;
      idle = setTimeout(() => failWith('idle', `${o.peer} went silent for ${seconds(o.idleMs)} s during ${what} (${received} bytes of answer received)`), o.idleMs);
    };
    const total = setTimeout(() => failWith('timeout', `${what} to ${o.peer} did not finish within ${seconds(o.totalMs)} s (${received} bytes of answer received)`), o.totalMs);
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    armIdle();

    req.on('error', (err: NodeJS.ErrnoException) => {
      const cause = socketCause(err);
      if (cause === 'protocol') failWith(cause, `${o.peer} sent a broken HTTP answer to ${what} (${err.code ?? 'parse error'})`);
      else if (cause === 'closed') failWith(cause, `${o.peer} closed the connection during ${what} (${received} bytes of answer received)`);
      else failWith(cause, `cannot reach ${o.peer}${o.peer.includes(url.host) ? '' : ` (${url.host})`}: ${err.code ?? err.message}`);
    });
    req.on('response', (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return failWith('redirect', `${o.peer} answered ${what} with a redirect (HTTP ${status}); redirects are not followed`);
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > o.maxBytes) return failWith('too-large', `${o.peer}'s answer to ${what} is too large (${declared} bytes, limit ${o.maxBytes})`);
      armIdle();
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        if (received > o.maxBytes) return failWith('too-large', `${o.peer}'s answer to ${what} is too large (more than ${o.maxBytes} bytes)`);
        chunks.push(chunk);
        armIdle();
      });
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) return failWith('closed', `${o.peer} dropped the connection during ${what} after ${received} bytes`);
        finish();
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('aborted', () => failWith('closed', `${o.peer} dropped the connection during ${what} after ${received} bytes`));
      res.on('error', () => failWith('closed', `${o.peer} dropped the connection during ${what} after ${received} bytes`));
    });
    if (!o.body) {
      req.end();
      return;
    }
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        armIdle();
        o.onBytes?.(chunk.length);
        done(null, chunk);
      },
    });
    // A peer that answers early (401, 413) closes the request; that outcome arrives through the
    // response or req 'error', so the pipeline's own rejection carries nothing new.
    pipeline(o.body, counter, req).catch(() => undefined);
  });
}
