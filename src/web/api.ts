import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import { clientKey } from '../core/net-address.js';
import { SETTING, type SettingsRepo } from '../db/repos/settings.js';
import { createGuard } from './auth/guard.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { SessionManager } from './auth/sessions.js';
import { prepareSetupCode } from './auth/setup-code.js';
import type { WebApiDeps } from './context.js';
import { cameraRoutes } from './routes/cameras.js';
import { clipBulkRoutes } from './routes/clips-bulk.js';
import { clipRoutes } from './routes/clips.js';
import { eventRoutes } from './routes/events.js';
import { mediaRoutes } from './routes/media.js';
import { recordRoutes } from './routes/records.js';
import { sessionRoutes } from './routes/session.js';
import { shareRoutes } from './routes/shares.js';

/** Generated once and kept, so sessions survive a restart; never leaves the settings table. */
function cookieSecret(settings: SettingsRepo): string {
  let secret = settings.get(SETTING.cookieSecret);
  if (secret === undefined) {
    secret = randomBytes(32).toString('base64url');
    settings.set(SETTING.cookieSecret, secret);
  }
  return secret;
}

async function apiScope(api: FastifyInstance, opts: { deps: WebApiDeps }): Promise<void> {
  const deps = opts.deps;
  const sessions = new SessionManager({ sessions: deps.repos.sessions, clock: deps.clock });
  const limiter = new LoginLimiter({ clock: deps.clock });
  api.addHook('onRequest', createGuard({ sessions, tokens: deps.repos.tokens, clock: deps.clock, access: deps.access }));
  await api.register(sessionRoutes, { api: deps, sessions, limiter });
  await api.register(cameraRoutes, deps);
  await api.register(clipRoutes, deps);
  await api.register(clipBulkRoutes, deps);
  await api.register(mediaRoutes, deps);
  await api.register(shareRoutes, deps);
  await api.register(recordRoutes, deps);
  await api.register(eventRoutes, deps);
  // Inside the guarded scope, so an unknown /api path answers 401 to strangers and 404 to the owner.
  api.all('/*', async (req) => {
    throw new AppError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`);
  });
}

/**
 * The owner's API (everything under /api except /api/health) and the browser app, as one
 * encapsulated plugin for the web server (createWeb); services are reached through deps.controls only.
 */
export function webApi(deps: WebApiDeps): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const settings = deps.repos.settings;
    prepareSetupCode({ settings, log: deps.log });
    await app.register(fastifyCookie, { secret: cookieSecret(settings) });
    await app.register(fastifyRateLimit, {
      global: false,
      // Per client as the lock-out counts them: an IPv6 /64 is one client.
      keyGenerator: (req) => clientKey(req.ip),
      errorResponseBuilder: (_req, ctx) => new AppError('RATE_LIMITED', `too many requests; retry in ${ctx.after}`),
    });
    await app.register(apiScope, { prefix: '/api', deps });
    if (deps.uiDir !== undefined && existsSync(deps.uiDir)) {
      await app.register(fastifyStatic, {
        root: deps.uiDir,
        prefix: '/',
        index: ['index.html'],
        // Source maps would hand out the UI's source; the build makes none, and a stale one is never served.
        allowedPath: (pathName) => !pathName.endsWith('.map'),
        cacheControl: false,
        // app.js keeps its name across releases, so the browser must revalidate it.
        setHeaders: (res) => {
          res.setHeader('cache-control', 'no-cache');
        },
      });
    } else {
      deps.log.warn({ uiDir: deps.uiDir }, 'web UI not built (run npm run build); serving the API only');
    }
  };
}
