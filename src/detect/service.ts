/**
 * The daemon's analysis service (issue 19): one Analyzer worker, one clip at a time, in the
 * background. New clips (clip.created) and the owner's requests go first, then the backlog found
 * at start (clips never analysed, killed mid-analysis, or recorded while detection was off),
 * pending-review clips first, newest first, bounded. Recording never waits on it: the worker is a
 * separate process at nice 10 reading the finished clip file.
 *
 * A model that cannot load (DETECT_UNAVAILABLE) raises the `detect` problem once, marks the waiting
 * clips `off` and stops analysing until the next start; nothing else changes (exports get no face
 * check). A worker killed mid-clip leaves that clip `pending`, so the next start analyses it again;
 * the analysis file is only ever renamed into place complete (store.ts), so nothing half-written shows.
 */
import path from 'node:path';
import type { Core } from '../core/core.js';
import { AppError, errorMessage, isAppError } from '../core/errors.js';
import type { AnalysisControl, AnalysisStatus } from '../core/ports.js';
import type { Service } from '../core/service.js';
import { LABEL_THRESHOLD, type ClipAnalysisView, type ClipLabels, type FaceFinding } from '../core/types.js';
import { toClip } from '../db/repos/clips.js';
import type { Analyzer } from './analyzer.js';
import { readAnalysis } from './store.js';
import type { Analysis, LabelScores } from './types.js';

const OWNER = 'analysis';
export const PROBLEM_ID = 'detect';
const DEFAULT_BACKLOG = 1_000;

export interface AnalysisServiceDeps {
  core: Pick<Core, 'config' | 'log' | 'bus' | 'problems' | 'repos' | 'clock' | 'paths'>;
  analyzer: Analyzer;
  /** Most clips queued from the backlog at start (default 1000). */
  backlogLimit?: number;
}

/** Labels at or above the clip-label threshold, rounded as stored. */
export function clipLabels(scores: LabelScores): ClipLabels {
  const out: ClipLabels = {};
  for (const [label, score] of Object.entries(scores) as [keyof ClipLabels, number][]) {
    if (score >= LABEL_THRESHOLD) out[label] = Math.round(score * 1000) / 1000;
  }
  return out;
}

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

/** The API's view of a stored analysis: tracks with rounded keyframes, no paths. */
export function analysisView(clipId: string, state: ClipAnalysisView['state'], labels: ClipLabels, a: Analysis | null): ClipAnalysisView {
  if (!a) return { clipId, state, labels, tracks: [] };
  return {
    clipId, state, labels,
    tracks: a.tracks.map((t) => ({
      id: t.id,
      // The tracker holds a box a few frames past the last sighting; shown within the clip.
      start: r4(Math.max(0, t.keyframes[0]?.t ?? 0)),
      end: r4(Math.min(a.durationSec, t.keyframes.at(-1)?.t ?? 0)),
      scoreMax: r4(t.scoreMax),
      keyframes: t.keyframes.map((k) => ({ t: r4(k.t), x: r4(k.x), y: r4(k.y), width: r4(k.width), height: r4(k.height) })),
    })),
    analysedAt: a.analysedAt, faceFps: a.faceFps, labelFps: a.labelFps, durationSec: a.durationSec, models: { ...a.models },
  };
}

export class AnalysisService implements Service, AnalysisControl {
  readonly name = 'analysis';
  private readonly urgent: string[] = [];
  private backlog: string[] = [];
  /**
   * Clips analysed even when already done, and why: the owner asked (always), or their analysis
   * file was missing or unreadable at start (only while they still wait for review).
   */
  private readonly again = new Map<string, 'owner' | 'missing-file'>();
  private current: { clipId: string; abort: AbortController; done: Promise<void> } | null = null;
  private running = false;
  private unavailable: string | null = null;

  constructor(private readonly deps: AnalysisServiceDeps) {}

  /** PID of the analysis worker while one runs (diagnostics; the tests kill it mid-clip). */
  get workerPid(): number | undefined {
    return this.deps.analyzer.workerPid;
  }

  private get config() {
    return this.deps.core.config.detect;
  }

  async start(): Promise<void> {
    if (!this.config.enabled) return;
    const { bus, repos, log } = this.deps.core;
    this.running = true;
    bus.on(OWNER, 'clip.created', ({ clip }) => this.onCreated(clip.id));
    bus.on(OWNER, 'clip.deleted', ({ clipId }) => this.forget(clipId));
    const limit = this.deps.backlogLimit ?? DEFAULT_BACKLOG;
    this.backlog = repos.clips.analysisBacklog(limit).map((c) => c.id);
    if (this.backlog.length > 0) log.info({ clips: this.backlog.length }, 'analysing clips not analysed yet');
    this.pump();
    // In the background: a clip waiting for review whose analysis file is gone or unreadable is analysed again.
    void this.recheckFiles(limit).catch((err: unknown) => log.warn({ err }, 'could not check the stored analyses'));
  }

  private async recheckFiles(limit: number): Promise<void> {
    const stale: string[] = [];
    for (const clip of this.deps.core.repos.clips.pendingAnalysed(limit)) {
      if (!this.running) return;
      if ((await readAnalysis(this.clipFile(clip.filePath))) === null) stale.push(clip.id);
    }
    if (stale.length === 0 || !this.running) return;
    this.deps.core.log.info({ clips: stale.length }, 'analysing again clips whose analysis file is missing or unreadable');
    for (const id of stale) {
      if (!this.again.has(id)) this.again.set(id, 'missing-file');
      if (!this.backlog.includes(id)) this.backlog.push(id);
    }
    this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.deps.core.bus.off(OWNER);
    this.urgent.length = 0;
    this.backlog = [];
    const current = this.current;
    if (current) {
      current.abort.abort();
      await current.done;
    }
    await this.deps.analyzer.stop();
  }

  status(): AnalysisStatus {
    const { config } = this.deps.core;
    const s: AnalysisStatus = {
      enabled: config.detect.enabled,
      available: config.detect.enabled && this.unavailable === null,
      queued: this.urgent.length + this.backlog.length,
      hideUnlabelled: config.review.hideUnlabelled,
      verifyThreshold: config.detect.verifyThreshold,
    };
    if (!config.detect.enabled) s.reason = 'detection is off (detect.enabled: false)';
    else if (this.unavailable) s.reason = this.unavailable;
    if (this.current) s.current = this.current.clipId;
    return s;
  }

  request(clipId: string): void {
    const { repos, bus, clock } = this.deps.core;
    const clip = repos.clips.get(clipId);
    if (!clip) throw new AppError('CLIP_NOT_FOUND', `no clip ${clipId}`);
    if (clip.fileDeletedAt) throw new AppError('CLIP_FILE_GONE', `the file of clip ${clipId} has been deleted`);
    if (!this.config.enabled) throw new AppError('DETECT_UNAVAILABLE', 'on-device analysis is off (detect.enabled: false)');
    if (this.unavailable) throw new AppError('DETECT_UNAVAILABLE', this.unavailable);
    if (!this.running) throw new AppError('SERVICE_UNAVAILABLE', 'the analysis service is not running');
    this.again.set(clipId, 'owner');
    this.dequeue(clipId);
    this.urgent.unshift(clipId);
    if (clip.analysis !== 'pending' && repos.clips.setAnalysis(clipId, 'pending')) {
      const updated = repos.clips.get(clipId);
      if (updated) bus.emit('clip.updated', { clip: toClip(updated) });
    }
    this.deps.core.log.info({ clipId, at: clock.iso() }, 'analysis requested');
    this.pump();
  }

  /**
   * Analyse one clip now, in this process's own worker, and wait for it (the CLI's `clips analyse`;
   * the daemon need not run). Errors are thrown as they are (DETECT_UNAVAILABLE included); nothing else is queued.
   */
  async analyseNow(clipId: string, signal?: AbortSignal): Promise<ClipAnalysisView> {
    const { repos, bus, clock } = this.deps.core;
    const clip = repos.clips.get(clipId);
    if (!clip) throw new AppError('CLIP_NOT_FOUND', `no clip ${clipId}`);
    if (clip.fileDeletedAt) throw new AppError('CLIP_FILE_GONE', `the file of clip ${clipId} has been deleted`);
    if (!this.config.enabled) throw new AppError('DETECT_UNAVAILABLE', 'on-device analysis is off (detect.enabled: false)');
    const analysis = await this.deps.analyzer.analyse(this.clipFile(clip.filePath), { faceFps: this.config.faceFps, labelFps: this.config.labelFps, ...(signal ? { signal } : {}) });
    const labels = clipLabels(analysis.labels);
    repos.clips.setAnalysis(clipId, 'done', labels);
    const updated = repos.clips.get(clipId);
    if (updated) bus.emit('clip.analysed', { clip: toClip(updated), labels, tracks: analysis.tracks.length, at: clock.iso() });
    return this.get(clipId);
  }

  async get(clipId: string): Promise<ClipAnalysisView> {
    const clip = this.deps.core.repos.clips.get(clipId);
    if (!clip) throw new AppError('CLIP_NOT_FOUND', `no clip ${clipId}`);
    const stored = clip.fileDeletedAt ? null : await readAnalysis(this.clipFile(clip.filePath));
    return analysisView(clip.id, clip.analysis, clip.labels, stored);
  }

  async verify(file: string, opts: { fps: number; signal?: AbortSignal }): Promise<FaceFinding[] | null> {
    if (!this.config.enabled || this.unavailable) return null;
    try {
      return await this.deps.analyzer.verify(file, { threshold: this.config.verifyThreshold, fps: opts.fps, signal: opts.signal });
    } catch (err) {
      if (isAppError(err) && err.code === 'DETECT_UNAVAILABLE') {
        this.markUnavailable(err.message);
        return null;
      }
      throw err;
    }
  }

  private clipFile(rel: string): string {
    return path.resolve(this.deps.core.paths.dataDir, rel);
  }

  private onCreated(clipId: string): void {
    if (this.unavailable) {
      this.setState(clipId, 'off');
      return;
    }
    this.dequeue(clipId);
    this.urgent.push(clipId);
    this.pump();
  }

  private forget(clipId: string): void {
    this.dequeue(clipId);
    this.again.delete(clipId);
    if (this.current?.clipId === clipId) this.current.abort.abort();
  }

  private dequeue(clipId: string): void {
    const i = this.urgent.indexOf(clipId);
    if (i >= 0) this.urgent.splice(i, 1);
    this.backlog = this.backlog.filter((id) => id !== clipId);
  }

  private pump(): void {
    if (!this.running || this.current || this.unavailable) return;
    const clipId = this.urgent.shift() ?? this.backlog.shift();
    if (clipId === undefined) return;
    const abort = new AbortController();
    const done = this.analyseOne(clipId, abort.signal)
      .catch((err: unknown) => this.deps.core.log.error({ err, clipId }, 'analysis bookkeeping failed'))
      .finally(() => {
        this.current = null;
        this.pump();
      });
    this.current = { clipId, abort, done };
  }

  private async analyseOne(clipId: string, signal: AbortSignal): Promise<void> {
    const { repos, bus, log, clock } = this.deps.core;
    const clip = repos.clips.get(clipId);
    const why = this.again.get(clipId);
    this.again.delete(clipId);
    // Once a clip left review its approval names the analysis it saw (the export blurs those face
    // tracks): the start-up recheck leaves it alone; only the owner's own request analyses it again.
    const rerun = why === 'owner' || (why === 'missing-file' && clip?.status === 'pending');
    if (!clip || clip.fileDeletedAt || (clip.analysis === 'done' && !rerun)) return;
    const started = Date.now();
    let analysis: Analysis;
    try {
      analysis = await this.deps.analyzer.analyse(this.clipFile(clip.filePath), { faceFps: this.config.faceFps, labelFps: this.config.labelFps, signal });
    } catch (err) {
      if (signal.aborted || !this.running) return;
      if (isAppError(err) && err.code === 'DETECT_UNAVAILABLE') {
        this.markUnavailable(err.message);
        return;
      }
      const exited = isAppError(err) && (err.details as { workerExited?: boolean } | undefined)?.workerExited === true;
      // A worker that died (killed, out of memory) says nothing about the clip: it stays pending and the next start tries again.
      if (exited) log.warn({ clipId, err: errorMessage(err) }, 'analysis worker exited mid-clip; the clip is analysed again at the next start');
      else {
        log.warn({ clipId, err: errorMessage(err) }, 'clip analysis failed');
        this.setState(clipId, 'failed');
      }
      return;
    }
    const labels = clipLabels(analysis.labels);
    if (!repos.clips.setAnalysis(clipId, 'done', labels)) return;
    const updated = repos.clips.get(clipId);
    log.info({ clipId, ms: Date.now() - started, tracks: analysis.tracks.length, labels }, 'clip analysed');
    if (!updated) return;
    bus.emit('clip.updated', { clip: toClip(updated) });
    bus.emit('clip.analysed', { clip: toClip(updated), labels, tracks: analysis.tracks.length, at: clock.iso() });
  }

  private setState(clipId: string, state: 'off' | 'failed'): void {
    const { repos, bus } = this.deps.core;
    if (!repos.clips.setAnalysis(clipId, state)) return;
    const updated = repos.clips.get(clipId);
    if (updated) bus.emit('clip.updated', { clip: toClip(updated) });
  }

  private markUnavailable(reason: string): void {
    if (this.unavailable) return;
    this.unavailable = reason;
    const { problems, repos, log } = this.deps.core;
    log.error({ reason }, 'on-device analysis unavailable; clips are recorded and shared as before, without face suggestions, labels or the face check');
    problems.raise(
      PROBLEM_ID,
      'warning',
      'On-device analysis is unavailable',
      `${reason}. Clips are still recorded and can be shared with blur areas you draw; there are no face suggestions, labels or face check before Send. ` +
        'To stop trying, set detect.enabled: false in the config.',
    );
    this.urgent.length = 0;
    this.backlog = [];
    this.again.clear();
    const marked = repos.clips.markWaitingAnalysisOff();
    if (marked > 0) log.info({ clips: marked }, 'clips waiting for analysis marked off');
  }
}
