import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * The file-durability rules of invariant 4, in one place: a file becomes visible under its final
 * name only after its data reached the disk (temp name → fsync → rename → fsync the directory),
 * so a crash or power cut leaves a temp file or the complete file, never a half-written one.
 */

/** Flush a file's data to disk before it is renamed into view. */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Make a rename durable: the directory entry itself must reach the disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems (e.g. certain FUSE/network mounts) refuse fsync on directories.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    await fh.close();
  }
}

/** Give a finished temp file its final name durably: fsync it, rename it, fsync the directory. */
export async function commitFile(temp: string, final: string): Promise<void> {
  await fsyncFile(temp);
  await rename(temp, final);
  await fsyncDir(path.dirname(final));
}

/** SHA-256 (hex) and size of a file, streamed so a large video is never held in memory. */
export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    const buf = chunk as Buffer;
    size += buf.length;
    hash.update(buf);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Whether anything (file, folder, symlink target) exists at `file`. */
export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Move a file; across file systems (an inbox on another disk) copy durably, then remove the source. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await fsyncFile(to);
    await unlink(from);
  }
}

export async function removeIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Write a small file whole and durably: a temp name beside it (mode 0600), fsync, rename, fsync
 * the directory. Readers see the previous content or the new one, never a mix; a crash leaves at
 * most a stray `.<name>.<pid>.tmp` that `isDurableTemp` recognises for clean-up.
 */
export async function writeFileDurable(final: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = path.join(path.dirname(final), `.${path.basename(final)}.${process.pid}.tmp`);
  const fh = await open(temp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await removeIfExists(temp);
    throw err;
  }
  await fh.close();
  await rename(temp, final);
  await fsyncDir(path.dirname(final));
}

/** Whether a file name is a temp file left by writeFileDurable (a crash between write and rename). */
export function isDurableTemp(name: string): boolean {
  return /^\..+\.\d+\.tmp$/.test(name);
}
