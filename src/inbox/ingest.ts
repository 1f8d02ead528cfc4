import { randomUUID } from 'node:crypto';
import { lstat, open } from 'node:fs/promises';
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
import { DropReplaced, FileGone, OpenDrop, type FileSnapshot } from './drop.js';
import { clipStartTime } from './filename-time.js';
import { remuxToMp4 } from './remux.js';
import { allowedDemuxer, checkEntry, InboxRejection, isFormatRefusal, needsRemux, type EntryFacts } from './rules.js';
import { playlistKind, SNIFF_BYTES } from './sniff.js';
import { waitUntilStable } from './stability.js';

export interface InboxTuning {
  maxBytes: number;
  /** Longest time between two looks at a settling file (shorter when the settle window is short). */
  pollMs: number;
  /** How often a finished-looking file that ffprobe cannot read is re-examined before it is refused. */
  probeAttempts: number;
}

export interface IngestDeps {
  log: Logger;
  clock: Clock;
  /** The clip store (src/clips/store.ts) or a test double. */
  store: { addFromFile(input: AddClipInput): Promise<Clip> };
  clips: { findBySha256(sha256: string): ClipRecord | undefined };
  /** Probe an open file read through the demuxer allow-list (media/probe.ts probeDescriptor). */
  probe: (fd: number, signal?: AbortSignal) => Promise<MediaInfo>;
  /** Scratch folder on the data disk: copies and remux output are staged here. */
  stagingDir: string;
  tuning: InboxTuning;
}

/** A drop that stopped changing, still open. The caller hands it to ingest() or closes it. */
export interface Settled {
  drop: OpenDrop;
  snap: FileSnapshot;
}

export type IngestOutcome =
  | { kind: 'ingested'; clip: Clip }
  | { kind: 'rejected'; rejection: InboxRejection }
  /** The entry vanished while it was being looked at: the uploader renamed or deleted it. */
  | { kind: 'gone' }
  /** The name now leads to another file, or the file changed after it settled: look at it again from scratch. */
  | { kind: 'again'; why: string }
  /** Left in place to try again later (disk full, an unexpected error). */
  | { kind: 'deferred'; diskFull: boolean; error: string };

/** The file changed after it had settled: a writer that paused for longer than the window. */
class ChangedAfterSettling extends Error {
  constructor() {
    super('the file changed after it had settled (the upload went on)');
    this.name = 'ChangedAfterSettling';
  }
}

/**
 * Ingests one inbox drop. Validation problems with the file itself come back as a rejection
 * (the caller moves it to `.rejected/`); problems on our side (disk full, a crash of ffmpeg)
 * leave the original untouched in the inbox for a later try. The drop is read only through the
 * descriptor opened by settle(); what reaches the clip store is a copy or a remux made from it in
 * the private staging folder, checked again there, so nothing the uploader does to the inbox
 * afterwards reaches a stored clip. The original is removed only after the clip store has
 * committed the clip, so a crash never loses a drop: at worst the next start finds it again and
 * the duplicate check refuses it.
 */
export class Ingester {
  constructor(private readonly deps: IngestDeps) {}

  /** Phase 1, many files in parallel: cheap checks, open, and the wait for the upload to finish. */
  async settle(file: string, settleMs: number, signal?: AbortSignal): Promise<IngestOutcome | Settled> {
    let drop: OpenDrop | undefined;
    try {
      const refused = checkEntry(await entryFacts(file), this.deps.tuning.maxBytes);
      if (refused) return { kind: 'rejected', rejection: refused };
      drop = await OpenDrop.open(file);
      const opened = drop;
      const snap = await waitUntilStable(() => opened.look(), this.stability(settleMs, signal));
      drop = undefined;
      return { drop: opened, snap };
    } catch (err) {
      return this.outcomeOf(err);
    } finally {
      await drop?.close();
    }
  }

  /** Phase 2, one file at a time (ffmpeg and hashing are the expensive part on a Pi). Closes the drop. */
  async ingest(cameraId: string, settled: Settled, settleMs: number, signal?: AbortSignal): Promise<IngestOutcome> {
    const { drop } = settled;
    let staged: string | undefined;
    try {
      const kind = playlistKind(await drop.head(SNIFF_BYTES));
      if (kind) throw new InboxRejection('playlist', `${kind}: playlists name other files, and clipgate reads nothing outside the inbox`);
      const { info, snap } = await this.probeFinished(drop, settled.snap, settleMs, signal);
      staged = path.join(this.deps.stagingDir, `${randomUUID()}.mp4`);
      await this.stage(drop, staged, info, snap, signal);
      const now = await drop.look();
      if (now.size !== snap.size || now.mtimeMs !== snap.mtimeMs) throw new ChangedAfterSettling();
      const { sha256 } = await sha256File(staged);
      const existing = this.deps.clips.findBySha256(sha256);
      if (existing) throw new InboxRejection('duplicate', `same SHA-256 as clip ${existing.id} (${sha256})`);
      const start = clipStartTime(path.basename(drop.file), snap.mtimeMs, this.deps.clock.now());
      const clip = await this.deps.store.addFromFile({ cameraId, trigger: 'inbox', startedAt: start.at.toISOString(), file: staged, move: true });
      staged = undefined;
      // Committed: now the drop may go. A crash before this line is caught by the duplicate check.
      if (!(await drop.removeName())) this.deps.log.warn({ camera: cameraId, file: path.basename(drop.file) }, 'inbox drop was renamed or replaced while being stored; the new entry is looked at on its own');
      this.deps.log.info({ camera: cameraId, clipId: clip.id, file: path.basename(drop.file), startFrom: start.source }, 'inbox clip ingested');
      return { kind: 'ingested', clip };
    } catch (err) {
      return this.outcomeOf(err);
    } finally {
      await drop.close();
      if (staged) await removeIfExists(staged).catch((err: unknown) => this.deps.log.warn({ err, file: staged }, 'could not remove a staged inbox file'));
    }
  }

  private stability(settleMs: number, signal: AbortSignal | undefined): Parameters<typeof waitUntilStable>[1] {
    const { tuning } = this.deps;
    // At least four looks per window, so a short test window still sees a pause.
    const pollMs = Math.max(50, Math.min(tuning.pollMs, settleMs / 4));
    return { settleMs, pollMs, maxBytes: tuning.maxBytes, ...(signal ? { signal } : {}) };
  }

  /**
   * ffprobe must read the file as a video with a duration, through an allow-listed demuxer. An
   * unreadable file may still be uploading after a pause longer than the stability window, so it
   * gets a few more windows; only one that stays unchanged and unreadable is refused.
   */
  private async probeFinished(drop: OpenDrop, settled: FileSnapshot, settleMs: number, signal?: AbortSignal): Promise<{ info: MediaInfo; snap: FileSnapshot }> {
    let snap = settled;
    for (let attempt = 1; ; attempt++) {
      if (snap.size === 0) throw new InboxRejection('empty', 'the file is empty');
      try {
        return { info: await this.probeOpen(drop, signal), snap };
      } catch (err) {
        if (isDiskFull(err) || isToolFailure(err) || signal?.aborted) throw err;
        const again = await waitUntilStable(() => drop.look(), this.stability(settleMs, signal));
        const unchanged = again.size === snap.size && again.mtimeMs === snap.mtimeMs;
        if (unchanged && attempt >= this.deps.tuning.probeAttempts) throw probeRejection(err);
        snap = again;
      }
    }
  }

  /** Probe through a fresh descriptor of the drop, so the child has its own read position. */
  private async probeOpen(drop: OpenDrop, signal?: AbortSignal): Promise<MediaInfo> {
    const child = await drop.reopen();
    try {
      return await this.deps.probe(child.fd, signal);
    } finally {
      await child.close();
    }
  }

  /**
   * Puts an mp4 for the store into the staging folder without touching the original: a byte copy
   * for an mp4 (checked again there with the same allow-list, since the copy is what the store
   * reads), a remux for anything else. If the store fails halfway it deletes only the staged
   * name; the drop itself survives.
   */
  private async stage(drop: OpenDrop, staged: string, info: MediaInfo, snap: FileSnapshot, signal?: AbortSignal): Promise<void> {
    if (!allowedDemuxer(info.format)) throw new InboxRejection('unsupported-format', `format ${info.format || '(unknown)'} is not one clipgate reads`);
    if (!needsRemux(drop.file, info.format)) {
      await drop.copyTo(staged, snap.size, signal);
      const copy = await open(staged, 'r');
      let checked: MediaInfo | undefined;
      try {
        checked = await this.deps.probe(copy.fd, signal);
      } catch (err) {
        if (isDiskFull(err) || isToolFailure(err) || signal?.aborted) throw err;
      } finally {
        await copy.close();
      }
      // The bytes copied are not what was probed: the file was rewritten in place after settling.
      if (allowedDemuxer(checked?.format ?? '') !== 'mov') throw new ChangedAfterSettling();
      return;
    }
    const input = await drop.reopen();
    try {
      await remuxToMp4(input.fd, staged, info, signal);
    } catch (err) {
      if (isDiskFull(err) || signal?.aborted) throw err;
      throw new InboxRejection('remux-failed', `could not convert to mp4: ${errorMessage(err)}`);
    } finally {
      await input.close();
    }
  }

  private outcomeOf(err: unknown): IngestOutcome {
    if (err instanceof Error && err.name === 'AbortError') return { kind: 'deferred', diskFull: false, error: 'stopped' };
    if (err instanceof InboxRejection) return { kind: 'rejected', rejection: err };
    if (err instanceof FileGone || (err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    if (err instanceof DropReplaced || err instanceof ChangedAfterSettling) return { kind: 'again', why: err.message };
    return { kind: 'deferred', diskFull: isDiskFull(err), error: errorMessage(err) };
  }
}

async function entryFacts(file: string): Promise<EntryFacts> {
  const st = await lstat(file);
  return { name: path.basename(file), isFile: st.isFile(), isDirectory: st.isDirectory(), isSymbolicLink: st.isSymbolicLink(), size: st.size };
}

/** The refusal for a drop ffprobe keeps failing on. */
function probeRejection(err: unknown): InboxRejection {
  const why = errorMessage(err);
  if (isFormatRefusal(why)) return new InboxRejection('unsupported-format', `not a container clipgate reads (mp4/mov, MPEG-TS, Matroska/WebM, AVI, raw H.264/H.265): ${why}`);
  return new InboxRejection('not-a-video', `ffprobe cannot read it as a video with a duration (truncated or not a video): ${why}`);
}

/** ffprobe missing or hung: our problem, not the file's; the drop must not be refused for it. */
function isToolFailure(err: unknown): boolean {
  return /could not start|timed out/.test(errorMessage(err));
}
