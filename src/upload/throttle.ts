import { Transform, type TransformCallback } from 'node:stream';

/**
 * Limits a byte stream to `kbps` kilobits per second (token bucket with a small burst), so an
 * upload does not saturate a home uplink. 0 or less passes bytes through untouched.
 * Large chunks are split so the rate stays smooth at low limits.
 */
export class ThrottleStream extends Transform {
  private readonly bytesPerSec: number;
  private readonly slice: number;
  private allowance: number;
  private last = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(kbps: number) {
    super();
    this.bytesPerSec = (kbps * 1000) / 8;
    // 50 ms worth of bytes per push keeps progress smooth without a timer per kilobyte.
    this.slice = Math.max(1024, Math.floor(this.bytesPerSec / 20));
    this.allowance = this.slice;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.bytesPerSec <= 0) {
      done(null, chunk);
      return;
    }
    this.pushPaced(chunk, 0, done);
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    cb(err);
  }

  private pushPaced(chunk: Buffer, pos: number, done: TransformCallback): void {
    while (pos < chunk.length) {
      this.refill();
      if (this.allowance < 1) {
        const waitMs = Math.ceil(((1 - this.allowance) / this.bytesPerSec) * 1000) + 5;
        this.timer = setTimeout(() => this.pushPaced(chunk, pos, done), waitMs);
        return;
      }
      const n = Math.min(chunk.length - pos, Math.floor(this.allowance), this.slice);
      this.push(chunk.subarray(pos, pos + n));
      this.allowance -= n;
      pos += n;
    }
    done();
  }

  private refill(): void {
    const now = Date.now();
    this.allowance = Math.min(this.slice, this.allowance + ((now - this.last) / 1000) * this.bytesPerSec);
    this.last = now;
  }
}
