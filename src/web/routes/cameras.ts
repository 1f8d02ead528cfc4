import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { WebApiDeps } from '../context.js';
import { idParams, parseInput } from '../validate.js';
import { cameraView } from '../views.js';

const triggerBody = z.strictObject({ seconds: z.number().int().min(1).max(600).optional() });
const privacyBody = z.strictObject({ enabled: z.boolean() });

/** Camera status, manual trigger and privacy mode, all through CameraControl. */
export async function cameraRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  app.get('/cameras', async () => deps.controls.cameras.list().map(cameraView));

  app.get('/cameras/:id', async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const cam = deps.controls.cameras.get(id);
    if (!cam) throw new AppError('CAMERA_NOT_FOUND', `no camera ${id}`);
    return cameraView(cam);
  });

  app.post('/cameras/:id/trigger', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const body = parseInput(triggerBody, req.body, 'body');
    const cameras = deps.controls.cameras;
    if (!cameras.get(id)) throw new AppError('CAMERA_NOT_FOUND', `no camera ${id}`);
    const { eventId } = cameras.trigger(id, { ...(body.seconds !== undefined && { seconds: body.seconds }), trigger: 'manual' });
    return reply.status(202).send({ eventId });
  });

  app.put('/cameras/:id/privacy', async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const { enabled } = parseInput(privacyBody, req.body, 'body');
    const cameras = deps.controls.cameras;
    if (!cameras.get(id)) throw new AppError('CAMERA_NOT_FOUND', `no camera ${id}`);
    const cam = await cameras.setPrivacy(id, enabled);
    deps.log.info({ cameraId: id, enabled }, 'privacy mode changed through the API');
    return cameraView(cam);
  });
}
