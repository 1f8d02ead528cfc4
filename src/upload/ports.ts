import type { LedgerAction, LedgerEntry } from '../core/types.js';

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

/** Structurally the review module's `Ledger`: append only inside the caller's transaction. */
export interface LedgerWriter {
  append(input: LedgerAppendInput, at: string): LedgerEntry;
}

/** Platform settings the uploader needs (the config's `platform` section, resolved). */
export interface PlatformSettings {
  url: string;
  token: string;
  maxUploadKbps: number;
  concurrency: number;
  chunkSizeBytes: number;
}
