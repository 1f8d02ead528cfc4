import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Region } from '../core/types.js';
import { maskedSnapshotArgs } from './args.js';
import { runMediaChecked } from './run.js';

/**
 * The clip's thumbnail with the camera's privacy masks blacked out (ffmpeg drawbox), for the
 * retained MQTT snapshot. Written to a temp file in `tmpDir` (ffmpeg's binary output never goes
 * through a string), read, and removed.
 */
export async function maskedSnapshot(thumbFile: string, masks: readonly Region[], opts: { tmpDir: string; ffmpeg?: string; signal?: AbortSignal }): Promise<Buffer> {
  const out = path.join(opts.tmpDir, `.snapshot.${randomBytes(4).toString('hex')}.jpg`);
  try {
    await runMediaChecked(opts.ffmpeg ?? 'ffmpeg', maskedSnapshotArgs(thumbFile, out, masks), { timeoutMs: 20_000, signal: opts.signal });
    return await readFile(out);
  } finally {
    await rm(out, { force: true });
  }
}
