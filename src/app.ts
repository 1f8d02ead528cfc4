import { createRecording } from './cameras/index.js';
import { registerConfigSecrets } from './config/secrets.js';
import type { Config } from './config/schema.js';
import type { Clock } from './core/clock.js';
import { closeCore, openCore, type Core } from './core/core.js';
import { errorMessage } from './core/errors.js';
import type { Logger, SecretRegistry } from './core/logger.js';
import type { Controls } from './core/ports.js';
import type { Service } from './core/service.js';
import { version } from './core/version.js';
import { createAnalysis, type AnalysisOptions } from './detect/index.js';
import { createInbox } from './inbox/index.js';
import { Scheduler } from './jobs/scheduler.js';
import { createMqtt } from './mqtt/index.js';
import { createRetention } from './retention/index.js';
import { createReview } from './review/index.js';
import { createUpload } from './upload/index.js';
import { createWeb } from './web/index.js';
import type { WebService } from './web/server.js';

export interface AppOptions {
  config: Config;
  /** True when running the built-in demo config (no config file found). */
  demo: boolean;
  log: Logger;
  secrets: SecretRegistry;
  clock?: Clock;
  /** On-device analysis: other model files or worker (tests point a model at a missing file to see detection unavailable). */
  analysis?: AnalysisOptions;
}

interface Entry {
  service: Service;
  /** An optional service that fails to start becomes a visible problem, not a crash. */
  optional: boolean;
}

/**
 * The composition root: builds the core and every feature from the config (each feature through
 * its one factory, the same the CLI and the tests use), starts them in dependency order and stops
 * them in reverse. Nothing else in the code base decides what runs.
 */
export class App {
  readonly core: Core;
  readonly web: WebService;
  /** What the web API and MQTT reach the services through; the API reads it per request. */
  readonly controls: Controls;
  private readonly entries: Entry[] = [];
  private started: Entry[] = [];

  constructor(opts: AppOptions) {
    registerConfigSecrets(opts.config, opts.secrets);
    const core = openCore(opts);
    this.core = core;
    const recording = createRecording(core);
    for (const e of recording.services) this.add(e.service, e.optional);
    // Before review: the export's face check is the analysis worker's. Detection that cannot work is a problem, never a stop.
    const analysis = createAnalysis(core, opts.analysis);
    // Started before (so stopped after) the export worker, whose face check runs in the analysis worker.
    this.add(analysis, true);
    const review = createReview(core, { faceCheck: analysis });
    // First of the review side: the device key exists (signing earlier entries) and the mirror is caught up before anything appends.
    this.add(review.ledger, false);
    this.add(review.exporter, false);
    // The shared cron runner: the upload and retention sections add their jobs before start().
    const scheduler = new Scheduler({ log: core.log.child({ module: 'jobs' }), clock: core.clock, jobRuns: core.repos.jobRuns });
    this.add(scheduler, false);
    const upload = createUpload(core, { ledger: review.ledger, scheduler });
    // The platform (or the demo's dev platform) unreachable at start is a problem, not a crash.
    for (const s of upload.services) this.add(s, true);
    const retention = createRetention(core, { ledger: review.ledger, scheduler, openRequests: () => upload.requests?.openCount() ?? 0 });
    for (const s of retention.services) this.add(s, true);
    const inbox = createInbox(core, recording.store);
    if (inbox) this.add(inbox, true);
    this.controls = {
      cameras: recording.cameras,
      review: review.review,
      shares: upload.shares,
      ledger: review.ledger,
      // The retention section's stats service is the one source of these numbers (it also emits stats.changed).
      stats: () => retention.stats.get(),
      ...(upload.requests ? { requests: upload.requests } : {}),
      analysis,
    };
    // A broker that is down or refuses us is a problem and a retry loop, never a stop.
    const mqtt = createMqtt(core, { cameras: this.controls.cameras, stats: this.controls.stats });
    if (mqtt) this.add(mqtt, true);
    this.web = createWeb(core, { controls: this.controls });
    this.add(this.web, false);
  }

  private add(service: Service, optional: boolean): void {
    this.entries.push({ service, optional });
  }

  async start(): Promise<void> {
    const log = this.core.log;
    for (const entry of this.entries) {
      try {
        await entry.service.start();
        this.started.push(entry);
      } catch (err) {
        if (!entry.optional) {
          log.error({ err, service: entry.service.name }, 'service failed to start');
          await this.stop();
          throw err;
        }
        log.warn({ err, service: entry.service.name }, 'optional service failed to start');
        this.core.problems.raise(`service.${entry.service.name}`, 'error', `${entry.service.name} failed to start`, errorMessage(err));
      }
    }
    log.info({ version: version(), demo: this.core.demo, services: this.started.map((e) => e.service.name) }, 'clipgate started');
  }

  /** Stop in reverse order; one service failing to stop does not keep the others running. */
  async stop(): Promise<void> {
    const toStop = [...this.started].reverse();
    this.started = [];
    for (const entry of toStop) {
      try {
        await entry.service.stop();
      } catch (err) {
        this.core.log.error({ err, service: entry.service.name }, 'service failed to stop cleanly');
      }
    }
    closeCore(this.core);
    this.core.log.info('clipgate stopped');
  }
}
