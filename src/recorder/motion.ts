import type { RegionConfig } from '../config/schema.js';

/** A pixel counts as changed when its grey level moves by more than this (0-255); above sensor noise. */
export const PIXEL_DELTA = 24;

/** Byte offsets of the pixels inside the zones (empty zones = whole frame); computed once per camera. */
export function zoneMask(width: number, height: number, zones: readonly RegionConfig[]): Uint32Array {
  const picked: number[] = [];
  const inZone = (x: number, y: number): boolean =>
    zones.length === 0 ||
    zones.some((z) => x >= z.x * width && x < (z.x + z.width) * width && y >= z.y * height && y < (z.y + z.height) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (inZone(x + 0.5, y + 0.5)) picked.push(y * width + x);
  }
  return Uint32Array.from(picked);
}

/** Fraction (0-1) of masked pixels whose grey level changed by more than PIXEL_DELTA. */
export function changedFraction(prev: Uint8Array, next: Uint8Array, mask: Uint32Array): number {
  if (mask.length === 0) return 0;
  let changed = 0;
  for (const i of mask) {
    const d = (next[i] ?? 0) - (prev[i] ?? 0);
    if (d > PIXEL_DELTA || d < -PIXEL_DELTA) changed++;
  }
  return changed / mask.length;
}

export interface MotionRules {
  threshold: number;
  minSeconds: number;
  cooldownSeconds: number;
}

/**
 * Turns per-frame scores into motion on/off: on after the score stays above threshold for
 * minSeconds, off once it has stayed below for cooldownSeconds. Pure; time comes in with each score.
 */
export class MotionState {
  private active = false;
  private aboveSince: number | undefined;
  private lastAbove = 0;

  constructor(private readonly rules: MotionRules) {}

  get isActive(): boolean {
    return this.active;
  }

  /** Returns the new state when it changes, else undefined. */
  update(score: number, atMs: number): boolean | undefined {
    const above = score >= this.rules.threshold;
    if (above) {
      this.lastAbove = atMs;
      this.aboveSince ??= atMs;
    } else {
      this.aboveSince = undefined;
    }
    if (!this.active && this.aboveSince !== undefined && atMs - this.aboveSince >= this.rules.minSeconds * 1000) {
      this.active = true;
      return true;
    }
    if (this.active && !above && atMs - this.lastAbove >= this.rules.cooldownSeconds * 1000) {
      this.active = false;
      return false;
    }
    return undefined;
  }

  /** The stream went away: motion cannot be known, so it ends. */
  reset(): boolean | undefined {
    this.aboveSince = undefined;
    if (!this.active) return undefined;
    this.active = false;
    return false;
  }
}
