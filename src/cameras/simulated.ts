import type { CameraConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { RecordInput } from '../media/args.js';

type SimulatedConfig = NonNullable<CameraConfig['simulated']>;

/** How long each simulated motion event stays active. */
export const SIMULATED_ACTIVE_MS = 3_000;

/** The recorder input of a simulated camera: a synthetic pattern encoded by ffmpeg itself. */
export function simulatedInput(sim: SimulatedConfig, audio: boolean): RecordInput {
  return { kind: 'simulated', width: sim.width, height: sim.height, fps: sim.fps, audio };
}

/**
 * The simulated camera's motion schedule: active for a few seconds, then inactive, every
 * `motionEverySeconds`. The first event waits until the ring holds the pre-roll, so the demo
 * produces a complete clip within its first minute.
 */
export class SimulatedMotion {
  private timers: NodeJS.Timeout[] = [];
  private interval: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { cameraId: string; bus: EventBus; clock: Clock; everySeconds: number; firstAfterMs: number },
  ) {}

  start(): void {
    this.timers.push(setTimeout(() => this.fire(), this.deps.firstAfterMs));
    this.interval = setInterval(() => this.fire(), this.deps.everySeconds * 1000);
  }

  stop(): void {
    clearInterval(this.interval);
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private fire(): void {
    this.emit(true);
    const off = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== off);
      this.emit(false);
    }, SIMULATED_ACTIVE_MS);
    this.timers.push(off);
  }

  private emit(active: boolean): void {
    this.deps.bus.emit('motion.changed', { cameraId: this.deps.cameraId, active, source: 'simulated', at: this.deps.clock.iso() });
  }
}
