// Per-test temp directories; always under os.tmpdir() so nothing lands in the repo.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TempDir {
  path: string;
  /** Remove the directory recursively; safe to call more than once. */
  cleanup(): Promise<void>;
}

export async function makeTempDir(prefix = 'clipgate-test-'): Promise<TempDir> {
  // mkdtemp appends random chars directly, so make sure the prefix ends in a separator-ish char.
  const safe = prefix.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = await mkdtemp(path.join(os.tmpdir(), safe.endsWith('-') ? safe : `${safe}-`));
  return {
    path: dir,
    cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
}
