import { z } from 'zod';
import { cleanLine, cleanMultiline } from '../core/text.js';
import { errorMessage } from '../core/errors.js';
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
 * GET {url}/requests with the bearer token. One malformed entry does not hide the others
 * (invariant 5: bad input gets a clear error and never stops the daemon).
 */
export async function fetchRequests(baseUrl: string, token: string, timeoutMs = 15_000): Promise<FetchRequestsResult> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl.replace(/\/+$/, '')}/requests`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // undici's message is just "fetch failed"; the useful part (ECONNREFUSED, timeout) is the cause.
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : errorMessage(err);
    throw new Error(`GET /requests failed: ${cause}`, { cause: err });
  }
  if (res.status === 401 || res.status === 403) throw new PlatformAuthError(res.status);
  if (!res.ok) throw new Error(`GET /requests answered ${res.status}`);
  const answer = answerSchema.safeParse(await res.json());
  if (!answer.success) throw new Error('GET /requests: answer is not {"requests": [...]}');
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
