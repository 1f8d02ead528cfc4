import path from 'node:path';
import type { Core } from '../core/core.js';
import type { Controls } from '../core/ports.js';
import { packageRoot, version } from '../core/version.js';
import { webAccess } from './access.js';
import { webApi } from './api.js';
import { WebService } from './server.js';

export { WebService, buildWebServer, type WebDeps } from './server.js';
export { webApi } from './api.js';

export interface WebOptions {
  /** Read per request: the same object the App exposes, so tests may swap a control. */
  controls: Controls;
  /** The built browser app; dist/ui of the package by default. */
  uiDir?: string;
  sseKeepAliveMs?: number;
}

/** The web server with the owner's API and UI, listening where the config says. */
export function createWeb(core: Core, opts: WebOptions): WebService {
  const log = core.log.child({ module: 'web' });
  const access = webAccess(core.config.web);
  return new WebService({
    access,
    log,
    version: version(),
    host: core.config.web.host,
    port: core.config.web.port,
    anyPortIfTaken: core.demo,
    api: webApi({
      log,
      clock: core.clock,
      bus: core.bus,
      problems: core.problems,
      repos: core.repos,
      dataDir: core.paths.dataDir,
      clipsDir: core.paths.clips,
      controls: opts.controls,
      access,
      uiDir: opts.uiDir ?? path.join(packageRoot(), 'dist', 'ui'),
      ...(opts.sseKeepAliveMs !== undefined ? { sseKeepAliveMs: opts.sseKeepAliveMs } : {}),
    }),
  });
}
