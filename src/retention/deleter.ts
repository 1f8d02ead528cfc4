import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { removeIfExists } from '../core/durable.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { isClipDeletable } from '../core/share-rules.js';
import type { ClipStatus } from '../core/types.js';
import type { Db, Repos } from '../db/index.js';
import type { ClipRecord } from '../db/repos/clips.js';
import type { ShareRecord } from '../db/repos/shares.js';
import { analysisPath } from '../detect/store.js';
import type { Ledger } from '../ledger/index.js';
import { fileSize } from './disk.js';

/**
 * `remove`: the clip disappears entirely (pending clips: the owner never saw it, nothing to keep).
 * `files`: the row stays and only the files go (rejected clips answer 410; shared clips keep
 * their share and ledger history but lose the local video, thumbnail and export).
 */
export type DeletionKind = 'remove' | 'files';

export interface Deletion {
  clipId: string;
  /** The clip must still be in this status, or nothing happens (it was reviewed meanwhile). */
  expect: ClipStatus;
  kind: DeletionKind;
  /** For the log, the `clip.deleted` event and the ledger entry. */
  reason: string;
}

export interface DeleterDeps {
  db: Db;
  repos: Pick<Repos, 'clips' | 'shares'>;
  ledger: Pick<Ledger, 'append' | 'write'>;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  dataDir: string;
}

/**
 * Deletes clips for retention and the disk quota. Each deletion re-checks the clip inside an
 * IMMEDIATE transaction (still in the expected status, no busy share: core/share-rules.ts),
 * records it in the database and appends a `deleted` ledger entry (DESIGN invariant 3: every
 * deletion is in the ledger; no ledger entry is ever removed); files go only after the commit,
 * so a crash leaves an orphan file (swept later), never a row pointing at a missing file.
 */
export class ClipDeleter {
  constructor(private readonly deps: DeleterDeps) {}

  /** Returns the bytes freed, or undefined when the clip was no longer eligible. */
  async delete(d: Deletion): Promise<number | undefined> {
    const { repos, ledger, clock } = this.deps;
    const at = clock.iso();
    const done = ledger.write((): { clip: ClipRecord; share: ShareRecord | undefined } | undefined => {
      const clip = repos.clips.get(d.clipId);
      if (!clip || clip.status !== d.expect) return undefined;
      if (d.kind === 'files' && clip.fileDeletedAt) return undefined;
      const share = repos.shares.getByClip(clip.id);
      if (share && !isClipDeletable(share.status)) return undefined;
      if (d.kind === 'remove') repos.clips.markDeleted(clip.id, at);
      else repos.clips.markFileDeleted(clip.id, at);
      // Without an export path the upload side can never pick the share up again.
      if (share?.exportPath) repos.shares.update(share.id, { exportPath: null }, at);
      ledger.append(
        {
          action: 'deleted',
          clipId: clip.id,
          shareId: share?.id ?? null,
          sha256: clip.sha256,
          exportSha256: share?.sha256 ?? null,
          requestId: share?.requestId ?? null,
          options: { by: 'retention', reason: d.reason, filesOnly: d.kind === 'files' },
        },
        at,
      );
      return { clip, share };
    });
    if (!done) return undefined;
    const freed = await this.removeFiles([done.clip.filePath, done.clip.thumbPath, analysisPath(done.clip.filePath), done.share?.exportPath]);
    this.deps.log.info({ clipId: d.clipId, camera: done.clip.cameraId, status: d.expect, kind: d.kind, reason: d.reason, freedBytes: freed }, 'retention deleted a clip');
    this.deps.bus.emit('clip.deleted', { clipId: d.clipId, cameraId: done.clip.cameraId, reason: d.reason, at });
    return freed;
  }

  private async removeFiles(relative: (string | null | undefined)[]): Promise<number> {
    let freed = 0;
    for (const rel of relative) {
      if (!rel) continue;
      const file = path.resolve(this.deps.dataDir, rel);
      try {
        const size = await fileSize(file);
        await removeIfExists(file);
        freed += size;
      } catch (err) {
        // The row already says the file is gone; the orphan sweep gets another chance at it.
        this.deps.log.warn({ err, file }, 'could not remove a clip file');
      }
    }
    return freed;
  }
}
