import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { boundedRequest } from '../core/bounded-http.js';
import { AppError } from '../core/errors.js';

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
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TusClientOptions {
  /** Platform base URL; uploads are created at `{baseUrl}/uploads`. */
  baseUrl: string;
  token: string;
  /** Longest silence in either direction; a stalled connection counts as a network error. */
  idleTimeoutMs?: number;
  /** Deadline of a request without a body, and the fixed part of a PATCH's deadline. */
  totalTimeoutMs?: number;
  /** The configured upload limit (platform.maxUploadKbps; 0 = none): a PATCH's deadline allows for it. */
  maxUploadKbps?: number;
}

/** tus answers carry headers and at most a short error text; anything bigger is refused. */
export const MAX_TUS_ANSWER_BYTES = 64 * 1024;
/**
 * The slowest average rate a PATCH body may go out at before its deadline cuts it (8 KiB/s,
 * 64 kbit/s), unless the configured upload limit is lower still. A platform that reads the body
 * a byte at a time cannot hold an upload slot forever.
 */
const FLOOR_BYTES_PER_SECOND = 8 * 1024;

/** Deadline of a PATCH carrying `length` bytes: the fixed part plus the time at the floor rate (or half the configured limit, when lower). */
export function patchDeadlineMs(length: number, totalMs: number, maxUploadKbps: number): number {
  const limited = maxUploadKbps > 0 ? (maxUploadKbps * 1000) / 8 / 2 : Infinity;
  const rate = Math.min(FLOOR_BYTES_PER_SECOND, limited);
  return totalMs + Math.ceil((length / rate) * 1000);
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
  private readonly totalTimeoutMs: number;

  constructor(private readonly opts: TusClientOptions) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.totalTimeoutMs = opts.totalTimeoutMs ?? 120_000;
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
    const deadline = patchDeadlineMs(length, this.totalTimeoutMs, this.opts.maxUploadKbps ?? 0);
    const res = await this.request('PATCH', url, headers, body, opts.signal, opts.onBytes, deadline);
    if (res.status !== 204 && res.status !== 200) throw new TusHttpError('PATCH', res.status, res.body);
    const next = Number(res.headers['upload-offset']);
    if (!Number.isSafeInteger(next)) throw new TusHttpError('PATCH', res.status, 'missing Upload-Offset');
    return next;
  }

  /** DELETE (termination): the raw answer, which the caller records. */
  terminate(url: string, signal?: AbortSignal): Promise<TusResponse> {
    return this.request('DELETE', url, {}, undefined, signal);
  }

  private async request(
    method: string,
    url: string,
    extra: Record<string, string>,
    body: Readable | undefined,
    signal: AbortSignal | undefined,
    onBytes?: (n: number) => void,
    totalMs = this.totalTimeoutMs,
  ): Promise<TusResponse> {
    const headers: Record<string, string> = {
      'Tus-Resumable': TUS_VERSION,
      Authorization: `Bearer ${this.opts.token}`,
      ...extra,
    };
    if (!body && method !== 'HEAD' && method !== 'GET') headers['Content-Length'] ??= '0';
    const target = new URL(url);
    // The token goes only where the owner pointed it: an upload URL the platform gave on another origin is refused.
    if (target.origin !== new URL(this.opts.baseUrl).origin) {
      throw new AppError('PLATFORM_BAD_RESPONSE', `refusing to send the platform token to ${target.origin}: not the configured platform ${new URL(this.opts.baseUrl).origin}`);
    }
    const res = await boundedRequest(target, {
      method,
      headers,
      ...(body ? { body } : {}),
      maxBytes: MAX_TUS_ANSWER_BYTES,
      totalMs,
      idleMs: this.idleTimeoutMs,
      signal,
      onBytes,
      peer: 'the community platform',
      codes: { unreachable: 'PLATFORM_UNREACHABLE', badResponse: 'PLATFORM_BAD_RESPONSE' },
    });
    return { status: res.status, headers: res.headers, body: res.body.toString('utf8') };
  }
}

/** Network failures, timeouts and server-side errors are worth retrying; client errors are not. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TusHttpError) return err.status >= 500 || err.status === 429 || err.status === 408 || err.status === 0;
  return true;
}
