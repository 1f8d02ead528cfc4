import { describe, expect, it } from 'vitest';
import type { FileSnapshot } from '../../../src/inbox/drop.js';
import { InboxRejection } from '../../../src/inbox/rules.js';
import { waitUntilStable } from '../../../src/inbox/stability.js';

/**
 * A file and a clock under the test's control: `script` gives the file's (size, mtime) from each
 * moment on, time moves only when the waiter sleeps.
 */
function rig(script: [atMs: number, size: number, mtime: number][]): {
  look: () => Promise<FileSnapshot>;
  now: () => number;
  wait: (ms: number) => Promise<void>;
  looks: number[];
} {
  let t = 0;
  const looks: number[] = [];
  return {
    looks,
    now: () => t,
    wait: async (ms) => void (t += ms),
    look: async () => {
      looks.push(t);
      const [, size, mtimeMs] = [...script].reverse().find(([at]) => at <= t) ?? script[0]!;
      return { size, mtimeMs };
    },
  };
}

const base = { pollMs: 1_000, maxBytes: 1_000_000 };

describe('waitUntilStable', () => {
  it('a file unchanged from the first look is finished one settle window later', async () => {
    const r = rig([[0, 500, 1]]);
    await expect(waitUntilStable(r.look, { ...base, settleMs: 10_000, now: r.now, wait: r.wait })).resolves.toEqual({ size: 500, mtimeMs: 1 });
    expect(r.now()).toBe(10_000);
  });

  it('a writer pausing 6 s between two halves is still writing under a 10 s window: one finished file, after the second half', async () => {
    // First half at 0, nothing for 6 s, the second half lands at 6 s.
    const r = rig([[0, 500, 1], [6_000, 1_000, 2]]);
    const done = await waitUntilStable(r.look, { ...base, settleMs: 10_000, now: r.now, wait: r.wait });
    expect(done).toEqual({ size: 1_000, mtimeMs: 2 });
    // Quiet for 10 s counted from the change seen at 6 s.
    expect(r.now()).toBe(16_000);
  });

  it('a pause longer than the window ends the wait (the rule is the window, nothing else)', async () => {
    const r = rig([[0, 500, 1], [12_000, 1_000, 2]]);
    await expect(waitUntilStable(r.look, { ...base, settleMs: 10_000, now: r.now, wait: r.wait })).resolves.toEqual({ size: 500, mtimeMs: 1 });
  });

  it('an mtime change alone (same size, rewritten in place) restarts the window', async () => {
    const r = rig([[0, 500, 1], [4_000, 500, 2]]);
    await waitUntilStable(r.look, { ...base, settleMs: 10_000, now: r.now, wait: r.wait });
    expect(r.now()).toBe(14_000);
  });

  it('looks at least every pollMs', async () => {
    const r = rig([[0, 500, 1]]);
    await waitUntilStable(r.look, { ...base, settleMs: 3_000, pollMs: 500, now: r.now, wait: r.wait });
    expect(r.looks).toEqual([0, 500, 1_000, 1_500, 2_000, 2_500, 3_000]);
  });

  it('with a window of 0 it is one look', async () => {
    const r = rig([[0, 500, 1]]);
    await waitUntilStable(r.look, { ...base, settleMs: 0, now: r.now, wait: r.wait });
    expect(r.looks).toEqual([0]);
  });

  it('refuses a file that grows past the limit without waiting for the end', async () => {
    const r = rig([[0, 10, 1], [1_000, 5_000, 2], [2_000, 20_000, 3]]);
    const err = await waitUntilStable(r.look, { ...base, maxBytes: 10_000, settleMs: 10_000, now: r.now, wait: r.wait }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InboxRejection);
    expect((err as InboxRejection).code).toBe('too-large');
    expect(r.now()).toBe(2_000);
  });

  it('passes on what the look throws (a drop that vanished or was replaced)', async () => {
    let n = 0;
    const look = async (): Promise<FileSnapshot> => {
      if (n++ > 0) throw Object.assign(new Error('gone'), { name: 'FileGone' });
      return { size: 1, mtimeMs: 1 };
    };
    await expect(waitUntilStable(look, { ...base, settleMs: 5_000, wait: async () => undefined })).rejects.toMatchObject({ name: 'FileGone' });
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const p = waitUntilStable(async () => ({ size: 1, mtimeMs: 1 }), { ...base, settleMs: 60_000, pollMs: 50, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
