import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { isDiskFull } from '../core/disk-full.js';
import { commitFile } from '../core/durable.js';
import type { Logger } from '../core/logger.js';

export const RESERVE_FILE = '.clipgate-reserve';

/** 1% of the disk, between 64 KiB and 16 MiB: enough for SQLite to commit a retention pass. */
export function reserveSize(totalBytes: number): number {
  return Math.round(Math.min(16 * 1024 ** 2, Math.max(64 * 1024, totalBytes / 100)));
}

/**
 * A ballast file on the data disk. On a disk that is really full SQLite cannot even append to
 * its WAL, so retention could not record (and therefore not perform) a single deletion; giving
 * the reserve back first lets it commit, delete files and so make room for good.
 */
export class DiskReserve {
  private bytes = 0;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  get file(): string {
    return path.join(this.dataDir, RESERVE_FILE);
  }

  /** Bytes held now (0 when released or never made). */
  get held(): number {
    return this.bytes;
  }

  /** Write the reserve (temp name, then committed durably); false when there is no room for it. */
  async create(size: number): Promise<boolean> {
    const tmp = `${this.file}.tmp`;
    try {
      const fh = await open(tmp, 'w');
      try {
        const chunk = Buffer.alloc(Math.min(size, 1024 * 1024));
        for (let written = 0; written < size; ) {
          const n = Math.min(chunk.length, size - written);
          await fh.write(chunk, 0, n);
          written += n;
        }
      } finally {
        await fh.close();
      }
      await commitFile(tmp, this.file);
      this.bytes = size;
      return true;
    } catch (err) {
      await rm(tmp, { force: true });
      if (!isDiskFull(err)) this.log.warn({ err }, 'could not write the disk reserve');
      return false;
    }
  }

  /** Give the space back; returns the bytes freed. */
  async release(): Promise<number> {
    const freed = this.bytes;
    await rm(this.file, { force: true });
    this.bytes = 0;
    return freed;
  }
}
