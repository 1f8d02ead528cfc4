import type { FastifyInstance } from 'fastify';
import { need, type WebApiDeps } from '../context.js';
import { ledgerView, problemView, requestView } from '../views.js';

/** Read-only views: requests for assistance, the share ledger and its verification, problems. */
export async function recordRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  app.get('/requests', async () => need(deps.controls, 'requests').list().map(requestView));

  app.get('/ledger', async () => deps.controls.ledger.list().map(ledgerView));

  app.get('/ledger/verify', async () => {
    const r = deps.controls.ledger.verify();
    return { ok: r.ok, entries: r.entries, ...(r.firstBadSeq !== undefined && { firstBadSeq: r.firstBadSeq }) };
  });

  app.get('/problems', async () => deps.problems.list().map(problemView));
}
