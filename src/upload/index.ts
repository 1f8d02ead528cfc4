import type { BackoffPolicy } from '../core/backoff.js';
import type { Core } from '../core/core.js';
import type { Service } from '../core/service.js';
import { DemoPlatformService } from '../demo/platform-service.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { AssistanceService } from './assistance.js';
import type { LedgerWriter, PlatformSettings } from './ports.js';
import { ShareService } from './share-control.js';
import { Uploader } from './uploader.js';

export { AssistanceService, POLL_JOB } from './assistance.js';
export { Uploader, AUTH_PROBLEM, UNREACHABLE_PROBLEM, UPLOAD_BACKOFF } from './uploader.js';
export { ShareService } from './share-control.js';
export { consentGiven } from './withdraw.js';
export { TusClient, TusHttpError } from './tus-client.js';
export { encodeMetadata, decodeMetadata, type UploadMetadata } from './metadata.js';
export type { LedgerWriter, PlatformSettings } from './ports.js';

export interface UploadModule {
  shares: ShareService;
  /** Absent without a platform (and outside the demo): nothing is uploaded. */
  uploader?: Uploader;
  requests?: AssistanceService;
  /** Services for app.ts to add, in start order (all optional: a platform down at start is a problem). */
  services: Service[];
}

export interface UploadModuleOptions {
  ledger: LedgerWriter;
  scheduler: Scheduler;
  backoff?: Partial<BackoffPolicy>;
  pollIntervalMs?: number;
}

const MIB = 1024 * 1024;

/**
 * Build the upload side from the daemon's core. With a `platform` section: uploader and
 * requests poller against it. In the demo without one: the dev platform in-process first.
 * Without either: only the share list and local revocation of never-uploaded shares.
 */
export function createUpload(core: Core, opts: UploadModuleOptions): UploadModule {
  const { config } = core;
  const base = { db: core.db, repos: core.repos, bus: core.bus, clock: core.clock, ledger: opts.ledger, dataDir: core.paths.dataDir };
  const services: Service[] = [];
  let settings: PlatformSettings | undefined;
  let pollRequests = '*/5 * * * *';
  if (config.platform) {
    const p = config.platform;
    settings = { url: p.url, token: p.token, maxUploadKbps: p.maxUploadKbps, concurrency: p.concurrency, chunkSizeBytes: Math.round(p.chunkSizeMb * MIB) };
    pollRequests = p.pollRequests;
  } else if (core.demo) {
    settings = { url: '', token: '', maxUploadKbps: 0, concurrency: 1, chunkSizeBytes: 4 * MIB };
    services.push(new DemoPlatformService({ log: core.log.child({ module: 'demo-platform' }), clock: core.clock, dataDir: core.paths.dataDir, target: settings }));
  }
  if (!settings) {
    return { shares: new ShareService({ ...base, log: core.log.child({ module: 'shares' }) }), services };
  }
  const uploader = new Uploader({
    ...base,
    log: core.log.child({ module: 'upload' }),
    problems: core.problems,
    settings,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
  });
  const requests = new AssistanceService({
    repos: core.repos,
    bus: core.bus,
    clock: core.clock,
    log: core.log.child({ module: 'requests' }),
    problems: core.problems,
    scheduler: opts.scheduler,
    // Same object the demo fills in, so the poller sees the dev platform's URL at start().
    platform: settings,
    pollRequests,
    home: config.location,
  });
  const shares = new ShareService({ ...base, log: core.log.child({ module: 'shares' }), uploader });
  // After the uploader: withdrawals asked for by the CLI need its platform client.
  services.push(uploader, shares, requests);
  return { shares, uploader, requests, services };
}
