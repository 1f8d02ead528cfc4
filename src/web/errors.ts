import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../core/errors.js';

/** Every error leaves as `{error: {code, message}}` with a stable code; internals are never echoed. */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (isAppError(err)) {
    void reply.status(err.status).send({ error: { code: err.code, message: err.message } });
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    void reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message: fe.message } });
    return;
  }
  if (fe.statusCode === 413 || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    void reply.status(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' } });
    return;
  }
  if (fe.statusCode === 429) {
    void reply.status(429).send({ error: { code: 'RATE_LIMITED', message: fe.message } });
    return;
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    void reply.status(fe.statusCode).send({ error: { code: 'BAD_REQUEST', message: fe.message } });
    return;
  }
  req.log.error({ err }, 'request failed');
  void reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` } });
}
