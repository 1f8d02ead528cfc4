import type { Config } from '../config/schema.js';
import { closeCore, openCore, type Core } from '../core/core.js';
import { createLogger, SecretRegistry } from '../core/logger.js';
import { usePrivateUmask } from '../core/private-files.js';

/**
 * Run a CLI command against the daemon's data (WAL lets it do so while the daemon runs), with the
 * same core the daemon builds, so a command uses the features' own factories. Its log is silent
 * and its events reach nobody: a running daemon announces what it picks up from the database.
 */
export function withCore<T>(config: Config, fn: (core: Core) => T): T {
  // A command may create the database or its WAL: private like the daemon's files.
  usePrivateUmask();
  const core = openCore({ config, log: createLogger({ level: 'silent', secrets: new SecretRegistry() }) });
  try {
    return fn(core);
  } finally {
    closeCore(core);
  }
}

/** withCore for a command that waits (verifying a long ledger, waiting for the daemon): the core closes when it settles. */
export async function withCoreAsync<T>(config: Config, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = openCore({ config, log: createLogger({ level: 'silent', secrets: new SecretRegistry() }) });
  try {
    return await fn(core);
  } finally {
    closeCore(core);
  }
}
