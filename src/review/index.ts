import type { Core } from '../app.js';
import { ExportWorker } from './exporter.js';
import { Ledger } from './ledger.js';
import { ReviewService } from './review.js';

export { ExportWorker } from './exporter.js';
export { Ledger, verifyChain, canonicalJson, entryHash, GENESIS_HASH, type LedgerInput, type VerifyResult } from './ledger.js';
export { ReviewService, BUSY_SHARE } from './review.js';
export { resolveOptions, parseStoredOptions, toShareOptions, type StoredOptions } from './options.js';

export interface ReviewModule {
  review: ReviewService;
  ledger: Ledger;
  exporter: ExportWorker;
}

/** Build the review module from the daemon's core; app.ts adds `exporter` as a service. */
export function createReview(core: Core, opts: { pollMs?: number } = {}): ReviewModule {
  const ledger = new Ledger({ db: core.db, repos: core.repos });
  const exporter = new ExportWorker({
    db: core.db,
    repos: core.repos,
    clock: core.clock,
    bus: core.bus,
    log: core.log.child({ module: 'export' }),
    dataDir: core.paths.dataDir,
    exportsDir: core.paths.exports,
    pollMs: opts.pollMs,
  });
  const review = new ReviewService({
    db: core.db,
    repos: core.repos,
    clock: core.clock,
    bus: core.bus,
    log: core.log.child({ module: 'review' }),
    config: core.config,
    dataDir: core.paths.dataDir,
    ledger,
    onExportQueued: (shareId) => exporter.kick(shareId),
  });
  return { review, ledger, exporter };
}
