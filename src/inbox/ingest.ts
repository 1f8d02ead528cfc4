import { randomUUID } from 'node:crypto';
import { copyFile, link, lstat } from 'node:fs/promises';
import path from 'node:path';
import type { AddClipInput } from '../clips/store.js';
import { removeIfExists, sha256File } from '../core/durable.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clip } from '../core/types.js';
import type { ClipRecord } from '../db/repos/clips.js';
import type { MediaInfo } from '../media/probe.js';
import { isDiskFull } from '../core/disk-full.js';
import { clipStartTime } from './filename-time.js';
import { remuxToMp4 } from './remux.js';
import { checkEntry, InboxRejection, needsRemux } from './rules.js';
import { FileGone, waitUntilStable, type FileSnapshot } from './stability.js';

export interface InboxTuning {
  maxBytes: number;
  pollMs: number;
  stablePolls: number;
  /** How often a finished-looking file that ffprobe cannot read is re-examined before it is refused. */
  probeAttempts: number;
}

export interface IngestDeps {
  log: Logger;
  clock: Clock;
  /** The clip store (src/clips/store.ts) or a test double. */
  store: { addFromFile(input: AddClipInput): Promise<Clip> };
  clips: { findBySha256(sha256: string): ClipRecord | undefined };
  probe: (file: string, signal?: AbortSignal) => Promise<MediaInfo>;
  /** Scratch folder on the data disk: remux output and hard links are staged here. */
  stagingDir: string;
  tuning: InboxTuning;
}

export type IngestOutcome =
  | { kind: 'ingested'; clip: Clip }
  | { kind: 'rejected'; rejection: InboxRejection }
  /** The entry vanished while it was being looked at: the uploader renamed or deleted it. */
  | { kind: 'gone' }
  /** Left in place to try again later (disk full, an unexpected error). */
  | { kind: 'deferred'; diskFull: boolean; error: string };

/**
 * Ingests one inbox entry. Validation problems with the file itself come back as a rejection
 * (the caller moves it to `.rejected/`); problems on our side (disk full, a crash of ffmpeg)
 * leave the original untouched in the inbox for a later try. The original is removed only after
 * the clip store has committed the clip, so a crash never loses a drop: at worst the next start
 * finds it again and the duplicate check refuses it.
 */
export class Ingester {
  constructor(private readonly deps: IngestDeps) {}

  /** Phase 1, many files in parallel: cheap checks and the wait for the upload to finish. */
  async settle(file: string, signal?: AbortSignal): Promise<IngestOutcome | FileSnapshot> {
    try {
      const st = await lstat(file);
      const refused = checkEntry(
        { name: path.basename(file), isFile: st.isFile(), isDirectory: st.isDirectory(), isSymbolicLink: st.isSymbolicLink(), size: st.size },
        this.deps.tuning.maxBytes,
      );
      if (refused) return { kind: 'rejected', rejection: refused };
      return await waitUntilStable(file, { ...this.deps.tuning, signal });
    } catch (err) {
      return this.outcomeOf(err);
    }
  }

  /** Phase 2, one file at a time (ffmpeg and hashing are the expensive part on a Pi). */
  async ingest(cameraId: string, file: string, signal?: AbortSignal): Promise<IngestOutcome> {
    let staged: string | undefined;
    try {
      const { info, snap } = await this.probeFinished(file, signal);
      staged = path.join(this.deps.stagingDir, `${randomUUID()}.mp4`);
      await this.stage(file, staged, info, signal);
      const { sha256 } = await sha256File(staged);
      const existing = this.deps.clips.findBySha256(sha256);
      if (existing) throw new InboxRejection('duplicate', `same SHA-256 as clip ${existing.id} (${sha256})`);
      const start = clipStartTime(path.basename(file), snap.mtimeMs, this.deps.clock.now());
      const clip = await this.deps.store.addFromFile({ cameraId, trigger: 'inbox', startedAt: start.at.toISOString(), file: staged, move: true });
      staged = undefined;
      // Committed: now the drop may go. A crash before this line is caught by the duplicate check.
      await removeIfExists(file);
      this.deps.log.info({ camera: cameraId, clipId: clip.id, file: path.basename(file), startFrom: start.source }, 'inbox clip ingested');
      return { kind: 'ingested', clip };
    } catch (err) {
      return this.outcomeOf(err);
    } finally {
      if (staged) await removeIfExists(staged).catch((err: unknown) => this.deps.log.warn({ err, file: staged }, 'could not remove a staged inbox file'));
    }
  }

  /**
   * ffprobe must read the file as a video with a duration. An unreadable file may still be
   * uploading after a pause longer than the stability window, so it gets a few more windows;
   * only one that stays unchanged and unreadable is refused.
   */
  private async probeFinished(file: string, signal?: AbortSignal): Promise<{ info: MediaInfo; snap: FileSnapshot }> {
    const { tuning } = this.deps;
    let snap = await waitUntilStable(file, { ...tuning, stablePolls: 0, signal });
    for (let attempt = 1; ; attempt++) {
      if (snap.size === 0) throw new InboxRejection('empty', 'the file is empty');
      try {
        return { info: await this.deps.probe(file, signal), snap };
      } catch (err) {
        if (isDiskFull(err) || isToolFailure(err) || signal?.aborted) throw err;
        const again = await waitUntilStable(file, { ...tuning, signal });
        const unchanged = again.size === snap.size && again.mtimeMs === snap.mtimeMs;
        if (unchanged && attempt >= tuning.probeAttempts) {
          throw new InboxRejection('not-a-video', `ffprobe cannot read it as a video with a duration (truncated or not a video): ${errorMessage(err)}`);
        }
        snap = again;
      }
    }
  }

  /**
   * Puts an mp4 for the store into the staging folder without touching the original: a hard
   * link for mp4 (no copy, no extra space), a remux for other containers. If the store fails
   * halfway it deletes only the staged name; the drop itself survives.
   */
  private async stage(file: string, staged: string, info: MediaInfo, signal?: AbortSignal): Promise<void> {
    if (needsRemux(file)) {
      try {
        await remuxToMp4(file, staged, info, signal);
      } catch (err) {
        if (isDiskFull(err) || signal?.aborted) throw err;
        throw new InboxRejection('remux-failed', `could not convert to mp4: ${errorMessage(err)}`);
      }
      return;
    }
    try {
      await link(file, staged);
    } catch (err) {
      // Another file system (EXDEV) or one without hard links (EPERM on some FUSE/SMB mounts).
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
      await copyFile(file, staged);
    }
  }

  private outcomeOf(err: unknown): IngestOutcome {
    if (err instanceof Error && err.name === 'AbortError') return { kind: 'deferred', diskFull: false, error: 'stopped' };
    if (err instanceof InboxRejection) return { kind: 'rejected', rejection: err };
    if (err instanceof FileGone || (err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    return { kind: 'deferred', diskFull: isDiskFull(err), error: errorMessage(err) };
  }
}

/** ffprobe missing or hung: our problem, not the file's; the drop must not be refused for it. */
function isToolFailure(err: unknown): boolean {
  return /could not start|timed out/.test(errorMessage(err));
}
