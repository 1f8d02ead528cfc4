/**
 * A growable byte queue: append at the end, consume from the front. Appends are amortised O(1)
 * per byte (the backing buffer doubles, or is compacted when half of it is already consumed), so
 * a peer that sends one byte per TCP segment costs linear time, not quadratic as repeated
 * Buffer.concat would.
 */
export class ByteQueue {
  private buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(initialCapacity = 4096) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) {
      const needed = this.length + chunk.length;
      if (needed <= this.buf.length / 2) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let size = this.buf.length * 2;
        while (size < needed) size *= 2;
        const next = Buffer.allocUnsafe(size);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      }
      this.end = this.length;
      this.start = 0;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The queued bytes, without copying; valid until the next append or consume. */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** Byte at offset `i` from the front, or -1 past the end. */
  at(i: number): number {
    return i < this.length ? (this.buf[this.start + i] ?? -1) : -1;
  }

  /** Copy of the first n bytes, removed from the queue. */
  take(n: number): Buffer {
    const out = Buffer.from(this.buf.subarray(this.start, this.start + n));
    this.consume(n);
    return out;
  }

  consume(n: number): void {
    this.start += Math.min(n, this.length);
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }
}
