import { describe, expect, it } from 'vitest';
import { InboxRejection } from '../../../src/inbox/rules.js';
import { FileGone, waitUntilStable, type FileSnapshot } from '../../../src/inbox/stability.js';

/** A file whose successive looks are scripted; the last one repeats. */
function scripted(sizes: (number | 'gone')[]): { look: (f: string) => Promise<FileSnapshot>; looks: () => number } {
  let i = 0;
  return {
    look: async () => {
      const s = sizes[Math.min(i++, sizes.length - 1)];
      if (s === 'gone') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return { size: s ?? 0, mtimeMs: s ?? 0 };
    },
    looks: () => i,
  };
}

const opts = { pollMs: 1, stablePolls: 3, maxBytes: 10_000 };

describe('waitUntilStable', () => {
  it('waits until the size stops changing for the required number of looks', async () => {
    const f = scripted([10, 20, 30, 40, 40, 40, 40]);
    await expect(waitUntilStable('x', { ...opts, look: f.look })).resolves.toEqual({ size: 40, mtimeMs: 40 });
    // 4 growing looks, then 3 identical ones after the first 40.
    expect(f.looks()).toBe(7);
  });

  it('starts counting again when the file grows after a pause', async () => {
    const f = scripted([10, 10, 10, 20, 20, 20, 20]);
    await expect(waitUntilStable('x', { ...opts, look: f.look })).resolves.toMatchObject({ size: 20 });
    expect(f.looks()).toBe(7);
  });

  it('refuses a file that grows past the limit without waiting for the end', async () => {
    const f = scripted([10, 5_000, 20_000, 30_000]);
    const err = await waitUntilStable('x', { ...opts, look: f.look }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InboxRejection);
    expect((err as InboxRejection).code).toBe('too-large');
  });

  it('reports a file that disappears', async () => {
    const f = scripted([10, 'gone']);
    await expect(waitUntilStable('x', { ...opts, look: f.look })).rejects.toBeInstanceOf(FileGone);
  });

  it('stops when aborted', async () => {
    const f = scripted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    const ac = new AbortController();
    const p = waitUntilStable('x', { ...opts, pollMs: 50, look: f.look, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
