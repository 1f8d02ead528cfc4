import path from 'node:path';
import type { CameraConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { RecordInput } from '../media/args.js';
import type { RestartPolicy } from '../media/supervisor.js';
import { MotionDetector } from '../recorder/detector.js';
import { Recorder } from '../recorder/recorder.js';
import { SimulatedMotion, simulatedInput } from './simulated.js';
import type { StreamResolver } from './types.js';

export interface RuntimeDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  cacheDir: string;
  /** The resolver for this camera's kind, when it has a live stream (rtsp or onvif). */
  resolver?: StreamResolver;
  backoff?: RestartPolicy;
  segmentSeconds?: number;
  onStatus(online: boolean, lastError?: string): void;
}

/** Extra finished footage kept beyond pre-roll: covers one GOP of keyframe rounding plus slack. */
const RING_MARGIN_MS = 8_000;

/**
 * Everything that runs for one recording camera: its recorder, its motion detector (only when
 * detection is enabled) and, for the simulated camera, its motion schedule. Built on start and
 * on privacy off; torn down on stop and on privacy on.
 */
export class CameraRuntime {
  readonly recorder: Recorder;
  private readonly detector: MotionDetector | undefined;
  private readonly simulated: SimulatedMotion | undefined;

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
      onStatus: (online, lastError) => deps.onStatus(online, lastError),
      segmentSeconds: deps.segmentSeconds,
      backoff: deps.backoff,
    });
    this.detector = this.buildDetector();
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

  async start(): Promise<void> {
    await this.recorder.start();
    this.detector?.start();
    this.simulated?.start();
  }

  async stop(discard: boolean): Promise<void> {
    this.simulated?.stop();
    await Promise.all([this.recorder.stop(discard), this.detector?.stop()]);
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
    if (!detect.enabled || !resolver) return undefined;
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
      onMotion: (active) =>
        this.deps.bus.emit('motion.changed', { cameraId: this.cam.id, active, source: 'detect', at: this.deps.clock.iso() }),
    });
  }
}
