import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AppError, errorMessage } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Service } from '../core/service.js';
import type { Db, Repos } from '../db/index.js';
import { toClip, type ClipRecord } from '../db/repos/clips.js';
import { toShare, type ShareRecord } from '../db/repos/shares.js';
import { ExportAbortedError, runExport } from '../media/export.js';
import { probeFile } from '../media/probe.js';
import { commitFile, exists, sha256File } from '../core/durable.js';
import type { Ledger } from '../ledger/index.js';
import type { AnalysisControl } from '../core/ports.js';
import type { FaceFinding, ShareVerification } from '../core/types.js';
import { readAnalysis } from '../detect/store.js';
import type { ExportRequest } from '../media/export.js';
import { ConsentRaceError, recordConsent } from './consent.js';
import { exportFileName, removeStrayTemps, tempExportPath } from './files.js';
import { parseStoredOptions } from './options.js';

export interface ExportWorkerDeps {
  db: Db;
  repos: Repos;
  /** For shares approved in one step: their consent is recorded as soon as the export is done. */
  ledger: Ledger;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  dataDir: string;
  exportsDir: string;
  /**
   * How often the database is checked for shares in `exporting` that no export is running for:
   * approvals made by `clipgate clips approve` in another process, while this daemon runs.
   */
  pollMs?: number;
  ffmpeg?: string;
  ffprobe?: string;
  /** The face check run on every export before it is shown (absent: no check, as with detection off). */
  faceCheck?: Pick<AnalysisControl, 'verify'>;
  /** detect.verifyThreshold, recorded with each check. */
  verifyThreshold?: number;
}

const DEFAULT_POLL_MS = 3_000;
/** Findings kept with a share: the strongest per half second, at most this many. */
const MAX_FINDINGS = 60;
/** The check looks at the export's frames at its own rate, up to this. */
const MAX_CHECK_FPS = 30;

/** The strongest finding per half second of the export, in time order, capped (the preview lists them; `found` keeps the total). */
export function keepFindings(all: FaceFinding[]): FaceFinding[] {
  const best = new Map<number, FaceFinding>();
  for (const f of all) {
    const slot = Math.floor(f.t * 2);
    const b = best.get(slot);
    if (!b || f.score > b.score) best.set(slot, f);
  }
  const round = (v: number): number => Math.round(v * 10_000) / 10_000;
  return [...best.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_FINDINGS)
    .sort((a, b) => a.t - b.t)
    .map((f) => ({ t: f.t, x: round(f.x), y: round(f.y), width: round(f.width), height: round(f.height), score: round(f.score) }));
}
const OWNER = 'export';

/**
 * Runs redaction exports, one at a time (a libx264 encode already fills a Pi's cores). Its work
 * list is the database itself: every share in `exporting`. So an approval from the API (kicked
 * at once), from the CLI (found by the poll), or one interrupted by a crash (found at start)
 * all take the same path, and the export is idempotent: a fresh temp file per attempt, the
 * final name appears only by rename after fsync, and the share moves exporting → ready (the
 * owner's preview) by compare-and-set — or, approved in one step, straight on to `queued` with
 * its consent entry. A share cancelled while its export runs stops ffmpeg (at once in this
 * process, within a poll when the CLI cancelled it).
 */
export class ExportWorker implements Service {
  readonly name = 'export';
  private readonly pending: string[] = [];
  private readonly known = new Set<string>();
  private active: { shareId: string; abort: AbortController; done: Promise<void> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Between start() and stop(); a kick outside that (the CLI's review service) only waits in the database. */
  private running = false;

  constructor(private readonly deps: ExportWorkerDeps) {}

  async start(): Promise<void> {
    const stray = await removeStrayTemps(this.deps.exportsDir);
    if (stray.length > 0) this.deps.log.warn({ files: stray }, 'removed unfinished exports left by a crash');
    this.running = true;
    for (const s of this.deps.repos.shares.listByStatus('exporting')) this.known.add(s.id);
    this.deps.bus.on(OWNER, 'share.updated', ({ share }) => {
      if (share.status !== 'exporting') this.abandon(share.id);
    });
    this.scan();
    this.timer = setInterval(() => this.scan(), this.deps.pollMs ?? DEFAULT_POLL_MS);
  }

  /** Stops the running ffmpeg; its share stays `exporting` and is exported again on the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.deps.bus.off(OWNER);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pending.length = 0;
    const active = this.active;
    if (active) {
      active.abort.abort();
      await active.done;
    }
  }

  /** Export this share soon (called right after an approval or a retry committed). */
  kick(shareId: string): void {
    this.known.add(shareId);
    this.enqueue(shareId);
  }

  /** Stop exporting a share that left `exporting` (cancelled): kill its ffmpeg, forget it if it waits. */
  private abandon(shareId: string): void {
    const i = this.pending.indexOf(shareId);
    if (i >= 0) this.pending.splice(i, 1);
    if (this.active?.shareId === shareId && !this.active.abort.signal.aborted) {
      this.deps.log.info({ shareId }, 'share left exporting (cancelled); stopping its export');
      this.active.abort.abort();
    }
  }

  /** Share currently being exported, if any (for tests and diagnostics). */
  get current(): string | null {
    return this.active?.shareId ?? null;
  }

  private scan(): void {
    if (!this.running) return;
    let rows: ShareRecord[];
    try {
      rows = this.deps.repos.shares.listByStatus('exporting');
    } catch (err) {
      this.deps.log.error({ err }, 'could not read shares awaiting export');
      return;
    }
    const live = new Set(rows.map((r) => r.id));
    // Cancelled from another process (the CLI) while its export runs.
    if (this.active && !live.has(this.active.shareId)) this.abandon(this.active.shareId);
    for (const id of this.known) if (!live.has(id) && id !== this.active?.shareId && !this.pending.includes(id)) this.known.delete(id);
    for (const share of rows) {
      if (!this.known.has(share.id)) {
        // Approved by another process (the CLI): tell the UI and MQTT now, as an API approval would have.
        this.known.add(share.id);
        const clip = this.deps.repos.clips.get(share.clipId);
        // A retry from the CLI has moved on since creation: that is an update, not a new share.
        if (share.updatedAt !== share.createdAt) this.deps.bus.emit('share.updated', { share: toShare(share) });
        else {
          if (clip) this.deps.bus.emit('clip.updated', { clip: toClip(clip) });
          this.deps.bus.emit('share.created', { share: toShare(share) });
        }
      }
      this.enqueue(share.id);
    }
  }

  private enqueue(shareId: string): void {
    if (!this.running || this.active?.shareId === shareId || this.pending.includes(shareId)) return;
    this.pending.push(shareId);
    this.pump();
  }

  private pump(): void {
    if (this.active || !this.running) return;
    const shareId = this.pending.shift();
    if (shareId === undefined) return;
    const abort = new AbortController();
    const done = this.exportOne(shareId, abort.signal)
      .catch((err: unknown) => this.deps.log.error({ err, shareId }, 'export bookkeeping failed'))
      .finally(() => {
        this.active = null;
        this.pump();
      });
    this.active = { shareId, abort, done };
  }

  private async exportOne(shareId: string, signal: AbortSignal): Promise<void> {
    const { repos, log } = this.deps;
    const share = repos.shares.get(shareId);
    if (!share || share.status !== 'exporting') return;
    const clip = repos.clips.get(share.clipId);
    const input = clip && !clip.fileDeletedAt ? path.resolve(this.deps.dataDir, clip.filePath) : null;
    if (!clip || !input || !(await exists(input))) {
      this.fail(share, 'the original clip file is gone');
      return;
    }
    const temp = tempExportPath(this.deps.exportsDir, shareId);
    const started = Date.now();
    try {
      const made = await this.produce(share, clip, input, temp, signal);
      const final = path.join(this.deps.exportsDir, exportFileName(shareId));
      await commitFile(temp, final);
      this.finish(share, clip, final, made);
      log.info({ shareId, clipId: clip.id, mode: made.mode, ms: Date.now() - started }, 'export finished');
    } catch (err) {
      await rm(temp, { force: true });
      if (err instanceof ExportAbortedError || signal.aborted) {
        if (this.running) log.info({ shareId }, 'export stopped: the share was cancelled');
        else log.info({ shareId }, 'export interrupted; it runs again on the next start');
        return;
      }
      this.fail(share, errorMessage(err));
    }
  }

  /** The accepted face tracks' keyframes, from the analysis the approval named (a newer analysis is refused: its ids mean other faces). */
  private async tracksOf(share: ShareRecord, input: string): Promise<ExportRequest['tracks']> {
    const faces = parseStoredOptions(share.optionsJson).faces;
    if (!faces || faces.tracks.length === 0) return undefined;
    const analysis = await readAnalysis(input);
    if (!analysis || analysis.analysedAt !== faces.analysedAt) {
      throw new AppError('EXPORT_FAILED', 'the clip was analysed again after it was approved, so its face tracks changed; cancel and approve it again');
    }
    const wanted = new Set(faces.tracks);
    return analysis.tracks.filter((t) => wanted.has(t.id)).map((t) => ({ keyframes: t.keyframes }));
  }

  /** The face check of a finished export (issue 19): faces still found at ≥ the threshold, or why there is no answer. */
  private async check(file: string, fps: number, signal: AbortSignal): Promise<ShareVerification | undefined> {
    const threshold = this.deps.verifyThreshold ?? 0.5;
    if (!this.deps.faceCheck) return undefined;
    try {
      const found = await this.deps.faceCheck.verify(file, { fps: Math.min(MAX_CHECK_FPS, Math.max(1, Math.round(fps) || 10)), signal });
      if (found === null) return { status: 'off', threshold, found: 0, findings: [] };
      return { status: found.length > 0 ? 'faces' : 'clear', threshold, found: found.length, findings: keepFindings(found) };
    } catch (err) {
      if (signal.aborted) throw new ExportAbortedError();
      this.deps.log.warn({ err: errorMessage(err) }, 'face check of an export failed; Send will ask the owner to confirm');
      return { status: 'failed', threshold, found: 0, findings: [], error: errorMessage(err).slice(0, 300) };
    }
  }

  private async produce(share: ShareRecord, clip: ClipRecord, input: string, temp: string, signal: AbortSignal) {
    const opts = parseStoredOptions(share.optionsJson);
    const log = this.deps.log.child({ shareId: share.id });
    const tracks = await this.tracksOf(share, input);
    const made = await runExport({ input, trim: opts.trim, stripAudio: opts.stripAudio, regions: opts.blur, ...(tracks ? { tracks } : {}) }, temp, {
      ffmpeg: this.deps.ffmpeg,
      ffprobe: this.deps.ffprobe,
      signal,
      onProgress: (percent) => this.deps.bus.emit('share.progress', { shareId: share.id, phase: 'export', percent }),
      onStderr: (line) => log.debug({ ffmpeg: line }, 'ffmpeg'),
    });
    const out = await probeFile(temp, { ffprobe: this.deps.ffprobe, signal });
    const hash = await sha256File(temp);
    const recordedAt = new Date(Date.parse(clip.startedAt) + (opts.trim?.startMs ?? 0)).toISOString();
    const verification = await this.check(temp, out.fps, signal);
    return { mode: made.mode, durationMs: out.durationMs, recordedAt, verification, ...hash };
  }

  /**
   * exporting → ready with the export's hash, size and duration; for a one-step share, in the
   * same transaction, its consent entry and `queued`. A share that left `exporting` meanwhile
   * (cancelled, its clip deleted) does not want the export: it is removed.
   */
  private finish(share: ShareRecord, clip: ClipRecord, final: string, made: { durationMs: number; recordedAt: string; sha256: string; size: number; verification: ShareVerification | undefined }): void {
    const { repos, clock, ledger } = this.deps;
    const at = clock.iso();
    const exportPath = path.relative(this.deps.dataDir, final);
    let moved: boolean;
    try {
      moved = ledger.write(() => {
        const ok = repos.shares.update(share.id, {
          status: 'ready', exportPath, sha256: made.sha256, durationMs: made.durationMs, recordedAt: made.recordedAt,
          bytesTotal: made.size, bytesSent: 0, error: null, verificationJson: made.verification ? JSON.stringify(made.verification) : null,
        }, at, 'exporting');
        // One step skips the preview, not the face check: an export with faces left waits in `ready` for the owner.
        const facesLeft = made.verification?.status === 'faces' || made.verification?.status === 'failed';
        if (!ok || !share.sendOnExport || facesLeft) return ok;
        const ready = repos.shares.get(share.id);
        const current = repos.clips.get(clip.id);
        if (!ready || !current || current.status !== 'approved') throw new ConsentRaceError();
        return recordConsent({ repos, ledger }, ready, current, 'ready', 'one-step', at);
      });
    } catch (err) {
      if (!(err instanceof ConsentRaceError)) throw err;
      moved = false;
    }
    if (!moved) {
      this.deps.log.warn({ shareId: share.id, clipId: clip.id }, 'share changed during its export; discarding the export');
      rm(final, { force: true }).catch((err: unknown) => this.deps.log.warn({ err, file: final }, 'could not remove an unwanted export'));
      return;
    }
    this.emitUpdated(share.id);
  }

  private fail(share: ShareRecord, reason: string): void {
    this.deps.log.warn({ shareId: share.id, clipId: share.clipId, reason }, 'export failed');
    const moved = this.deps.repos.shares.update(share.id, { status: 'failed', error: `export failed: ${reason}`.slice(0, 1000) }, this.deps.clock.iso(), 'exporting');
    if (moved) this.emitUpdated(share.id);
  }

  private emitUpdated(shareId: string): void {
    const rec = this.deps.repos.shares.get(shareId);
    if (rec) this.deps.bus.emit('share.updated', { share: toShare(rec) });
  }
}
