import { setTimeout as sleep } from 'node:timers/promises';
import type { FileSnapshot } from './drop.js';
import { InboxRejection } from './rules.js';

export interface StabilityOptions {
  /** How long size and mtime must stay the same before the upload counts as finished (0: one look). */
  settleMs: number;
  /** Time between two looks at the file. */
  pollMs: number;
  /** A file growing past this is refused without waiting for the end. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Monotonic milliseconds; injected by unit tests. */
  now?: () => number;
  /** Injected by unit tests; the default sleeps for real. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realWait = (ms: number, signal?: AbortSignal): Promise<void> => sleep(ms, undefined, { signal });

/**
 * Waits until a file stops changing. An FTP upload gives no "done" signal, so "finished" means
 * the same size and the same mtime for `settleMs` in a row, measured from the last change seen.
 * A writer that pauses for less than that (a camera's FTP client between two bursts) keeps the
 * file open for business: its drop becomes one clip, not two. A partly written mp4 with its index
 * at the front probes as a valid shorter video, which is why ffprobe alone cannot tell.
 */
export async function waitUntilStable(look: () => Promise<FileSnapshot>, opts: StabilityOptions): Promise<FileSnapshot> {
  const now = opts.now ?? (() => performance.now());
  const wait = opts.wait ?? realWait;
  let last = await look();
  let since = now();
  for (;;) {
    if (last.size > opts.maxBytes) {
      throw new InboxRejection('too-large', `${last.size} bytes is over the ${opts.maxBytes}-byte limit`);
    }
    const quiet = now() - since;
    if (quiet >= opts.settleMs) return last;
    await wait(Math.min(opts.pollMs, opts.settleMs - quiet), opts.signal);
    const next = await look();
    if (next.size !== last.size || next.mtimeMs !== last.mtimeMs) since = now();
    last = next;
  }
}
