import { createReadStream } from 'node:fs';
import path from 'node:path';
import { sha256File } from '../core/durable.js';
import { errorMessage } from '../core/errors.js';
import type { ShareOptions } from '../core/types.js';
import type { ClipRecord } from '../db/repos/clips.js';
import { toShare, type ShareRecord } from '../db/repos/shares.js';
import { encodeMetadata, type UploadMetadata } from './metadata.js';
import type { PlatformSettings, UploadBaseDeps } from './ports.js';
import { ThrottleStream } from './throttle.js';
import { TusClient, TusHttpError } from './tus-client.js';

/** How one attempt at a share ended; the queue turns this into persisted state. */
export type JobOutcome =
  | { kind: 'uploaded' }
  | { kind: 'cancelled' }
  /** Never worth retrying with the same input (file changed, platform refused). */
  | { kind: 'failed'; reason: string; status?: number }
  | { kind: 'retry'; reason: string };

export interface UploadJobDeps extends UploadBaseDeps {
  client: TusClient;
  settings: PlatformSettings;
  dataDir: string;
}

/** Minimum time between two progress events of one upload, so the bus and SSE are not flooded. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * One attempt at uploading one share: re-check the export against its recorded SHA-256
 * (invariant 2), create the tus upload and persist its URL before any byte is sent, or resume
 * from the server's offset, then PATCH chunk by chunk. Each acknowledged offset is stored, so
 * a kill -9 loses at most the chunk in flight.
 */
export class UploadJob {
  private lastProgressAt = 0;
  /** The share's clip, read once per attempt (its hash and times never change). */
  private clip: ClipRecord | undefined;

  constructor(
    private readonly deps: UploadJobDeps,
    private readonly share: ShareRecord,
    private readonly signal: AbortSignal,
  ) {}

  async run(): Promise<JobOutcome> {
    try {
      return await this.attempt();
    } catch (err) {
      if (this.signal.aborted) return { kind: 'cancelled' };
      if (err instanceof TusHttpError && !(err.status >= 500 || err.status === 429 || err.status === 408)) {
        return { kind: 'failed', reason: describeRefusal(err), status: err.status };
      }
      return { kind: 'retry', reason: errorMessage(err) };
    }
  }

  private async attempt(): Promise<JobOutcome> {
    const { repos, clock } = this.deps;
    const share = this.share;
    if (!share.exportPath || !share.sha256) return { kind: 'failed', reason: 'share has no export to upload' };
    const file = path.resolve(this.deps.dataDir, share.exportPath);
    const { sha256: actual, size } = await sha256File(file);
    if (actual !== share.sha256) {
      // listUploadable admits a share only when its consent entry names share.sha256: these are not the approved bytes.
      return { kind: 'failed', reason: `the export changed after it was approved: the owner consented to SHA-256 ${share.sha256}, the file now hashes to ${actual}; not uploaded` };
    }
    if (this.signal.aborted) return { kind: 'cancelled' };
    // Compare-and-set: a share revoked (or otherwise moved on) since it was listed is left alone.
    if (!repos.shares.update(share.id, { status: 'uploading', bytesTotal: size }, clock.iso(), share.status)) return { kind: 'cancelled' };
    if (share.status !== 'uploading') this.emitUpdated();
    this.clip = repos.clips.get(share.clipId);

    const created = await this.resumeOrCreate(size, file);
    const url = created.url;
    let offset = created.offset;
    while (offset < size) {
      if (this.signal.aborted) return { kind: 'cancelled' };
      offset = await this.sendChunk(url, file, offset, size);
    }
    if (this.signal.aborted) return { kind: 'cancelled' };
    this.finish(url, size);
    return { kind: 'uploaded' };
  }

  /** Resume a stored upload from the server's offset, or create a new one and store its URL first. */
  private async resumeOrCreate(size: number, file: string): Promise<{ url: string; offset: number }> {
    const { client, repos, clock, log } = this.deps;
    const stored = this.share.uploadUrl;
    if (stored) {
      try {
        const head = await client.head(stored, this.signal);
        if (head.length === undefined || head.length === size) {
          log.info({ share: this.share.id, offset: head.offset, size }, 'resuming upload');
          return { url: stored, offset: head.offset };
        }
        log.warn({ share: this.share.id, remoteLength: head.length, size }, 'stored upload has another length; starting a new one');
      } catch (err) {
        if (!(err instanceof TusHttpError && (err.status === 404 || err.status === 410))) throw err;
        log.warn({ share: this.share.id, status: err.status }, 'stored upload is gone from the platform; starting a new one');
      }
    }
    const url = await client.create(size, encodeMetadata(this.metadata(file)), this.signal);
    // Persisted before the first byte goes out: after a crash we resume this URL instead of
    // creating a duplicate upload on the platform.
    repos.shares.update(this.share.id, { uploadUrl: url, bytesSent: 0 }, clock.iso());
    log.info({ share: this.share.id, size }, 'upload created');
    return { url, offset: 0 };
  }

  private async sendChunk(url: string, file: string, offset: number, size: number): Promise<number> {
    const { client, repos, clock, settings } = this.deps;
    const length = Math.min(settings.chunkSizeBytes, size - offset);
    const body = createReadStream(file, { start: offset, end: offset + length - 1 }).pipe(new ThrottleStream(settings.maxUploadKbps));
    let inFlight = 0;
    let next: number;
    try {
      next = await client.patch(url, offset, body, length, {
        signal: this.signal,
        onBytes: (n) => {
          inFlight += n;
          this.progress(offset + inFlight, size, false);
        },
      });
    } catch (err) {
      body.destroy();
      if (err instanceof TusHttpError && err.status === 409) {
        // Offsets disagree (a PATCH we thought failed did land, or partly): ask the server.
        return (await client.head(url, this.signal)).offset;
      }
      throw err;
    }
    if (next <= offset) throw new Error(`platform did not advance the upload (offset ${offset} → ${next})`);
    repos.shares.update(this.share.id, { bytesSent: next }, clock.iso());
    this.progress(next, size, true);
    return next;
  }

  /** Durably mark the share uploaded and append the ledger entry in one transaction. */
  private finish(url: string, size: number): void {
    const { repos, clock, ledger, bus, log } = this.deps;
    const at = clock.iso();
    const clip = this.clip;
    const done = ledger.write(() => {
      const ok = repos.shares.update(
        this.share.id,
        { status: 'uploaded', bytesSent: size, bytesTotal: size, remoteUrl: url, uploadedAt: at, error: null, nextAttemptAt: null, attempts: 0 },
        at,
        'uploading',
      );
      if (!ok) return false;
      ledger.append({
        action: 'uploaded',
        clipId: this.share.clipId,
        shareId: this.share.id,
        sha256: clip?.sha256 ?? null,
        exportSha256: this.share.sha256,
        requestId: this.share.requestId ?? null,
        options: { remoteUrl: url, bytes: size },
      }, at);
      return true;
    });
    if (!done) return;
    const rec = repos.shares.get(this.share.id);
    if (!rec) return;
    log.info({ share: this.share.id, bytes: size }, 'upload complete');
    bus.emit('share.uploaded', { share: toShare(rec) });
    bus.emit('share.updated', { share: toShare(rec) });
  }

  private metadata(file: string): UploadMetadata {
    const clip = this.clip;
    const options = parseOptions(this.share.optionsJson);
    // The chain as it stands now (it holds this share's consent entry): the platform keeps it as a witness.
    const head = this.deps.ledger.head();
    if (!head) throw new Error('the ledger is empty, so this share has no consent entry');
    const meta: UploadMetadata = {
      filename: path.basename(file),
      filetype: 'video/mp4',
      sha256: this.share.sha256 ?? '',
      recordedAt: this.share.recordedAt ?? clip?.startedAt ?? this.deps.clock.iso(),
      durationMs: this.share.durationMs ?? clip?.durationMs ?? 0,
      ledgerSeq: head.seq,
      ledgerHash: head.hash,
      ledgerSig: head.signature,
      deviceKey: this.deps.ledger.keyView().publicKey,
    };
    if (options.caption) meta.caption = options.caption;
    if (this.share.requestId) meta.requestId = this.share.requestId;
    return meta;
  }

  private progress(bytesSent: number, bytesTotal: number, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    const percent = bytesTotal > 0 ? Math.min(100, Math.floor((bytesSent / bytesTotal) * 1000) / 10) : 0;
    this.deps.bus.emit('share.progress', { shareId: this.share.id, phase: 'upload', bytesSent, bytesTotal, percent });
  }

  private emitUpdated(): void {
    const rec = this.deps.repos.shares.get(this.share.id);
    if (rec) this.deps.bus.emit('share.updated', { share: toShare(rec) });
  }
}

function parseOptions(json: string): Partial<ShareOptions> {
  try {
    return JSON.parse(json) as Partial<ShareOptions>;
  } catch {
    return {};
  }
}

/** A sentence the owner can act on, for a refusal that retrying will not fix. */
export function describeRefusal(err: TusHttpError): string {
  switch (err.status) {
    case 401:
      return 'the community platform rejected the token (401); check platform.token';
    case 403:
      return 'the community platform refused this upload (403); the token may lack upload rights';
    case 413:
      return 'the export is larger than the community platform accepts (413)';
    default:
      return `the community platform refused the upload: ${err.message}`;
  }
}
