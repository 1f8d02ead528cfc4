import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { CLIP_STATUSES, CLIP_TRIGGERS } from '../../core/types.js';
import { decodeCursor, toClip, type ClipRecord } from '../../db/repos/clips.js';
import type { WebApiDeps } from '../context.js';
import { idParams, idSchema, parseInput } from '../validate.js';
import { shareView } from '../views.js';

/** An ISO 8601 instant with an offset (`Z` or `+02:00`), normalised to the stored form (UTC, milliseconds). */
const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString());

const listQuery = z
  .strictObject({
    status: z.enum(CLIP_STATUSES).optional(),
    camera: idSchema.optional(),
    trigger: z.enum(CLIP_TRIGGERS).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .max(400)
      .refine((c) => decodeCursor(c) !== undefined, 'is not a cursor returned by this API')
      .optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { path: ['to'], message: 'must be after from' });

const fraction = z.number().min(0).max(1);
const region = z
  .strictObject({ x: fraction, y: fraction, width: fraction.gt(0), height: fraction.gt(0) })
  .refine((r) => r.x + r.width <= 1.0001 && r.y + r.height <= 1.0001, 'the region must lie inside the frame');

const approveBody = z.strictObject({
  stripAudio: z.boolean().default(true),
  trim: z
    .strictObject({ startMs: z.number().int().min(0), endMs: z.number().int().min(1) })
    .refine((t) => t.endMs > t.startMs, 'endMs must be after startMs')
    .optional(),
  blur: z.array(region).max(32).optional(),
  caption: z.string().max(500).optional(),
  requestId: idSchema.optional(),
});

export function findClip(deps: WebApiDeps, id: string): ClipRecord {
  const clip = deps.repos.clips.get(id);
  if (!clip) throw new AppError('CLIP_NOT_FOUND', `no clip ${id}`);
  return clip;
}

/**
 * Listing and reading come from the clips repository; every change goes straight to
 * ReviewControl, which looks the clip up itself (a deleted clip answers with review's reason).
 */
export async function clipRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  app.get('/clips', async (req) => {
    const q = parseInput(listQuery, req.query, 'query');
    const page = deps.repos.clips.list({ status: q.status, cameraId: q.camera, trigger: q.trigger, from: q.from, to: q.to, limit: q.limit, cursor: q.cursor });
    return { items: page.items.map((r) => toClip(r)), nextCursor: page.nextCursor };
  });

  app.get('/clips/:id', async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    return toClip(findClip(deps, id));
  });

  app.post('/clips/:id/approve', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const body = parseInput(approveBody, req.body, 'body');
    const share = deps.controls.review.approve(id, body);
    deps.log.info({ clipId: id, shareId: share.id, principal: req.principal?.kind }, 'clip approved through the API');
    return reply.status(202).send(shareView(share, deps.repos.clips));
  });

  app.post('/clips/:id/reject', async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    return toClip(deps.controls.review.reject(id));
  });

  app.delete('/clips/:id', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    deps.controls.review.delete(id);
    return reply.status(204).send();
  });
}
