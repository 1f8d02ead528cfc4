import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { createRepos, openDatabase, type Db, type Repos } from '../db/index.js';
import { systemClock, type Clock } from './clock.js';
import { EventBus } from './events.js';
import type { Logger } from './logger.js';
import { Problems } from './problems.js';

/** What every feature may depend on; built once by openCore() and passed down as named deps. */
export interface Core {
  config: Config;
  /** True when running the built-in demo config (no config file found). */
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

/** Where everything lives; clip paths in the database are relative to dataDir, even when clipsDir lies elsewhere. */
export function dataPaths(config: Pick<Config, 'dataDir' | 'cacheDir' | 'clipsDir'>): DataPaths {
  return {
    dataDir: config.dataDir,
    cacheDir: config.cacheDir,
    database: path.join(config.dataDir, 'clipgate.db'),
    clips: config.clipsDir ?? path.join(config.dataDir, 'clips'),
    exports: path.join(config.dataDir, 'exports'),
    tmp: path.join(config.dataDir, 'tmp'),
  };
}

export interface CoreOptions {
  config: Config;
  demo?: boolean;
  log: Logger;
  clock?: Clock;
}

/**
 * The shared parts of the daemon (and of CLI commands that act like it): data folders, the
 * database with its repositories, the event bus and the problem list. closeCore() closes the
 * database; everything else holds no resource.
 */
export function openCore(opts: CoreOptions): Core {
  const clock = opts.clock ?? systemClock;
  const bus = new EventBus(opts.log.child({ module: 'bus' }));
  const paths = dataPaths(opts.config);
  for (const dir of [paths.dataDir, paths.clips, paths.exports, paths.tmp]) mkdirSync(dir, { recursive: true });
  const db = openDatabase(paths.database);
  return {
    config: opts.config,
    demo: opts.demo ?? false,
    log: opts.log,
    clock,
    bus,
    problems: new Problems({ bus, clock }),
    db,
    repos: createRepos(db),
    paths,
  };
}

export function closeCore(core: Pick<Core, 'db'>): void {
  if (core.db.open) core.db.close();
}
