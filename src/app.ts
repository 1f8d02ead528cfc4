import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createOnvif } from './cameras/onvif/index.js';
import { CameraRegistry } from './cameras/registry.js';
import { ClipAssembler } from './clips/assembler.js';
import { ClipStore } from './clips/store.js';
import { registerConfigSecrets } from './config/secrets.js';
import type { Config } from './config/schema.js';
import { systemClock, type Clock } from './core/clock.js';
import { errorMessage } from './core/errors.js';
import { EventBus } from './core/events.js';
import type { Logger, SecretRegistry } from './core/logger.js';
import { Problems } from './core/problems.js';
import type { Controls } from './core/ports.js';
import type { Service } from './core/service.js';
import { packageRoot, version } from './core/version.js';
import { createRepos, openDatabase, type Db, type Repos } from './db/index.js';
import { createInbox } from './inbox/index.js';
import { createRetentionModule } from './jobs/retention-service.js';
import { createReview } from './review/index.js';
import { lazyCameraControl, MqttBridge, settingsRetainedStore, snapshotFromClips } from './mqtt/index.js';
import { webApi } from './web/api.js';
import { WebService } from './web/server.js';
import { Scheduler } from './jobs/scheduler.js';
import { createUpload } from './upload/index.js';

export interface AppOptions {
  config: Config;
  /** True when running the built-in demo config (no config file found). */
  demo: boolean;
  log: Logger;
  secrets: SecretRegistry;
  clock?: Clock;
}

/** What every service may depend on; built once here and passed down as named deps. */
export interface Core {
  config: Config;
  demo: boolean;
  log: Logger;
  clock: Clock;
  bus: EventBus;
  problems: Problems;
  db: Db;
  repos: Repos;
  paths: DataPaths;
}

export interface DataPaths {
  dataDir: string;
  cacheDir: string;
  database: string;
  clips: string;
  exports: string;
  tmp: string;
}

export function dataPaths(config: Config): DataPaths {
  return {
    dataDir: config.dataDir,
    cacheDir: config.cacheDir,
    database: path.join(config.dataDir, 'clipgate.db'),
    clips: path.join(config.dataDir, 'clips'),
    exports: path.join(config.dataDir, 'exports'),
    tmp: path.join(config.dataDir, 'tmp'),
  };
}

export type { Controls } from './core/ports.js';

interface Entry {
  service: Service;
  /** An optional service that fails to start becomes a visible problem, not a crash. */
  optional: boolean;
}

/**
 * The composition root: builds every service from the config, starts them in dependency order
 * and stops them in reverse. Nothing else in the code base constructs services.
 */
export class App {
  readonly core: Core;
  readonly web: WebService;
  readonly controls: Controls = {};
  private readonly entries: Entry[] = [];
  private readonly apiPlugins: ((app: FastifyInstance) => Promise<void>)[] = [];
  private started: Entry[] = [];

  constructor(opts: AppOptions) {
    registerConfigSecrets(opts.config, opts.secrets);
    const clock = opts.clock ?? systemClock;
    const log = opts.log;
    const bus = new EventBus(log.child({ module: 'bus' }));
    const paths = dataPaths(opts.config);
    for (const dir of [paths.dataDir, paths.clips, paths.exports, paths.tmp]) mkdirSync(dir, { recursive: true });
    const db = openDatabase(paths.database);
    this.core = {
      config: opts.config,
      demo: opts.demo,
      log,
      clock,
      bus,
      problems: new Problems({ bus, clock }),
      db,
      repos: createRepos(db),
      paths,
    };

    // Services are added in dependency order; each section is one module's wiring.
    // --- cameras, recording, clip assembly ---
    const clipStore = new ClipStore({ log: log.child({ module: 'clips' }), clock, bus, clips: this.core.repos.clips, dataDir: paths.dataDir, clipsDir: paths.clips, tmpDir: paths.tmp });
    // The ONVIF section below plugs its resolver in with cameras.setResolver('onvif', ...).
    const cameras = new CameraRegistry({ log: log.child({ module: 'cameras' }), clock, bus, problems: this.core.problems, cameras: this.core.repos.cameras, config: opts.config.cameras, cacheDir: paths.cacheDir });
    const assembler = new ClipAssembler({ log: log.child({ module: 'assembler' }), clock, bus, problems: this.core.problems, store: clipStore, cameras: opts.config.cameras, segments: cameras });
    this.controls.cameras = cameras;
    this.add(clipStore, false);
    this.add(cameras, true);
    this.add(assembler, true);
    // --- ONVIF ---
    const onvif = createOnvif({ cameras: opts.config.cameras, log: log.child({ module: 'onvif' }), bus, clock, problems: this.core.problems });
    cameras.setResolver('onvif', onvif.resolver);
    // Optional: a camera whose events fail is a visible problem (the service itself retries), never a crash.
    for (const service of onvif.events) this.add(service, true);
    // --- review, export, ledger ---
    const reviewModule = createReview(this.core);
    this.add(reviewModule.exporter, false);
    this.controls.review = reviewModule.review;
    this.controls.ledger = reviewModule.ledger;
    // --- upload, requests for assistance ---
    // The shared cron runner; later sections (retention) add their jobs to it before start().
    const scheduler = new Scheduler({ log: log.child({ module: 'jobs' }), clock, jobRuns: this.core.repos.jobRuns });
    this.add(scheduler, false);
    const uploadModule = createUpload(this.core, { ledger: reviewModule.ledger, scheduler });
    // Optional: the platform (or the demo's dev platform) being unreachable at start is a problem, not a crash.
    for (const service of uploadModule.services) this.add(service, true);
    this.controls.shares = uploadModule.shares;
    if (uploadModule.requests) this.controls.requests = uploadModule.requests;
    // --- inbox, retention ---
    const retentionModule = createRetentionModule(this.core, { ledger: reviewModule.ledger, scheduler, openRequests: () => this.controls.requests?.openCount() ?? 0 });
    for (const service of retentionModule.services) this.add(service, true);
    this.controls.stats = () => retentionModule.stats.get();
    const inbox = createInbox(this.core, clipStore);
    if (inbox) this.add(inbox, true);
    // --- MQTT ---
    if (opts.config.mqtt) {
      const { repos } = this.core;
      const bridge = new MqttBridge({
        config: opts.config.mqtt,
        log: log.child({ module: 'mqtt' }),
        clock,
        bus,
        problems: this.core.problems,
        cameras: lazyCameraControl(() => this.controls.cameras, opts.config.cameras),
        // The retention section's stats service is the one source of these numbers (it also emits stats.changed).
        stats: () => retentionModule.stats.get(),
        snapshot: snapshotFromClips(repos.clips, paths.dataDir),
        version: version(),
        retained: settingsRetainedStore(repos.settings),
      });
      // Optional: a broker that is down or refuses us is a problem and a retry loop, never a stop.
      this.add(bridge, true);
    }
    // --- web API and UI (route plugins pushed onto this.apiPlugins) ---
    this.apiPlugins.push(
      webApi({
        log: log.child({ module: 'web' }),
        clock,
        bus,
        problems: this.core.problems,
        repos: this.core.repos,
        dataDir: paths.dataDir,
        // The same object other sections fill in; the API reads it per request.
        controls: this.controls,
        uiDir: path.join(packageRoot(), 'dist', 'ui'),
      }),
    );

    this.web = new WebService({
      log: log.child({ module: 'web' }),
      version: version(),
      host: opts.config.web.host,
      port: opts.config.web.port,
      anyPortIfTaken: opts.demo,
      plugins: this.apiPlugins,
    });
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
    if (this.core.db.open) this.core.db.close();
    this.core.log.info('clipgate stopped');
  }
}
