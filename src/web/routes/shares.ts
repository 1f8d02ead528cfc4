import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { WebApiDeps } from '../context.js';
import { idParams, parseInput } from '../validate.js';
import { shareView } from '../views.js';

/** Send's body: `confirmFaces` is the owner's word that faces the check still found may leave (else FACES_REMAIN). */
const sendBody = z.strictObject({ confirmFaces: z.boolean().default(false) });

/** Shares (approved clips on their way out): Send (consent), Cancel (withdraw), retry and revoke. */
export async function shareRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  app.get('/shares', async () => deps.controls.shares.list().map((s) => shareView(s, deps.repos.clips)));

  app.get('/shares/:id', async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const share = deps.controls.shares.get(id);
    if (!share) throw new AppError('SHARE_NOT_FOUND', `no share ${id}`);
    return shareView(share, deps.repos.clips);
  });

  app.post('/shares/:id/retry', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const share = deps.controls.review.retry(id);
    deps.log.info({ shareId: id, status: share.status }, 'failed share retried through the API');
    return reply.status(202).send(shareView(share, deps.repos.clips));
  });

  app.post('/shares/:id/send', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const body = parseInput(sendBody, req.body ?? {}, 'body');
    const share = deps.controls.review.send(id, { confirmFaces: body.confirmFaces });
    deps.log.info({ shareId: id, principal: req.principal?.kind, confirmFaces: body.confirmFaces }, 'share sent through the API (consent recorded)');
    return reply.status(202).send(shareView(share, deps.repos.clips));
  });

  app.post('/shares/:id/cancel', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const share = await deps.controls.shares.cancel(id);
    deps.log.info({ shareId: id, status: share.status }, 'share cancelled through the API');
    return reply.status(202).send(shareView(share, deps.repos.clips));
  });

  app.post('/shares/:id/revoke', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const share = await deps.controls.shares.revoke(id);
    deps.log.info({ shareId: id }, 'share revoked through the API');
    return reply.status(202).send(shareView(share, deps.repos.clips));
  });
}
