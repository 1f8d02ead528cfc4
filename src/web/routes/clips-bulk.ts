import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ClipStatus } from '../../core/types.js';
import type { WebApiDeps } from '../context.js';
import { toEnvelope } from '../errors.js';
import { idSchema, parseInput } from '../validate.js';

/** The most ids one bulk request may name (a page of the queue is at most 200; select-all over pages stays under this). */
export const BULK_MAX_IDS = 500;

const bulkBody = z.strictObject({
  ids: z
    .array(idSchema)
    .min(1)
    .max(BULK_MAX_IDS)
    .refine((ids) => new Set(ids).size === ids.length, 'must not name a clip twice'),
});

/**
 * One id's outcome. `status` is the clip's status afterwards while the clip still exists (a refused
 * clip shows why: `approved`); it is absent once the clip is deleted or was never there.
 */
export interface BulkResult {
  id: string;
  ok: boolean;
  status?: ClipStatus;
  error?: { code: string; message: string };
}

/**
 * Apply `act` to each id in turn, each through the review service as the one-clip routes do: its
 * own transaction and its own ledger entry, so one refusal (a shared clip) leaves the others done.
 * The event loop gets a turn between ids, so 500 fsynced ledger writes never hold up other requests.
 */
async function eachId(deps: WebApiDeps, ids: string[], act: (id: string) => void): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const id of ids) {
    let result: BulkResult;
    try {
      act(id);
      result = { id, ok: true };
    } catch (err) {
      const e = toEnvelope(err);
      if (!e) deps.log.error({ err, clipId: id }, 'bulk clip action failed');
      result = { id, ok: false, error: e ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: 'internal error' } };
    }
    const status = deps.repos.clips.get(id)?.status;
    results.push(status === undefined ? result : { ...result, status });
    await nextTurn();
  }
  return results;
}

function summary(results: BulkResult[]): { done: number; refused: number } {
  const done = results.filter((r) => r.ok).length;
  return { done, refused: results.length - done };
}

/**
 * Reject or delete several clips in one request (the queue's multi-select). There is no bulk
 * approve, and there never will be: consent is given per clip, after seeing its export.
 * Delete is a POST with the ids in the body: a body on DELETE has no defined meaning in HTTP
 * (RFC 9110 §9.3.5) and proxies such as an ingress may drop it.
 */
export async function clipBulkRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  app.post('/clips/reject', async (req) => {
    const { ids } = parseInput(bulkBody, req.body, 'body');
    const results = await eachId(deps, ids, (id) => deps.controls.review.reject(id));
    deps.log.info({ action: 'reject', requested: ids.length, ...summary(results), principal: req.principal?.kind }, 'clips rejected in bulk');
    return results;
  });

  app.post('/clips/delete', async (req) => {
    const { ids } = parseInput(bulkBody, req.body, 'body');
    const results = await eachId(deps, ids, (id) => deps.controls.review.delete(id));
    deps.log.info({ action: 'delete', requested: ids.length, ...summary(results), principal: req.principal?.kind }, 'clips deleted in bulk');
    return results;
  });
}
