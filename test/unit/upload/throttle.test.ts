import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ThrottleStream } from '../../../src/upload/throttle.js';

async function pump(kbps: number, bytes: number): Promise<{ out: Buffer; ms: number }> {
  const input = Buffer.alloc(bytes, 7);
  const parts: Buffer[] = [];
  const started = Date.now();
  await pipeline(
    Readable.from([input.subarray(0, bytes / 2), input.subarray(bytes / 2)]),
    new ThrottleStream(kbps),
    new Writable({ write(chunk: Buffer, _e, cb) { parts.push(chunk); cb(); } }),
  );
  return { out: Buffer.concat(parts), ms: Date.now() - started };
}

describe('ThrottleStream', () => {
  it('passes every byte through unchanged, throttled or not', async () => {
    expect((await pump(0, 100_000)).out.equals(Buffer.alloc(100_000, 7))).toBe(true);
    expect((await pump(8000, 100_000)).out.equals(Buffer.alloc(100_000, 7))).toBe(true);
  });
  it('cannot go faster than the limit (a lower bound: slow machines only make it slower)', async () => {
    // 800 kbit/s = 100 kB/s; 60 kB minus the initial 5 kB burst needs at least ~550 ms.
    const { ms } = await pump(800, 60_000);
    expect(ms).toBeGreaterThanOrEqual(500);
  });
});
