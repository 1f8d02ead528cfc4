import type { Core } from '../core/core.js';
import type { AnalysisControl } from '../core/ports.js';
import { createLedger, type Ledger } from '../ledger/index.js';
import { ExportWorker } from './exporter.js';
import { ReviewService } from './review.js';

export { ExportWorker } from './exporter.js';
export { ReviewService } from './review.js';
export { recordConsent, type ConsentMode } from './consent.js';
export { resolveOptions, parseStoredOptions, toShareOptions, type StoredOptions } from './options.js';

export interface ReviewModule {
  review: ReviewService;
  ledger: Ledger;
  exporter: ExportWorker;
}

/**
 * The review side from the daemon's core: the review service (the daemon's and the CLI's), the
 * share ledger and the export worker. Only the daemon starts the ledger and the worker; an
 * approval made by the CLI waits in `exporting` until the daemon's worker finds it.
 */
export function createReview(core: Core, opts: { pollMs?: number; faceCheck?: Pick<AnalysisControl, 'verify'> } = {}): ReviewModule {
  const ledger = createLedger(core);
  const base = { db: core.db, repos: core.repos, clock: core.clock, bus: core.bus, dataDir: core.paths.dataDir, ledger };
  const exporter = new ExportWorker({
    ...base, log: core.log.child({ module: 'export' }), exportsDir: core.paths.exports, pollMs: opts.pollMs,
    ...(opts.faceCheck ? { faceCheck: opts.faceCheck } : {}), verifyThreshold: core.config.detect.verifyThreshold,
  });
  const review = new ReviewService({
    ...base,
    log: core.log.child({ module: 'review' }),
    config: core.config,
    onExportQueued: (shareId) => exporter.kick(shareId),
  });
  return { review, ledger, exporter };
}
