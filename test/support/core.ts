// The one fixture for tests that need the daemon's core: the real config schema, the real
// openCore (data folders, SQLite in WAL mode, repositories, event bus, problems) on a temp
// folder. Features are then built with their own factories, exactly as app.ts builds them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { configSchema } from '../../src/config/schema.js';
import type { Clock } from '../../src/core/clock.js';
import { closeCore, openCore, type Core } from '../../src/core/core.js';
import type { Logger } from '../../src/core/logger.js';

export interface TestCore extends Core {
  /** The folder holding data/ and cache/. */
  dir: string;
  /** Close the database; remove the folder when makeCore created it. */
  cleanup(): void;
}

export interface MakeCoreOptions {
  /** Config sections other than dataDir and cacheDir (cameras, retention, platform ...), as in a config file. */
  config?: Record<string, unknown>;
  /** Use this folder (kept on cleanup) instead of a fresh temp folder. */
  dir?: string;
  /** dataDir, when it must lie elsewhere than `<dir>/data` (another file system, say). */
  dataDir?: string;
  clock?: Clock;
  /** Default: silent, or the level in $CLIPGATE_TEST_LOG. */
  log?: Logger;
}

export function makeCore(opts: MakeCoreOptions = {}): TestCore {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'cg-core-'));
  const config = configSchema.parse({
    dataDir: opts.dataDir ?? path.join(dir, 'data'),
    cacheDir: path.join(dir, 'cache'),
    web: { host: '127.0.0.1', port: 0 },
    ...opts.config,
  });
  const log = opts.log ?? pino({ level: process.env.CLIPGATE_TEST_LOG ?? 'silent' });
  const core = openCore({ config, log, ...(opts.clock ? { clock: opts.clock } : {}) });
  return Object.assign(core, {
    dir,
    cleanup(): void {
      closeCore(core);
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  });
}
