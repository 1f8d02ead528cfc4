import type { FastifyInstance } from 'fastify';

/** The one unauthenticated route: load balancers, Docker HEALTHCHECK and systemd probes use it. */
export async function healthRoutes(app: FastifyInstance, opts: { version: string }): Promise<void> {
  app.get('/api/health', async () => ({ status: 'ok', version: opts.version }));
}
