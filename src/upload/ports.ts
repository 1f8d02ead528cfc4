import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { LedgerAction, LedgerEntry } from '../core/types.js';
import type { Db, Repos } from '../db/index.js';

/** What the upload side appends to the share ledger; the review module's Ledger implements it. */
export interface LedgerAppendInput {
  action: LedgerAction;
  clipId: string;
  shareId: string | null;
  sha256?: string | null;
  exportSha256?: string | null;
  requestId?: string | null;
  options?: unknown;
}

/** Structurally src/ledger's `Ledger`: append only inside write(), whose transaction also feeds the mirror. */
export interface LedgerWriter {
  append(input: LedgerAppendInput, at: string): LedgerEntry;
  write<T>(fn: () => T): T;
  /** The newest entry: the witness every upload carries. */
  head(): { seq: number; hash: string; signature: string } | undefined;
  keyView(): { publicKey: string };
}

/** Platform settings the uploader needs (the config's `platform` section, resolved). */
export interface PlatformSettings {
  url: string;
  token: string;
  maxUploadKbps: number;
  concurrency: number;
  chunkSizeBytes: number;
}

/** What every part of the upload side works with. */
export interface UploadBaseDeps {
  db: Db;
  repos: Repos;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  ledger: LedgerWriter;
}
