import fastifyHelmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../core/logger.js';
import type { Service } from '../core/service.js';
import { viaIngress, type WebAccess } from './access.js';
import { clientErrorHandler, errorHandler, notFoundHandler } from './errors.js';
import { checkHost } from './host-check.js';
import { healthRoutes } from './routes/health.js';

export interface WebDeps {
  log: Logger;
  version: string;
  host: string;
  port: number;
  /** Host allow-list, trusted proxies and the ingress proxy (web.* of the config). */
  access: WebAccess;
  /** Demo only: when the port is taken, listen on any free port instead of failing. */
  anyPortIfTaken?: boolean;
  /** The owner's API and the browser app (webApi), an encapsulated plugin; absent: /api/health only. */
  api?: (app: FastifyInstance) => Promise<void>;
}

/**
 * Strict CSP: the UI is one same-origin script and stylesheet, no inline code, no CDN (it must
 * work on a LAN without internet). No upgrade-insecure-requests and no HSTS: the UI is usually
 * reached over plain HTTP on a LAN address, where upgrading would break every request.
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** build() is separate from listen() so tests can use inject(). */
export async function buildWebServer(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and fastify's base logger type differ only in optional members; the
    // assertion keeps FastifyInstance's logger generic at its default so plugins type-check.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- changes generic inference, see above
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request lines would log every thumbnail fetch on a Pi's SD card; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // Query strings with repeated keys or deep objects are never needed by the API.
    routerOptions: { maxParamLength: 200 },
    // X-Forwarded-For/-Proto/-Host count only when the socket's peer is a configured proxy.
    trustProxy: deps.access.trustProxy.size > 0 ? (address: string) => deps.access.trustProxy.has(address) : false,
    // Node would answer a Host-less HTTP/1.1 request with a bare 400; checkHost answers 421 in the envelope.
    http: { requireHostHeader: false },
    clientErrorHandler,
    // Bad percent-encoding and over-long path segments: the same envelope as every other error.
    frameworkErrors: (err, req, reply) => errorHandler(err, req, reply),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // Before every route, /api/health included: a rebound name never reaches anything. Home
  // Assistant's ingress forwards the browser's Host for Home Assistant itself, and has checked it.
  app.addHook('onRequest', async (req) => {
    if (!viaIngress(deps.access, req)) checkHost(deps.access.hosts, req);
  });
  await app.register(fastifyHelmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP }, hsts: false });
  await app.register(healthRoutes, { version: deps.version });
  if (deps.api) await app.register(deps.api);
  return app;
}

export class WebService implements Service {
  readonly name = 'web';
  private app: FastifyInstance | undefined;
  private boundPort = 0;

  constructor(private readonly deps: WebDeps) {}

  async start(): Promise<void> {
    this.app = await buildWebServer(this.deps);
    try {
      await this.app.listen({ host: this.deps.host, port: this.deps.port });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !this.deps.anyPortIfTaken) throw err;
      this.deps.log.warn({ port: this.deps.port }, 'port in use; the demo listens on a free port instead');
      await this.app.listen({ host: this.deps.host, port: 0 });
    }
    const addr = this.app.server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.deps.port;
    const shown = this.deps.host === '0.0.0.0' || this.deps.host === '::' ? '127.0.0.1' : this.deps.host;
    this.deps.log.info({ host: this.deps.host, port: this.boundPort, url: `http://${shown}:${this.boundPort}/` }, 'web server listening');
  }

  /** The port actually bound (differs from the config when it asked for 0). */
  get port(): number {
    return this.boundPort;
  }

  get server(): FastifyInstance | undefined {
    return this.app;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
