import { z } from 'zod';
import { boundedRequest } from '../core/bounded-http.js';
import { cleanLine, cleanMultiline } from '../core/text.js';
import { AppError } from '../core/errors.js';
import type { AssistanceRequest } from '../core/types.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 time');

/** The platform's answer to GET {url}/requests, exactly as the platform protocol specifies it (docs/upload.md). */
const requestSchema = z.object({
  id: z.string().min(1).max(200),
  // Shown to the owner: bidi and control characters go (src/core/text.ts).
  agency: z.string().max(500).overwrite(cleanLine).default(''),
  caseNumber: z.string().max(200).overwrite(cleanLine).default(''),
  title: z.string().max(500).overwrite(cleanLine).default(''),
  description: z.string().max(10_000).overwrite(cleanMultiline).default(''),
  startsAt: isoTime,
  endsAt: isoTime,
  area: z
    .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), radiusMeters: z.number().positive() })
    .nullable()
    .optional(),
});

const answerSchema = z.object({ requests: z.array(z.unknown()) });

/** Largest answer read: 1,000 requests of a few KiB each fit with room to spare. */
export const MAX_REQUESTS_BYTES = 4 * 1024 * 1024;
/** Most requests read from one answer; a platform sending more is refused, not half-read. */
export const MAX_REQUESTS = 1_000;

export interface FetchRequestsOptions {
  /** Deadline of the whole exchange (default 30 s). */
  totalMs?: number;
  /** Longest silence (default 10 s). */
  idleMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

/** The platform said no to our token; the poller turns this into a visible problem. */
export class PlatformAuthError extends Error {
  constructor(readonly status: number) {
    super(`the community platform refused the token (${status}); check platform.token`);
    this.name = 'PlatformAuthError';
  }
}

export interface FetchRequestsResult {
  requests: AssistanceRequest[];
  /** Entries the platform sent that did not match the protocol; skipped, not fatal. */
  invalid: number;
}

/**
 * GET {url}/requests with the bearer token, read with bounded memory and time (a hostile
 * platform sending 300 MB or trickling costs at most MAX_REQUESTS_BYTES and `totalMs`). One
 * malformed entry does not hide the others (invariant 5: bad input gets a clear error and never
 * stops the daemon).
 */
export async function fetchRequests(baseUrl: string, token: string, opts: FetchRequestsOptions = {}): Promise<FetchRequestsResult> {
  const maxBytes = opts.maxBytes ?? MAX_REQUESTS_BYTES;
  const res = await boundedRequest(new URL(`${baseUrl.replace(/\/+$/, '')}/requests`), {
    method: 'GET',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    maxBytes,
    totalMs: opts.totalMs ?? 30_000,
    idleMs: opts.idleMs ?? 10_000,
    signal: opts.signal,
    peer: 'the community platform',
    codes: { unreachable: 'PLATFORM_UNREACHABLE', badResponse: 'PLATFORM_BAD_RESPONSE' },
  });
  if (res.status === 401 || res.status === 403) throw new PlatformAuthError(res.status);
  if (res.status < 200 || res.status >= 300) throw new AppError('PLATFORM_BAD_RESPONSE', `GET /requests answered ${res.status}`);
  let json: unknown;
  try {
    json = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new AppError('PLATFORM_BAD_RESPONSE', `GET /requests: the answer is not JSON (${res.body.length} bytes)`);
  }
  const count = Array.isArray((json as { requests?: unknown } | null)?.requests) ? (json as { requests: unknown[] }).requests.length : 0;
  if (count > MAX_REQUESTS) throw new AppError('PLATFORM_BAD_RESPONSE', `GET /requests: ${count} requests in one answer, more than the ${MAX_REQUESTS} clipgate reads`);
  const answer = answerSchema.safeParse(json);
  if (!answer.success) throw new AppError('PLATFORM_BAD_RESPONSE', 'GET /requests: answer is not {"requests": [...]}');
  const requests: AssistanceRequest[] = [];
  let invalid = 0;
  for (const item of answer.data.requests) {
    const parsed = requestSchema.safeParse(item);
    if (!parsed.success) {
      invalid++;
      continue;
    }
    const r = parsed.data;
    requests.push({
      id: r.id,
      agency: r.agency,
      caseNumber: r.caseNumber,
      title: r.title,
      description: r.description,
      startsAt: new Date(r.startsAt).toISOString(),
      endsAt: new Date(r.endsAt).toISOString(),
      area: r.area ?? null,
    });
  }
  return { requests, invalid };
}
