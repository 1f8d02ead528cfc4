import http from 'node:http';
import { AppError } from '../../core/errors.js';

/**
 * One bounded HTTP POST to a camera. Cameras are untrusted peers, so every exchange has:
 * a total deadline (a body trickled at 1 byte/s is cut by it), an idle timeout once the answer
 * has started (no bytes for `idleMs`), and a byte budget counted while streaming, chunked bodies
 * included, so memory per answer never exceeds `maxBytes` whatever Content-Length says.
 * Redirects are refused, never followed: following one would send the SOAP envelope, and the
 * WS-Security token inside it, to wherever the camera pointed.
 *
 * node:http rather than fetch: no hidden redirect following or decompression, one connection
 * per request (cameras often serve subscriptions from a different listener), and the socket
 * errors tell a long-poll cut by the camera (`closed`) apart from a refused connection.
 */

/** Why a request failed, in `AppError.details.cause`; the event loop acts on `closed`. */
export type TransportCause = 'refused' | 'timeout' | 'idle' | 'closed' | 'too-large' | 'redirect' | 'protocol' | 'network';

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

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

export function transportCause(err: unknown): TransportCause | undefined {
  if (!(err instanceof AppError)) return undefined;
  const details = err.details as { cause?: TransportCause } | undefined;
  return details?.cause;
}

function socketCause(err: NodeJS.ErrnoException): TransportCause {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(err.message)) return 'closed';
  if (code.startsWith('HPE_')) return 'protocol';
  return 'network';
}

export function postXml(url: URL, o: PostOptions): Promise<PostAnswer> {
  const where = url.host;
  return new Promise((resolve, reject) => {
    let settled = false;
    let started = false;
    let received = 0;
    const chunks: Buffer[] = [];
    let idle: NodeJS.Timeout | undefined;
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { ...o.headers, 'Content-Length': String(Buffer.byteLength(o.body)) },
    });
    const finish = (): void => {
      settled = true;
      clearTimeout(total);
      clearTimeout(idle);
      o.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error): void => {
      if (settled) return;
      finish();
      req.destroy();
      reject(err);
    };
    const failWith = (cause: TransportCause, code: 'ONVIF_UNREACHABLE' | 'ONVIF_BAD_RESPONSE', message: string): void =>
      fail(new AppError(code, message, { cause }));
    const onAbort = (): void => fail(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(
        () => failWith('idle', 'ONVIF_BAD_RESPONSE', `camera at ${where} stopped sending its answer for ${seconds(o.idleMs)} s (${received} bytes received)`),
        o.idleMs,
      );
    };
    const total = setTimeout(() => {
      if (started) failWith('timeout', 'ONVIF_BAD_RESPONSE', `camera at ${where} did not finish its answer within ${seconds(o.totalMs)} s (${received} bytes received)`);
      else failWith('timeout', 'ONVIF_UNREACHABLE', `camera at ${where} did not answer within ${seconds(o.totalMs)} s`);
    }, o.totalMs);
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', (err: NodeJS.ErrnoException) => {
      const cause = socketCause(err);
      if (cause === 'protocol') failWith(cause, 'ONVIF_BAD_RESPONSE', `camera at ${where} sent a broken HTTP answer (${err.code ?? 'parse error'})`);
      else if (cause === 'closed') failWith(cause, 'ONVIF_UNREACHABLE', `camera at ${where} closed the connection without answering`);
      else failWith(cause, 'ONVIF_UNREACHABLE', `cannot reach camera at ${where}: ${err.code ?? err.message}`);
    });
    req.on('response', (res) => {
      started = true;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        return failWith('redirect', 'ONVIF_BAD_RESPONSE', `camera at ${where} answered with a redirect (HTTP ${status}); redirects are not followed`);
      }
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > o.maxBytes) return failWith('too-large', 'ONVIF_BAD_RESPONSE', `camera answer too large (${declared} bytes, limit ${o.maxBytes})`);
      armIdle();
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        if (received > o.maxBytes) return failWith('too-large', 'ONVIF_BAD_RESPONSE', `camera answer too large (more than ${o.maxBytes} bytes)`);
        chunks.push(chunk);
        armIdle();
      });
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) return failWith('closed', 'ONVIF_UNREACHABLE', `camera connection dropped after ${received} bytes`);
        finish();
        const body = Buffer.concat(chunks).toString('utf8');
        chunks.length = 0;
        resolve({ status, body, header: (name) => headerValue(res.headers[name.toLowerCase()]) });
      });
      res.on('aborted', () => failWith('closed', 'ONVIF_UNREACHABLE', `camera connection dropped after ${received} bytes`));
      res.on('error', () => failWith('closed', 'ONVIF_UNREACHABLE', `camera connection dropped after ${received} bytes`));
    });
    req.end(o.body);
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}
