import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exists } from '../core/durable.js';
import { REJECTED_DIR, type InboxRejection } from './rules.js';

export interface RejectedEntry {
  /** Where the refused entry now lies. */
  file: string;
  /** Its `<name>.reason` file. */
  reasonFile: string;
}

/** `clip.mp4`, then `clip-1.mp4`, `clip-2.mp4`...: a camera re-sending the same name never overwrites an earlier refusal. */
async function freeName(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const base = name.slice(0, name.length - ext.length);
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? name : `${base}-${n}${ext}`;
    if (!(await exists(path.join(dir, candidate))) && !(await exists(path.join(dir, `${candidate}.reason`)))) return candidate;
  }
}

/** The reason file's text: the stable code on the first line (for scripts), then the details. */
export function reasonText(rejection: InboxRejection, at: string, original: string): string {
  return `${rejection.code}\n${rejection.message}\nfile: ${original}\nat: ${at}\n`;
}

/**
 * Moves a refused entry (file, symlink or folder) into `<inbox>/.rejected/` and writes
 * `<name>.reason` beside it. rename() moves a symlink itself, never its target. The entry is moved
 * first so the inbox stops looking at it even when the reason cannot be written (disk full).
 */
export async function moveToRejected(inboxDir: string, file: string, rejection: InboxRejection, at: string): Promise<RejectedEntry> {
  const dir = path.join(inboxDir, REJECTED_DIR);
  await mkdir(dir, { recursive: true });
  const name = await freeName(dir, path.basename(file));
  const target = path.join(dir, name);
  await rename(file, target);
  const reasonFile = `${target}.reason`;
  await writeFile(reasonFile, reasonText(rejection, at, path.relative(inboxDir, file)));
  return { file: target, reasonFile };
}
