import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, isAppError, type ErrorCode } from '../core/errors.js';

interface Envelope {
  status: number;
  code: ErrorCode;
  message: string;
}

/** fastify's own request errors, each with the stable code and a message that names no internals. */
const FRAMEWORK: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_BAD_URL: { code: 'BAD_URL', message: 'the URL is not valid (bad percent-encoding)' },
  FST_ERR_INVALID_URL: { code: 'BAD_URL', message: 'the URL is not valid' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'BAD_URL', message: 'a path segment of the URL is too long' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', message: 'the body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_JSON', message: 'the body is empty but the content type is application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type; send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'the body does not match its Content-Length' },
  FST_ERR_NOT_FOUND: { code: 'NOT_FOUND', message: 'not found' },
};

/** A framework or plugin error without a known code keeps its status class; the code follows the status. */
const BY_STATUS: Record<number, ErrorCode> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  421: 'MISDIRECTED_REQUEST',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

/** What any thrown value becomes on the wire; undefined means a 500 (logged, never echoed). */
export function toEnvelope(err: unknown): Envelope | undefined {
  if (isAppError(err)) return { status: err.status, code: err.code, message: err.message };
  const fe = err as Partial<FastifyError>;
  if (fe.validation) return { status: 400, code: 'VALIDATION_FAILED', message: fe.message ?? 'invalid input' };
  const known = fe.code !== undefined ? FRAMEWORK[fe.code] : undefined;
  if (known) return { status: ERROR_CODES[known.code], ...known };
  // The JSON parser's SyntaxError carries statusCode 400 and the parser's own wording.
  if (err instanceof SyntaxError && fe.statusCode === 400) return { status: 400, code: 'INVALID_JSON', message: 'the body is not valid JSON' };
  const status = fe.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const code = BY_STATUS[status] ?? 'BAD_REQUEST';
  return { status: ERROR_CODES[code], code, message: typeof fe.message === 'string' && fe.message !== '' ? fe.message : code.toLowerCase() };
}

/** Every error leaves as `{error: {code, message}}` with a stable code; internals are never echoed. */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  const e = toEnvelope(err);
  if (e) {
    void reply.status(e.status).send({ error: { code: e.code, message: e.message } });
    return;
  }
  req.log.error({ err }, 'request failed');
  void reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` } });
}

/**
 * Errors before fastify has a request (malformed HTTP, headers too large, a request that took too
 * long to arrive): answered on the raw socket in the same envelope, then the connection is closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e: Envelope =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request took too long to arrive' }
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? { status: 431, code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large' }
        : { status: 400, code: 'BAD_REQUEST', message: 'malformed HTTP request' };
  const body = JSON.stringify({ error: { code: e.code, message: e.message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
