import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, fstatSync, ftruncateSync, linkSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
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

/** fsyncDir for synchronous callers (code running inside a SQLite transaction). */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * Create `file` with `data` unless it exists, durably and without ever replacing it: the data is
 * written to a temp file (mode `mode`) and fsynced, then hard-linked to the final name, which
 * fails with EEXIST when another process got there first. Returns whether this call created it.
 */
export function createExclusiveSync(file: string, data: string | Buffer, mode: number): boolean {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
  fsyncDirSync(path.dirname(file));
  return true;
}

/**
 * An append-only file written durably: each append reaches the disk (fsync) before it returns.
 * Existing bytes are never rewritten; the one exception is dropping an incomplete last line
 * (a write torn by a power cut), which the caller decides with tail().
 */
export class AppendOnlyFile {
  constructor(readonly file: string, private readonly mode = 0o600) {}

  /** The last `maxBytes` bytes (or the whole file when smaller) and the file size; empty when it does not exist. */
  tail(maxBytes: number): { text: string; size: number } {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', size: 0 };
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, maxBytes);
      const buf = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, size - length + got);
        if (n === 0) break;
        got += n;
      }
      return { text: buf.subarray(0, got).toString('utf8'), size };
    } finally {
      closeSync(fd);
    }
  }

  /** Append and fsync; a new file is created with `mode` and its directory fsynced. */
  append(text: string): void {
    let created = false;
    let fd: number;
    try {
      fd = openSync(this.file, 'ax', this.mode);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      fd = openSync(this.file, 'a');
    }
    try {
      const buf = Buffer.from(text);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (created) fsyncDirSync(path.dirname(this.file));
  }

  /** Cut the file to `size` bytes (only for an incomplete last line) and fsync. */
  truncateTo(size: number): void {
    const fd = openSync(this.file, 'r+');
    try {
      ftruncateSync(fd, size);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
