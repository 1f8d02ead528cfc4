import type { FastifyInstance } from 'fastify';
import { need, type WebApiDeps } from '../context.js';
import { ledgerView, problemView, requestView } from '../views.js';

/** Read-only views: requests for assistance, the share ledger, its verification and device key, problems. */
export async function recordRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  app.get('/requests', async () => need(deps.controls, 'requests').list().map(requestView));

  app.get('/ledger', async () => deps.controls.ledger.list().map(ledgerView));

  app.get('/ledger/verify', async () => {
    const r = await deps.controls.ledger.verify();
    return { ok: r.ok, entries: r.entries, ...(r.firstBadSeq !== undefined && { firstBadSeq: r.firstBadSeq, reason: r.reason ?? '' }) };
  });

  /** The device's public key and its fingerprint, to compare with what the platform received (`deviceKey`). */
  app.get('/ledger/key', async () => {
    const k = deps.controls.ledger.keyView();
    return { algorithm: k.algorithm, publicKey: k.publicKey, fingerprint: k.fingerprint };
  });

  app.get('/problems', async () => deps.problems.list().map(problemView));
}
