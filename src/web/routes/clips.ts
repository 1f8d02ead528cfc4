import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { CLIP_LABELS, CLIP_STATUSES, CLIP_TRIGGERS, type ClipLabel } from '../../core/types.js';
import { decodeCursor, toClip, type ClipRecord } from '../../db/repos/clips.js';
import { need, type WebApiDeps } from '../context.js';
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
    /** Any of these labels, comma-separated (`person,vehicle`). */
    label: z
      .string()
      .max(100)
      .transform((v) => [...new Set(v.split(',').map((l) => l.trim()).filter((l) => l !== ''))])
      .refine((ls) => ls.every((l) => (CLIP_LABELS as readonly string[]).includes(l)), `labels are ${CLIP_LABELS.join(', ')}`)
      .transform((ls) => ls as ClipLabel[])
      .optional(),
    /** The review queue's default view with review.hideUnlabelled on: analysed clips labelled neither person nor vehicle are left out. */
    hideUnlabelled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
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
  /** Face tracks (ids from /analysis) blurred frame by frame; omitted: all of them. */
  tracks: z.array(z.number().int().positive()).max(64).optional(),
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
    const page = deps.repos.clips.list({
      status: q.status, cameraId: q.camera, trigger: q.trigger, from: q.from, to: q.to,
      labels: q.label, hideUnlabelled: q.hideUnlabelled, limit: q.limit, cursor: q.cursor,
    });
    return { items: page.items.map((r) => toClip(r)), nextCursor: page.nextCursor };
  });

  app.get('/clips/:id', async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    return toClip(findClip(deps, id));
  });

  app.get('/clips/:id/analysis', async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    return need(deps.controls, 'analysis').get(id);
  });

  app.post('/clips/:id/analyse', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    need(deps.controls, 'analysis').request(id);
    deps.log.info({ clipId: id, principal: req.principal?.kind }, 'analysis requested through the API');
    return reply.status(202).send(toClip(findClip(deps, id)));
  });

  app.get('/detect', async () => need(deps.controls, 'analysis').status());

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
