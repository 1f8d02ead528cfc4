import type { Logger } from '../../core/logger.js';

const EVERY_MS = 60_000;

/**
 * Warnings about one camera, at most one a minute of each kind, each saying how many of its kind
 * were left out since the last: a camera sending garbage many times a second must not flood the log.
 */
export class ThrottledWarnings {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly cameraId: string,
    private readonly now: () => number,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.now();
    const last = this.last.get(kind);
    if (last && now - last.at < EVERY_MS) {
      last.suppressed += 1;
      return;
    }
    this.last.set(kind, { at: now, suppressed: 0 });
    this.log.warn({ camera: this.cameraId, ...fields, suppressed: last?.suppressed ?? 0 }, msg);
  }
}
