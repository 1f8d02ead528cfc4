import { constants, type Stats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { ClipRecord } from '../../db/repos/clips.js';
import type { WebApiDeps } from '../context.js';
import { parseRange } from '../range.js';
import { idParams, parseInput } from '../validate.js';
import { findClip } from './clips.js';

/** The only folders media is ever served from: clips (dataDir/clips, or the config's clipsDir) and exports. */
function mediaRoots(deps: Pick<WebApiDeps, 'dataDir' | 'clipsDir'>): string[] {
  return [deps.clipsDir ?? path.join(deps.dataDir, 'clips'), path.join(deps.dataDir, 'exports')];
}

interface OpenMedia {
  handle: FileHandle;
  stat: Stats;
}

/** True when `real` (a resolved path) lies inside one of the media folders, themselves resolved. */
async function insideMediaRoots(roots: string[], real: string): Promise<boolean> {
  for (const folder of roots) {
    let root: string;
    try {
      root = await realpath(folder);
    } catch {
      continue;
    }
    if (real.startsWith(root + path.sep)) return true;
  }
  return false;
}

/**
 * Open a file named by the database (relative to dataDir). Request input never reaches here, but
 * a path could still lead elsewhere through a symlink (a corrupted row, a link planted in the
 * clips folder): the file's REAL path must lie inside the clips or exports folder, and it is
 * opened without following a link and served from that descriptor, so what was checked is what
 * is sent.
 */
async function openContained(deps: WebApiDeps, relative: string): Promise<OpenMedia | 'outside' | 'missing'> {
  let real: string;
  try {
    real = await realpath(path.resolve(deps.dataDir, relative));
  } catch {
    return 'missing';
  }
  if (!(await insideMediaRoots(mediaRoots(deps), real))) return 'outside';
  let handle: FileHandle | undefined;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error('not a file');
    return { handle, stat };
  } catch {
    await handle?.close();
    return 'missing';
  }
}

/** A clip's video or thumbnail, with the clip-specific reasons when it cannot be served. */
async function openStored(deps: WebApiDeps, clip: ClipRecord, relative: string | null): Promise<OpenMedia> {
  if (clip.fileDeletedAt !== null) throw new AppError('CLIP_FILE_GONE', `the files of clip ${clip.id} were deleted`);
  if (relative === null) throw new AppError('NOT_FOUND', `clip ${clip.id} has no thumbnail`);
  const found = await openContained(deps, relative);
  if (found === 'outside') {
    deps.log.warn({ clipId: clip.id }, 'clip file leads outside the clips folder; not served');
    throw new AppError('NOT_FOUND', `clip ${clip.id} has no readable file`);
  }
  if (found === 'missing') {
    deps.log.warn({ clipId: clip.id }, 'clip file missing on disk');
    throw new AppError('CLIP_FILE_GONE', `the file of clip ${clip.id} is missing`);
  }
  return found;
}

function sendVideo(reply: FastifyReply, media: OpenMedia, rangeHeader: string | undefined): FastifyReply {
  const { handle, stat } = media;
  const size = stat.size;
  void reply.header('accept-ranges', 'bytes').header('content-type', 'video/mp4').header('cache-control', 'private, no-cache');
  void reply.header('last-modified', stat.mtime.toUTCString());
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    void handle.close();
    void reply.header('content-range', `bytes */${size}`);
    throw new AppError('RANGE_NOT_SATISFIABLE', `the range ${rangeHeader ?? ''} is outside the ${size}-byte file`);
  }
  if (range.kind === 'full') {
    void reply.header('content-length', size);
    return reply.send(handle.createReadStream());
  }
  void reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
  return reply.send(handle.createReadStream({ start: range.start, end: range.end }));
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
    const found = await openContained(deps, share.exportPath);
    if (typeof found === 'string') throw new AppError('CLIP_FILE_GONE', `the export of share ${id} is missing`);
    return sendVideo(reply, found, req.headers.range);
  });

  app.get('/clips/:id/video', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const clip = findClip(deps, id);
    return sendVideo(reply, await openStored(deps, clip, clip.filePath), req.headers.range);
  });

  app.get('/clips/:id/thumbnail', async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const clip = findClip(deps, id);
    const { handle, stat } = await openStored(deps, clip, clip.thumbPath);
    void reply.header('content-type', 'image/jpeg').header('content-length', stat.size).header('cache-control', 'private, max-age=3600');
    return reply.send(handle.createReadStream());
  });
}
