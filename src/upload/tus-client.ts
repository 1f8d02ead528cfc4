import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const TUS_VERSION = '1.0.0';

/** The platform answered with a status the protocol step did not expect. */
export class TusHttpError extends Error {
  constructor(
    readonly method: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} answered ${status}${body ? `: ${body.slice(0, 200).trim()}` : ''}`);
    this.name = 'TusHttpError';
  }
}

export interface TusResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TusClientOptions {
  /** Platform base URL; uploads are created at `{baseUrl}/uploads`. */
  baseUrl: string;
  token: string;
  /** Socket idle timeout; a stalled connection counts as a network error. */
  idleTimeoutMs?: number;
}

export interface PatchOptions {
  signal?: AbortSignal;
  /** Called as bytes are handed to the socket (after throttling). */
  onBytes?: (n: number) => void;
}

/**
 * A small tus 1.0.0 client (core + creation + termination) over node:http. Chosen over
 * tus-js-client so that each step is explicit: the upload URL is returned by create() and the
 * caller persists it before the first PATCH; resume is HEAD then PATCH from the server's
 * offset; every request carries the bearer token.
 */
export class TusClient {
  private readonly idleTimeoutMs: number;

  constructor(private readonly opts: TusClientOptions) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  }

  /** POST {base}/uploads without data: returns the absolute upload URL. */
  async create(length: number, metadata: string, signal?: AbortSignal): Promise<string> {
    const endpoint = `${this.opts.baseUrl.replace(/\/+$/, '')}/uploads`;
    const res = await this.request('POST', endpoint, { 'Upload-Length': String(length), 'Upload-Metadata': metadata }, undefined, signal);
    if (res.status !== 201) throw new TusHttpError('POST', res.status, res.body);
    const location = res.headers.location;
    if (!location) throw new TusHttpError('POST', res.status, 'no Location header');
    return new URL(location, endpoint).toString();
  }

  /** HEAD: the server's offset (and length when known). 404/410 surface as TusHttpError. */
  async head(url: string, signal?: AbortSignal): Promise<{ offset: number; length: number | undefined }> {
    const res = await this.request('HEAD', url, {}, undefined, signal);
    if (res.status !== 200 && res.status !== 204) throw new TusHttpError('HEAD', res.status, res.body);
    const offset = Number(res.headers['upload-offset']);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TusHttpError('HEAD', res.status, 'missing or bad Upload-Offset');
    const lengthHeader = res.headers['upload-length'];
    const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
    return { offset, length };
  }

  /** PATCH `length` bytes from `body` at `offset`; returns the server's new offset. */
  async patch(url: string, offset: number, body: Readable, length: number, opts: PatchOptions = {}): Promise<number> {
    const headers = {
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(length),
    };
    const res = await this.request('PATCH', url, headers, body, opts.signal, opts.onBytes);
    if (res.status !== 204 && res.status !== 200) throw new TusHttpError('PATCH', res.status, res.body);
    const next = Number(res.headers['upload-offset']);
    if (!Number.isSafeInteger(next)) throw new TusHttpError('PATCH', res.status, 'missing Upload-Offset');
    return next;
  }

  /** DELETE (termination): the raw answer, which the caller records. */
  terminate(url: string, signal?: AbortSignal): Promise<TusResponse> {
    return this.request('DELETE', url, {}, undefined, signal);
  }

  private request(
    method: string,
    url: string,
    extra: Record<string, string>,
    body: Readable | undefined,
    signal: AbortSignal | undefined,
    onBytes?: (n: number) => void,
  ): Promise<TusResponse> {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {
      'Tus-Resumable': TUS_VERSION,
      Authorization: `Bearer ${this.opts.token}`,
      ...extra,
    };
    if (!body && method !== 'HEAD' && method !== 'GET') headers['Content-Length'] ??= '0';
    return new Promise<TusResponse>((resolve, reject) => {
      const req = transport.request(target, { method, headers, signal, timeout: this.idleTimeoutMs });
      req.on('timeout', () => req.destroy(new Error(`${method} timed out after ${this.idleTimeoutMs} ms without progress`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      if (!body) {
        req.end();
        return;
      }
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          onBytes?.(chunk.length);
          done(null, chunk);
        },
      });
      // A server that answers early (401, 413) closes the request; that error is already
      // reported through the response or req 'error', so the pipeline's own rejection is noise.
      pipeline(body, counter, req).catch(() => undefined);
    });
  }
}

/** Network failures, timeouts and server-side errors are worth retrying; client errors are not. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TusHttpError) return err.status >= 500 || err.status === 429 || err.status === 408 || err.status === 0;
  return true;
}
