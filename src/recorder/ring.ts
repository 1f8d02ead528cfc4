import { unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Maps one ffmpeg run's stream time (seconds) to wall-clock milliseconds. ffmpeg writes a
 * segment's list line right after the keyframe that ends it arrives, so `seenAt - end` is the
 * offset plus a small, always positive delay (network, muxer). The minimum over recent lines is
 * the best estimate; a sliding window lets it follow a camera clock that drifts from ours.
 */
export class StreamClock {
  private readonly offsets: number[] = [];

  constructor(private readonly window = 60) {}

  observe(seenAtMs: number, endSeconds: number): void {
    this.offsets.push(seenAtMs - endSeconds * 1000);
    if (this.offsets.length > this.window) this.offsets.shift();
  }

  toWall(seconds: number): number {
    if (this.offsets.length === 0) throw new Error('stream clock has no observations');
    return Math.round(Math.min(...this.offsets) + seconds * 1000);
  }
}

/** One finished segment in the ring buffer. Its wall times come from its run's clock. */
export class Segment {
  constructor(
    readonly file: string,
    readonly startSeconds: number,
    readonly endSeconds: number,
    private readonly clock: StreamClock,
  ) {}

  get startMs(): number {
    return this.clock.toWall(this.startSeconds);
  }

  get endMs(): number {
    return this.clock.toWall(this.endSeconds);
  }
}

/** `name,start,end` as the segment muxer writes it (csv); undefined for anything else. */
export function parseSegmentLine(line: string): { name: string; start: number; end: number } | undefined {
  const m = /^(.+),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(line.trim());
  if (!m?.[1] || m[2] === undefined || m[3] === undefined) return undefined;
  const name = m[1].replace(/^"(.*)"$/, '$1');
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!(end > start) || name.includes('/') || name.startsWith('.')) return undefined;
  return { name, start, end };
}

/**
 * The per-camera ring buffer: finished segments, oldest first, pruned to what pre-roll needs
 * plus a margin. A hold (an open clip event) keeps everything from its start so the assembler
 * never finds its segments pruned underneath it.
 */
export class SegmentRing {
  private segments: Segment[] = [];
  private readonly holds = new Map<string, number>();

  constructor(readonly dir: string) {}

  add(seg: Segment): void {
    this.segments.push(seg);
  }

  hold(id: string, fromMs: number): void {
    this.holds.set(id, fromMs);
  }

  release(id: string): void {
    this.holds.delete(id);
  }

  /** Segments overlapping [fromMs, toMs], oldest first. */
  covering(fromMs: number, toMs: number): Segment[] {
    return this.segments.filter((s) => s.endMs > fromMs && s.startMs < toMs);
  }

  newestEndMs(): number | undefined {
    return this.segments.at(-1)?.endMs;
  }

  get size(): number {
    return this.segments.length;
  }

  /** Drop segments that ended before `nowMs - keepMs` and are not held; returns the files to delete. */
  prune(nowMs: number, keepMs: number): string[] {
    let cutoff = nowMs - keepMs;
    for (const from of this.holds.values()) cutoff = Math.min(cutoff, from);
    const drop = this.segments.filter((s) => s.endMs < cutoff);
    this.segments = this.segments.filter((s) => s.endMs >= cutoff);
    return drop.map((s) => s.file);
  }

  /** Forget everything (privacy mode, restart); returns the files to delete. */
  clear(): string[] {
    const files = this.segments.map((s) => s.file);
    this.segments = [];
    return files;
  }
}

/** Delete files; one already gone is fine (the goal is reached), other failures are returned. */
export async function unlinkAll(files: string[]): Promise<Error[]> {
  const results = await Promise.allSettled(files.map((f) => unlink(f)));
  const errors: Error[] = [];
  for (const r of results) {
    if (r.status === 'rejected' && (r.reason as NodeJS.ErrnoException).code !== 'ENOENT') errors.push(r.reason as Error);
  }
  return errors;
}

export function segmentPath(dir: string, name: string): string {
  return path.join(dir, name);
}
