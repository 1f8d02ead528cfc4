import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { commitFile, exists, moveFile, removeIfExists, sha256File } from '../core/durable.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Service } from '../core/service.js';
import type { Clip, ClipTrigger } from '../core/types.js';
import { toClip, type ClipRecord, type ClipsRepo } from '../db/repos/clips.js';
import { thumbnailArgs } from '../media/args.js';
import { probeFile, type MediaInfo } from '../media/probe.js';
import { runMediaChecked } from '../media/run.js';

export interface AddClipInput {
  cameraId: string;
  trigger: ClipTrigger;
  /** ISO 8601 UTC; wall-clock time of the first frame. */
  startedAt: string;
  /** The finished video (mp4). */
  file: string;
  /** Move the file in (it becomes the clip) or copy it (the source stays). */
  move: boolean;
}

export interface ClipStoreDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  clips: ClipsRepo;
  /** Paths in the database are relative to this. */
  dataDir: string;
  /** dataDir/clips, or the config's clipsDir (then the stored paths start with `../`). */
  clipsDir: string;
  /** Scratch space on the same file system as clipsDir (renames stay atomic). */
  tmpDir: string;
  /** false: on-device analysis is off (config detect.enabled), new clips are marked so. */
  analyse?: boolean;
}

const TEMP_SUFFIX = '.tmp';

/** `2026-11-29T12:30:45.123Z` → `2026-11-29` (UTC, like every stored time). */
export function dayFolder(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * The only writer of clip files. Each clip is probed, hashed and thumbnailed, written under a temp
 * name, fsynced and renamed into `clips/<camera>/<yyyy-mm-dd>/<id>.mp4`; only then is its row
 * inserted as `pending` and `clip.created` emitted. A crash at any point leaves temp files (cleaned
 * at the next start) or a file without a row (removed), never a visible half-written clip.
 */
export class ClipStore implements Service {
  readonly name = 'clip-store';

  constructor(private readonly deps: ClipStoreDeps) {}

  /** Scratch folder for producers (the assembler writes its concat output here). */
  get scratchDir(): string {
    return path.join(this.deps.tmpDir, 'clips');
  }

  async start(): Promise<void> {
    await mkdir(this.deps.clipsDir, { recursive: true });
    await rm(this.scratchDir, { recursive: true, force: true });
    await mkdir(this.scratchDir, { recursive: true });
    await this.recover();
  }

  async stop(): Promise<void> {}

  absolutePath(relative: string): string {
    return path.resolve(this.deps.dataDir, relative);
  }

  async addFromFile(input: AddClipInput): Promise<Clip> {
    const info = await probeFile(input.file);
    const id = randomUUID();
    const dir = path.join(this.deps.clipsDir, input.cameraId, dayFolder(input.startedAt));
    const relDir = path.relative(this.deps.dataDir, dir);
    await mkdir(dir, { recursive: true });
    const video = path.join(dir, `${id}.mp4`);
    const thumb = path.join(dir, `${id}.jpg`);
    const videoTmp = path.join(dir, `.${id}.mp4${TEMP_SUFFIX}`);
    try {
      await (input.move ? moveFile(input.file, videoTmp) : copyFile(input.file, videoTmp));
      const [hashed, hasThumb] = await Promise.all([sha256File(videoTmp), this.thumbnail(videoTmp, thumb, info)]);
      await commitFile(videoTmp, video);
      const record = this.record(id, input, info, hashed.sha256, hashed.size, path.join(relDir, `${id}.mp4`), hasThumb ? path.join(relDir, `${id}.jpg`) : null);
      this.deps.clips.insert(record);
      const clip = toClip(record);
      this.deps.log.info({ clipId: id, camera: input.cameraId, trigger: input.trigger, durationMs: clip.durationMs }, 'clip stored');
      this.deps.bus.emit('clip.created', { clip });
      return clip;
    } catch (err) {
      await Promise.all([removeIfExists(videoTmp), removeIfExists(video), removeIfExists(thumb)]);
      throw err;
    }
  }

  /** Remove a clip's video and thumbnail (missing ones are fine). The caller owns the row. */
  async deleteFiles(clip: Pick<ClipRecord, 'filePath' | 'thumbPath'>): Promise<void> {
    await removeIfExists(this.absolutePath(clip.filePath));
    if (clip.thumbPath) await removeIfExists(this.absolutePath(clip.thumbPath));
  }

  private record(id: string, input: AddClipInput, info: MediaInfo, sha256: string, sizeBytes: number, filePath: string, thumbPath: string | null): ClipRecord {
    const startedMs = Date.parse(input.startedAt);
    return {
      id,
      cameraId: input.cameraId,
      status: 'pending',
      trigger: input.trigger,
      startedAt: new Date(startedMs).toISOString(),
      endedAt: new Date(startedMs + info.durationMs).toISOString(),
      durationMs: info.durationMs,
      sizeBytes,
      width: info.width,
      height: info.height,
      hasAudio: info.audioCodec !== null,
      sha256,
      filePath,
      thumbPath,
      createdAt: this.deps.clock.iso(),
      reviewedAt: null,
      fileDeletedAt: null,
      labels: {},
      analysis: this.deps.analyse === false ? 'off' : 'pending',
    };
  }

  /** A thumbnail is a convenience: a clip without one is still a clip. */
  private async thumbnail(video: string, thumb: string, info: MediaInfo): Promise<boolean> {
    const tmp = `${path.join(path.dirname(thumb), '.' + path.basename(thumb))}${TEMP_SUFFIX}`;
    try {
      const at = Math.min(1, info.durationMs / 2000);
      await runMediaChecked('ffmpeg', thumbnailArgs(video, tmp, at), { timeoutMs: 30_000 });
      await commitFile(tmp, thumb);
      return true;
    } catch (err) {
      await removeIfExists(tmp);
      this.deps.log.warn({ err: errorMessage(err) }, 'thumbnail failed; clip kept without one');
      return false;
    }
  }

  /** Crash recovery (invariant 4): temp files go, files without a row go, rows without a file are marked. */
  private async recover(): Promise<void> {
    const rows = this.deps.clips.allWithFiles();
    const known = new Set<string>();
    for (const r of rows) {
      known.add(path.normalize(r.filePath));
      if (r.thumbPath) known.add(path.normalize(r.thumbPath));
    }
    const entries = await readdir(this.deps.clipsDir, { recursive: true, withFileTypes: true });
    let temps = 0;
    let orphans = 0;
    for (const e of entries) {
      if (!e.isFile()) continue;
      const abs = path.join(e.parentPath, e.name);
      const rel = path.relative(this.deps.dataDir, abs);
      if (e.name.endsWith(TEMP_SUFFIX)) temps++;
      else if (!known.has(rel)) orphans++;
      else continue;
      await removeIfExists(abs);
    }
    let missing = 0;
    for (const r of rows) {
      if (await exists(this.absolutePath(r.filePath))) continue;
      this.deps.clips.markFileDeleted(r.id, this.deps.clock.iso());
      missing++;
    }
    if (temps + orphans + missing > 0) this.deps.log.warn({ temps, orphans, missing }, 'clip store recovered from an unclean stop');
  }
}
