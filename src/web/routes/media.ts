import { createReadStream, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { ClipRecord } from '../../db/repos/clips.js';
import type { WebApiDeps } from '../context.js';
import { parseRange } from '../range.js';
import { idParams, parseInput } from '../validate.js';
import { findClip } from './clips.js';

/**
 * Resolve a path stored in the database (relative to dataDir). Request input never reaches
 * here; the containment check guards against a corrupted row pointing outside the data dir.
 */
function storedFile(deps: WebApiDeps, clip: ClipRecord, relative: string | null): { file: string; stat: Stats } {
  if (clip.fileDeletedAt !== null) throw new AppError('CLIP_FILE_GONE', `the files of clip ${clip.id} were deleted`);
  if (relative === null) throw new AppError('NOT_FOUND', `clip ${clip.id} has no thumbnail`);
  const found = dataFile(deps, relative);
  if (found === 'outside') throw new AppError('NOT_FOUND', `clip ${clip.id} has no readable file`);
  if (found === 'missing') {
    deps.log.warn({ clipId: clip.id }, 'clip file missing on disk');
    throw new AppError('CLIP_FILE_GONE', `the file of clip ${clip.id} is missing`);
  }
  return found;
}

function dataFile(deps: WebApiDeps, relative: string): { file: string; stat: Stats } | 'outside' | 'missing' {
  const root = path.resolve(deps.dataDir);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return 'outside';
  try {
    const stat = statSync(file);
    return stat.isFile() ? { file, stat } : 'missing';
  } catch {
    return 'missing';
  }
}

function sendVideo(reply: FastifyReply, file: string, stat: Stats, rangeHeader: string | undefined): FastifyReply {
  const size = stat.size;
  void reply.header('accept-ranges', 'bytes').header('content-type', 'video/mp4').header('cache-control', 'private, no-cache');
  void reply.header('last-modified', stat.mtime.toUTCString());
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    void reply.header('content-range', `bytes */${size}`);
    throw new AppError('RANGE_NOT_SATISFIABLE', `the range ${rangeHeader ?? ''} is outside the ${size}-byte file`);
  }
  if (range.kind === 'full') {
    void reply.header('content-length', size);
    return reply.send(createReadStream(file));
  }
  void reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
  return reply.send(createReadStream(file, { start: range.start, end: range.end }));
}

/**
 * Clip video (seekable: HTTP Range) and thumbnail, looked up by clip id only; and a share's
 * export, the exact file the owner is asked to Send (the preview plays it).
 */
export async function mediaRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  app.get('/shares/:id/video', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const share = deps.repos.shares.get(id);
    if (!share) throw new AppError('SHARE_NOT_FOUND', `no share ${id}`);
    if (share.exportPath === null) {
      throw share.status === 'exporting'
        ? new AppError('NOT_FOUND', `the export of share ${id} is not finished yet`)
        : new AppError('CLIP_FILE_GONE', `share ${id} has no export (${share.status})`);
    }
    const found = dataFile(deps, share.exportPath);
    if (typeof found === 'string') throw new AppError('CLIP_FILE_GONE', `the export of share ${id} is missing`);
    return sendVideo(reply, found.file, found.stat, req.headers.range);
  });

  app.get('/clips/:id/video', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const clip = findClip(deps, id);
    const { file, stat } = storedFile(deps, clip, clip.filePath);
    return sendVideo(reply, file, stat, req.headers.range);
  });

  app.get('/clips/:id/thumbnail', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const clip = findClip(deps, id);
    const { file, stat } = storedFile(deps, clip, clip.thumbPath);
    void reply.header('content-type', 'image/jpeg').header('content-length', stat.size).header('cache-control', 'private, max-age=3600');
    return reply.send(createReadStream(file));
  });
}
