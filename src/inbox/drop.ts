import { constants, createWriteStream } from 'node:fs';
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { InboxRejection } from './rules.js';

/**
 * One inbox drop, opened once and read only through that descriptor (invariant 7: nothing
 * outside the inbox is read through it). The name is looked up exactly once, by open() with
 * O_NOFOLLOW, so a symlink swapped in later is never followed; hashing, probing and remuxing all
 * read the opened file, ffmpeg included (it gets the descriptor, not the name). The name is
 * checked again only to notice that it no longer leads to this file (renamed over, deleted,
 * replaced by a link), in which case the drop is looked at again from scratch.
 */

export interface FileSnapshot {
  size: number;
  mtimeMs: number;
}

/** The drop's name is gone (the uploader deleted or renamed it); nothing to do. */
export class FileGone extends Error {
  constructor(file: string) {
    super(`${file} disappeared`);
    this.name = 'FileGone';
  }
}

/** The drop's name now leads to something else than the file that was opened: start over with the new entry. */
export class DropReplaced extends Error {
  constructor(file: string, why: string) {
    super(`${file} was replaced while being looked at (${why})`);
    this.name = 'DropReplaced';
  }
}

// O_NONBLOCK: a FIFO swapped in after the first look must not block open() (and a libuv thread) forever.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

export class OpenDrop {
  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly dev: number,
    private readonly ino: number,
  ) {}

  /** Open `file` for reading, refusing anything but a regular file with a single name. */
  static async open(file: string): Promise<OpenDrop> {
    let handle: FileHandle;
    try {
      handle = await open(file, OPEN_FLAGS);
    } catch (err) {
      // ELOOP: the name became a symlink after the first look; ENXIO: a socket.
      if (errno(err) === 'ELOOP') throw new InboxRejection('symlink', 'symbolic links are not followed (a link could point anywhere on the system)');
      if (errno(err) === 'ENXIO') throw new InboxRejection('special-file', 'not a regular file');
      if (errno(err) === 'ENOENT') throw new FileGone(file);
      throw err;
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new InboxRejection('special-file', 'not a regular file');
      // A second name means the same bytes live elsewhere too: a hard link could bring in any file the uploader can reach.
      if (st.nlink > 1) throw new InboxRejection('hard-link', `the file has ${st.nlink} names (a hard link); only files that live in the inbox alone are read`);
      return new OpenDrop(file, handle, st.dev, st.ino);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  get fd(): number {
    return this.handle.fd;
  }

  /** Size and mtime of the opened file, after checking its name still leads to it. */
  async look(): Promise<FileSnapshot> {
    await this.checkInPlace();
    const st = await this.handle.stat();
    return { size: st.size, mtimeMs: st.mtimeMs };
  }

  /** The first `bytes` bytes (fewer for a shorter file). */
  async head(bytes: number): Promise<Buffer> {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await this.handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  }

  /**
   * A second descriptor of the same file for a child process, with its own read position.
   * /proc/self/fd/N leads to the open file itself, never back through the name.
   */
  reopen(): Promise<FileHandle> {
    return open(`/proc/self/fd/${this.handle.fd}`, constants.O_RDONLY);
  }

  /** Copy the first `size` bytes into a new file `dest` (which must not exist). */
  async copyTo(dest: string, size: number, signal?: AbortSignal): Promise<void> {
    const from = this.handle.createReadStream({ start: 0, end: size - 1, autoClose: false });
    await pipeline(from, createWriteStream(dest, { flags: 'wx' }), signal ? { signal } : {});
  }

  /** Remove the drop's name, only when it still leads to this file; false when it did not. */
  async removeName(): Promise<boolean> {
    if (!(await this.inPlace())) return false;
    try {
      await unlink(this.file);
      return true;
    } catch (err) {
      if (errno(err) === 'ENOENT') return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async inPlace(): Promise<boolean> {
    try {
      const st = await lstat(this.file);
      return st.isFile() && st.dev === this.dev && st.ino === this.ino;
    } catch (err) {
      if (errno(err) === 'ENOENT') return false;
      throw err;
    }
  }

  private async checkInPlace(): Promise<void> {
    let st;
    try {
      st = await lstat(this.file);
    } catch (err) {
      if (errno(err) === 'ENOENT') throw new FileGone(this.file);
      throw err;
    }
    if (st.isSymbolicLink()) throw new DropReplaced(this.file, 'now a symbolic link');
    if (st.dev !== this.dev || st.ino !== this.ino) throw new DropReplaced(this.file, 'another file under the same name');
  }
}
