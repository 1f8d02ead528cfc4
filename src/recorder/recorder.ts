import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { recordArgs, type RecordInput } from '../media/args.js';
import { LineSplitter } from '../media/run.js';
import { Supervisor, type RestartPolicy, type RunEnd } from '../media/supervisor.js';
import { notePid, reapOrphan } from './orphans.js';
import { parseSegmentLine, Segment, SegmentRing, StreamClock, unlinkAll } from './ring.js';

export interface RecorderDeps {
  cameraId: string;
  log: Logger;
  clock: Clock;
  /** cacheDir/<camera>: the ring buffer's folder (RAM disk recommended). */
  dir: string;
  /** Resolves the input for the next ffmpeg run; a throw means the camera is offline. */
  input(signal: AbortSignal): Promise<RecordInput>;
  audio: boolean;
  /** How much finished footage to keep for pre-roll (pre-roll plus a margin). */
  keepMs: number;
  onStatus(online: boolean, lastError?: string): void;
  /** Every ffmpeg run's end (or failed start), with why; the camera registry learns 401/404 from it. */
  onRunEnd?(end: RunEnd): void;
  segmentSeconds?: number;
  /** No finished segment for this long while running means a stalled stream: restart ffmpeg. */
  stallMs?: number;
  backoff?: RestartPolicy;
}

/**
 * Records one camera into its segment ring: ffmpeg stream-copies the main stream into ~2 s
 * MPEG-TS segments (cut at keyframes, so segment length follows the camera's GOP) and reports
 * each finished one on stdout. Only reported segments enter the ring; the one being written is
 * never read. Restarted with backoff by the Supervisor; `online` means segments are arriving.
 */
export class Recorder {
  readonly ring: SegmentRing;
  private readonly supervisor: Supervisor;
  private online = false;
  private runSeq = 0;
  private lastSegmentAt = 0;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RecorderDeps) {
    this.ring = new SegmentRing(deps.dir);
    this.supervisor = new Supervisor({
      name: `recorder:${deps.cameraId}`,
      log: deps.log,
      backoff: deps.backoff,
      prepare: (signal) => this.prepare(signal),
      onSpawn: (child) => this.attach(child),
      onEnd: (end) => {
        this.deps.onRunEnd?.(end);
        this.setOnline(false, end.reason);
      },
    });
  }

  get pid(): number | undefined {
    return this.supervisor.pid;
  }

  get isOnline(): boolean {
    return this.online;
  }

  async start(): Promise<void> {
    const orphan = await reapOrphan(this.pidFile, this.deps.dir);
    if (orphan !== undefined) this.deps.log.warn({ pid: orphan }, 'killed an ffmpeg left running by a previous crash');
    // Segments from an earlier run have no timing information any more: start empty.
    await rm(this.deps.dir, { recursive: true, force: true });
    await mkdir(this.deps.dir, { recursive: true });
    this.supervisor.start();
    const stallMs = this.deps.stallMs ?? 20_000;
    this.watchdog = setInterval(() => this.checkStall(stallMs), Math.min(stallMs, 5_000));
  }

  /** Stops ffmpeg and, when `discard` is set (privacy mode), deletes the whole ring. */
  async stop(discard = false): Promise<void> {
    clearInterval(this.watchdog);
    await this.supervisor.stop();
    this.online = false;
    if (discard) {
      this.ring.clear();
      await rm(this.deps.dir, { recursive: true, force: true });
    }
  }

  private async prepare(signal: AbortSignal): Promise<string[]> {
    const input = await this.deps.input(signal);
    await mkdir(this.deps.dir, { recursive: true });
    await this.removeUnlisted();
    this.runSeq += 1;
    const runId = `${this.deps.clock.now().toString(36)}-${this.runSeq}`;
    this.lastSegmentAt = this.deps.clock.now();
    return recordArgs(input, { dir: this.deps.dir, runId, segmentSeconds: this.deps.segmentSeconds ?? 2, audio: this.deps.audio });
  }

  /** A run killed mid-segment leaves a file that never got its list line; it would never be pruned. */
  private async removeUnlisted(): Promise<void> {
    const listed = new Set(this.ring.covering(-Infinity, Infinity).map((s) => path.basename(s.file)));
    const names = await readdir(this.deps.dir).catch(() => [] as string[]);
    await unlinkAll(names.filter((n) => !listed.has(n)).map((n) => path.join(this.deps.dir, n)));
  }

  /** Beside the ring folder, not in it: the folder is wiped at start. */
  private get pidFile(): string {
    return `${this.deps.dir}.ffmpeg.pid`;
  }

  private attach(child: ChildProcess): void {
    notePid(this.pidFile, child.pid).catch((err: unknown) => this.deps.log.debug({ err }, 'could not note the ffmpeg pid'));
    const clock = new StreamClock();
    const lines = new LineSplitter((line) => this.onListLine(line, clock));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => lines.push(chunk));
  }

  private onListLine(line: string, clock: StreamClock): void {
    const parsed = parseSegmentLine(line);
    if (!parsed) {
      this.deps.log.debug({ line }, 'unexpected segment list line');
      return;
    }
    const now = this.deps.clock.now();
    clock.observe(now, parsed.end);
    this.ring.add(new Segment(path.join(this.deps.dir, parsed.name), parsed.start, parsed.end, clock));
    this.lastSegmentAt = now;
    if (!this.online) this.setOnline(true);
    void this.prune(now);
  }

  private async prune(now: number): Promise<void> {
    const errors = await unlinkAll(this.ring.prune(now, this.deps.keepMs));
    for (const err of errors) this.deps.log.warn({ err }, 'could not delete an old segment');
  }

  private checkStall(stallMs: number): void {
    if (this.supervisor.pid === undefined) return;
    if (this.deps.clock.now() - this.lastSegmentAt > stallMs) {
      this.lastSegmentAt = this.deps.clock.now();
      this.supervisor.restartNow(`no video for ${Math.round(stallMs / 1000)} s`);
    }
  }

  private setOnline(online: boolean, lastError?: string): void {
    if (online === this.online && online) return;
    this.online = online;
    this.deps.onStatus(online, lastError);
  }
}
