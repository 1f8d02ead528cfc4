import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CameraConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { removeIfExists } from '../core/durable.js';
import { reportIfDiskFull } from '../core/disk-full.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus, EventMap } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Problems } from '../core/problems.js';
import type { Service } from '../core/service.js';
import type { ClipTrigger } from '../core/types.js';
import { concatArgs, concatListLine } from '../media/args.js';
import { runMediaChecked } from '../media/run.js';
import type { Segment, SegmentRing } from '../recorder/ring.js';
import { EventWindow, type ClosedEvent } from './event-window.js';
import type { ClipStore } from './store.js';

/** Where the assembler finds footage: a camera's ring, or undefined while it is not recording. */
export interface SegmentSource {
  ring(cameraId: string): SegmentRing | undefined;
}

export interface AssemblerDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  problems: Problems;
  store: ClipStore;
  cameras: readonly CameraConfig[];
  segments: SegmentSource;
  /** How often open events are checked; also bounds the end-of-post-roll → clip latency. */
  tickMs?: number;
  /** How long to wait past an event's end for the segment that covers it (one GOP plus slack). */
  segmentWaitMs?: number;
}

interface Waiting {
  cameraId: string;
  event: ClosedEvent;
  key: string;
  deadline: number;
}

const OWNER = 'clip-assembler';
/** Slack allowed at each end of a clip before it counts as incomplete (keyframe and clock jitter). */
const COVERAGE_SLACK_MS = 500;

/**
 * Turns triggers into clips: one EventWindow per camera collects overlapping triggers; a closed
 * event waits until the ring holds a finished segment past its end, then its segments are joined
 * with stream copy and handed to the ClipStore. Jobs run one at a time: on a Pi, two concurrent
 * concats buy nothing but contention. Missing footage becomes a visible problem, never a crash.
 */
export class ClipAssembler implements Service {
  readonly name = 'clip-assembler';
  private readonly windows = new Map<string, EventWindow>();
  private readonly waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(private readonly deps: AssemblerDeps) {
    for (const cam of deps.cameras) {
      const r = cam.record;
      this.windows.set(cam.id, new EventWindow({ preMs: r.preSeconds * 1000, postMs: r.postSeconds * 1000, maxMs: r.maxSeconds * 1000 }));
    }
  }

  async start(): Promise<void> {
    const { bus } = this.deps;
    bus.on(OWNER, 'motion.changed', (e) => this.onMotion(e));
    bus.on(OWNER, 'doorbell.pressed', (e) => this.onInstant(e.cameraId, 'doorbell', e.at, randomUUID()));
    bus.on(OWNER, 'clip.trigger', (e) => this.onInstant(e.cameraId, e.trigger, e.at, e.eventId, e.seconds));
    bus.on(OWNER, 'camera.privacy', (e) => {
      if (e.enabled) this.drop(e.cameraId);
    });
    this.timer = setInterval(() => this.tick(), this.deps.tickMs ?? 250);
  }

  /** Stops listening and aborts a running concat; unfinished clips leave only scratch files. */
  async stop(): Promise<void> {
    this.deps.bus.off(OWNER);
    clearInterval(this.timer);
    this.abort.abort();
    await this.queue;
  }

  /** Open events and clips waiting for footage, for diagnostics and tests. */
  get busy(): number {
    let open = 0;
    for (const w of this.windows.values()) if (w.isOpen) open++;
    return open + this.waiting.length;
  }

  private onMotion(e: EventMap['motion.changed']): void {
    const window = this.accepting(e.cameraId);
    if (!window) return;
    const trigger: ClipTrigger = e.source === 'detect' ? 'detect' : 'motion';
    window.motion(e.source, e.active, Date.parse(e.at), randomUUID(), trigger);
    this.holdOpen(e.cameraId, window);
  }

  private onInstant(cameraId: string, trigger: ClipTrigger, at: string, eventId: string, seconds?: number): void {
    const window = this.accepting(cameraId);
    if (!window) return;
    window.instant(trigger, Date.parse(at), eventId, seconds === undefined ? undefined : seconds * 1000);
    this.holdOpen(cameraId, window);
  }

  /** The camera's window, or undefined when it is unknown or not recording (privacy, no source). */
  private accepting(cameraId: string): EventWindow | undefined {
    const window = this.windows.get(cameraId);
    if (!window || !this.deps.segments.ring(cameraId)) {
      this.deps.log.debug({ camera: cameraId }, 'trigger ignored: camera is not recording');
      return undefined;
    }
    return window;
  }

  private holdOpen(cameraId: string, window: EventWindow): void {
    const ring = this.deps.segments.ring(cameraId);
    const from = window.openFromMs;
    if (!ring) return;
    if (from === undefined) ring.release(`open:${cameraId}`);
    else ring.hold(`open:${cameraId}`, from);
  }

  private drop(cameraId: string): void {
    this.windows.get(cameraId)?.reset();
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]?.cameraId === cameraId) this.waiting.splice(i, 1);
    this.deps.log.info({ camera: cameraId }, 'privacy on: open clip events dropped');
  }

  private tick(): void {
    const now = this.deps.clock.now();
    for (const [cameraId, window] of this.windows) {
      const event = window.due(now);
      if (!event) continue;
      const key = `clip:${event.eventIds[0] ?? randomUUID()}:${event.fromMs}`;
      this.deps.segments.ring(cameraId)?.hold(key, event.fromMs);
      this.holdOpen(cameraId, window);
      this.waiting.push({ cameraId, event, key, deadline: event.toMs + (this.deps.segmentWaitMs ?? 15_000) });
    }
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      if (!w) continue;
      const ring = this.deps.segments.ring(w.cameraId);
      const newest = ring?.newestEndMs() ?? -Infinity;
      if (newest < w.event.toMs && now < w.deadline) continue;
      this.waiting.splice(i--, 1);
      this.queue = this.queue.then(() => this.assemble(w));
    }
  }

  private async assemble(w: Waiting): Promise<void> {
    const ring = this.deps.segments.ring(w.cameraId);
    const problemId = `clips.${w.cameraId}.assembly`;
    try {
      const segments = ring?.covering(w.event.fromMs, w.event.toMs) ?? [];
      if (segments.length === 0) throw new Error('no recorded footage covers the event (camera offline, or the recording was lost)');
      this.checkCoverage(w, segments);
      await this.concatAndStore(w, segments);
      this.deps.problems.clear(problemId);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.deps.log.error({ camera: w.cameraId, err: errorMessage(err), eventIds: w.event.eventIds }, 'clip could not be made');
      // A full data disk is the disk guard's to handle (retention at once, a problem for the owner).
      reportIfDiskFull(this.deps.bus, this.deps.clock, err, `assembler ${w.cameraId}`, this.deps.store.scratchDir);
      this.deps.problems.raise(problemId, 'error', `A clip from ${w.cameraId} could not be made`, errorMessage(err));
    } finally {
      ring?.release(w.key);
    }
  }

  private checkCoverage(w: Waiting, segments: Segment[]): void {
    const first = segments[0];
    const last = segments.at(-1);
    if (!first || !last) return;
    const missingHead = first.startMs - w.event.fromMs;
    const missingTail = w.event.toMs - last.endMs;
    if (missingHead > COVERAGE_SLACK_MS || missingTail > COVERAGE_SLACK_MS) {
      this.deps.log.warn({ camera: w.cameraId, missingHeadMs: Math.max(0, missingHead), missingTailMs: Math.max(0, missingTail) }, 'clip is shorter than its event: footage missing');
    }
  }

  private async concatAndStore(w: Waiting, segments: Segment[]): Promise<void> {
    const base = path.join(this.deps.store.scratchDir, randomUUID());
    const list = `${base}.txt`;
    const out = `${base}.mp4`;
    const startedMs = segments[0]?.startMs ?? w.event.fromMs;
    this.deps.log.info({ camera: w.cameraId, segments: segments.length, eventIds: w.event.eventIds }, 'assembling clip');
    try {
      await writeFile(list, segments.map((s) => concatListLine(s.file)).join('\n') + '\n');
      await runMediaChecked('ffmpeg', concatArgs(list, out), { timeoutMs: 120_000, signal: this.abort.signal });
      await removeIfExists(list);
      const clip = await this.deps.store.addFromFile({ cameraId: w.cameraId, trigger: w.event.trigger, startedAt: new Date(startedMs).toISOString(), file: out, move: true });
      const latencyMs = this.deps.clock.now() - w.event.toMs;
      this.deps.log.info({ camera: w.cameraId, clipId: clip.id, eventIds: w.event.eventIds, capped: w.event.capped, latencyMs }, 'clip created');
    } finally {
      await Promise.all([removeIfExists(list), removeIfExists(out)]);
    }
  }
}
