import type { ChildProcess } from 'node:child_process';
import type { RegionConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { detectArgs } from '../media/args.js';
import { Supervisor, type RestartPolicy, type RunEnd } from '../media/supervisor.js';
import { changedFraction, MotionState, zoneMask, type MotionRules } from './motion.js';

/** Analysis frame size: big enough to see a person at the sub stream's distance, 9 KiB a frame. */
export const DETECT_WIDTH = 128;
export const DETECT_HEIGHT = 72;

export interface DetectorDeps {
  cameraId: string;
  log: Logger;
  clock: Clock;
  /** The stream to analyse (the sub stream, or the main one when there is none). */
  url(signal: AbortSignal): Promise<string>;
  fps: number;
  rules: MotionRules;
  zones: readonly RegionConfig[];
  onMotion(active: boolean): void;
  /** Optional: each frame's score, for diagnostics and tests. */
  onScore?(score: number): void;
  /** The first frame of each run arrived: the stream works. */
  onRunning?(): void;
  /** Every ffmpeg run's end (or failed start), with why. */
  onRunEnd?(end: RunEnd): void;
  backoff?: RestartPolicy;
}

/**
 * Daemon-side motion detection: ffmpeg decodes the sub stream at a few fps into small grey
 * frames on a pipe; each frame is compared with the previous one inside the zones. Only cameras
 * with detection enabled run this, so no other camera costs any per-frame JavaScript.
 */
export class MotionDetector {
  private readonly supervisor: Supervisor;
  private readonly state: MotionState;
  private readonly mask: Uint32Array;
  private readonly frameBytes = DETECT_WIDTH * DETECT_HEIGHT;

  constructor(private readonly deps: DetectorDeps) {
    this.state = new MotionState(deps.rules);
    this.mask = zoneMask(DETECT_WIDTH, DETECT_HEIGHT, deps.zones);
    this.supervisor = new Supervisor({
      name: `detect:${deps.cameraId}`,
      log: deps.log,
      backoff: deps.backoff,
      prepare: async (signal) => detectArgs(await deps.url(signal), { width: DETECT_WIDTH, height: DETECT_HEIGHT, fps: deps.fps }),
      onSpawn: (child) => this.attach(child),
      onEnd: (end) => {
        this.deps.onRunEnd?.(end);
        this.emit(this.state.reset());
      },
    });
  }

  get pid(): number | undefined {
    return this.supervisor.pid;
  }

  start(): void {
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
    this.emit(this.state.reset());
  }

  private attach(child: ChildProcess): void {
    let prev: Uint8Array | undefined;
    let pending: Buffer = Buffer.alloc(0);
    let running = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (!running && pending.length >= this.frameBytes) {
        running = true;
        this.deps.onRunning?.();
      }
      while (pending.length >= this.frameBytes) {
        // Copy: the frame outlives this chunk as `prev`.
        const frame = new Uint8Array(pending.subarray(0, this.frameBytes));
        pending = pending.subarray(this.frameBytes);
        if (prev) this.score(changedFraction(prev, frame, this.mask));
        prev = frame;
      }
    });
  }

  private score(score: number): void {
    this.deps.onScore?.(score);
    this.emit(this.state.update(score, this.deps.clock.now()));
  }

  private emit(change: boolean | undefined): void {
    if (change !== undefined) this.deps.onMotion(change);
  }
}
