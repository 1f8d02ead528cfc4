import path from 'node:path';
import type { CameraConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { RecordInput } from '../media/args.js';
import type { RestartPolicy } from '../media/supervisor.js';
import { MotionDetector } from '../recorder/detector.js';
import { Recorder } from '../recorder/recorder.js';
import { streamOutcome } from './outcome.js';
import { SimulatedMotion, simulatedInput } from './simulated.js';
import type { StreamOutcome, StreamResolver } from './types.js';

export interface RuntimeDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  cacheDir: string;
  /** The resolver for this camera's kind, when it has a live stream (rtsp or onvif). */
  resolver?: StreamResolver;
  backoff?: RestartPolicy;
  segmentSeconds?: number;
  /** Run motion detection even though the config does not ask for it (the ONVIF fallback). */
  forceDetection?: boolean;
  onStatus(online: boolean, lastError?: string): void;
  /** How each use of the resolved streams went (recorder and detector runs). */
  onOutcome?(outcome: StreamOutcome): void;
}

/** Extra finished footage kept beyond pre-roll: covers one GOP of keyframe rounding plus slack. */
const RING_MARGIN_MS = 8_000;

/**
 * Everything that runs for one recording camera: its recorder, its motion detector (when
 * detection is enabled, or switched on at run time as the fallback for a camera without usable
 * events) and, for the simulated camera, its motion schedule. Built on start and on privacy off;
 * torn down on stop and on privacy on.
 */
export class CameraRuntime {
  readonly recorder: Recorder;
  private detector: MotionDetector | undefined;
  private readonly simulated: SimulatedMotion | undefined;
  private started = false;

  constructor(
    readonly cam: CameraConfig,
    private readonly deps: RuntimeDeps,
  ) {
    const log = deps.log;
    this.recorder = new Recorder({
      cameraId: cam.id,
      log: log.child({ part: 'recorder' }),
      clock: deps.clock,
      dir: path.join(deps.cacheDir, cam.id),
      input: (signal) => this.input(signal),
      audio: cam.record.audio,
      keepMs: cam.record.preSeconds * 1000 + RING_MARGIN_MS,
      onStatus: (online, lastError) => {
        if (online) this.outcome('ok');
        deps.onStatus(online, lastError);
      },
      onRunEnd: (end) => this.outcome(streamOutcome(end)),
      segmentSeconds: deps.segmentSeconds,
      backoff: deps.backoff,
    });
    if (cam.motion.detect.enabled || deps.forceDetection) this.detector = this.buildDetector();
    if (cam.simulated) {
      this.simulated = new SimulatedMotion({
        cameraId: cam.id,
        bus: deps.bus,
        clock: deps.clock,
        everySeconds: cam.simulated.motionEverySeconds,
        // Wait for the pre-roll to be in the ring (plus ffmpeg start-up) before the first event.
        firstAfterMs: cam.record.preSeconds * 1000 + 5_000,
      });
    }
  }

  get pids(): number[] {
    return [this.recorder.pid, this.detector?.pid].filter((p): p is number => p !== undefined);
  }

  get detecting(): boolean {
    return this.detector !== undefined;
  }

  async start(): Promise<void> {
    this.started = true;
    await this.recorder.start();
    this.detector?.start();
    this.simulated?.start();
  }

  async stop(discard: boolean): Promise<void> {
    this.started = false;
    this.simulated?.stop();
    await Promise.all([this.recorder.stop(discard), this.detector?.stop()]);
  }

  /** Start motion detection now, whatever the config says; false when the camera has no stream to analyse. */
  enableDetection(): boolean {
    if (this.detector) return true;
    this.detector = this.buildDetector();
    if (this.detector && this.started) this.detector.start();
    return this.detector !== undefined;
  }

  private outcome(outcome: StreamOutcome | undefined): void {
    if (outcome) this.deps.onOutcome?.(outcome);
  }

  private async input(signal: AbortSignal): Promise<RecordInput> {
    if (this.cam.simulated) return simulatedInput(this.cam.simulated, this.cam.record.audio);
    if (!this.deps.resolver) throw new Error('no stream resolver for this camera kind');
    const streams = await this.deps.resolver.resolve(this.cam.id, signal);
    return { kind: 'rtsp', url: streams.main };
  }

  private buildDetector(): MotionDetector | undefined {
    const detect = this.cam.motion.detect;
    const resolver = this.deps.resolver;
    // The simulated camera has no stream to decode; its motion comes from its schedule.
    if (!resolver || this.cam.simulated) return undefined;
    return new MotionDetector({
      cameraId: this.cam.id,
      log: this.deps.log.child({ part: 'detect' }),
      clock: this.deps.clock,
      url: async (signal) => {
        const s = await resolver.resolve(this.cam.id, signal);
        return s.sub ?? s.main;
      },
      fps: detect.fps,
      rules: { threshold: detect.threshold, minSeconds: detect.minSeconds, cooldownSeconds: detect.cooldownSeconds },
      zones: detect.zones,
      backoff: this.deps.backoff,
      onRunning: () => this.outcome('ok'),
      onRunEnd: (end) => this.outcome(streamOutcome(end)),
      onMotion: (active) =>
        this.deps.bus.emit('motion.changed', { cameraId: this.cam.id, active, source: 'detect', at: this.deps.clock.iso() }),
    });
  }
}
