import type { MultipartLimits, PartHeaders } from './multipart.js';
import type { VendorSignal } from './state.js';

export type VendorName = 'hikvision' | 'dahua';

/** A status endpoint polled beside the stream (Hikvision intercom call state). Stateful: one per source. */
export interface StatusPoller {
  readonly path: string;
  readonly intervalMs: number;
  /** Signals for one polled document; throws when it cannot be read. */
  read(text: string): VendorSignal[];
  /** The poll connection broke: forget the last state so the next answer is a fresh start. */
  reset(): void;
}

/** Everything brand-specific about one vendor's event API; the source does the rest. */
export interface VendorDriver {
  readonly vendor: VendorName;
  /** Path and query of the endless event stream. */
  readonly streamPath: string;
  /** Boundary to use when the response's Content-Type names none. */
  readonly defaultBoundary: string;
  /** No part at all for this long means the stream is dead. */
  readonly idleTimeoutMs: number;
  readonly limits: MultipartLimits;
  /** Parts worth reading (text); others, e.g. JPEG snapshots, are skipped unread. */
  wanted(headers: PartHeaders): boolean;
  /** Signals in one part; an empty list means the part was not understood. */
  parse(headers: PartHeaders, body: Buffer): VendorSignal[];
  /** A poller, when the brand needs one beside the stream for this camera. */
  createPoller?(): StatusPoller | undefined;
}

/** Text parts only: camera streams interleave JPEG snapshots on some firmware. */
export function isTextPart(headers: PartHeaders): boolean {
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  return /^(text\/|application\/(xml|json)|application\/[\w.+-]*\+(xml|json))/.test(type);
}
