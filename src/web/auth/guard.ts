import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { TokensRepo } from '../../db/repos/tokens.js';
import { viaIngress, type WebAccess } from '../access.js';
import { csrfTokenOf, type Principal } from '../context.js';
import { SESSION_COOKIE, safeEqual, type SessionManager } from './sessions.js';
import { hashToken } from './tokens.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** last_used_at of a token is written at most this often per token. */
const TOKEN_TOUCH_MS = 60_000;

export interface GuardDeps {
  sessions: SessionManager;
  tokens: TokensRepo;
  clock: Clock;
  access: WebAccess;
}

/**
 * onRequest hook for everything under /api: finds the principal (Bearer token, else the ingress
 * proxy's word, else the session cookie), refuses anonymous requests to non-public routes with
 * 401 and browser requests that change state without the CSRF token with 403. Runs before the
 * body is read, so an anonymous client cannot make the server parse a large body.
 */
export function createGuard(deps: GuardDeps): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const tokenTouched = new Map<string, number>();
  // One per daemon run: Home Assistant authenticated the person, the token proves the page is ours.
  const ingressCsrf = randomBytes(24).toString('base64url');

  function fromToken(header: string): Principal {
    const token = header.slice('bearer '.length).trim();
    const row = token ? deps.tokens.findByHash(hashToken(token)) : undefined;
    // A wrong token is an error even when a valid cookie is also present: automation should fail loudly.
    if (!row) throw new AppError('UNAUTHORIZED', 'the API token is not valid');
    const now = deps.clock.now();
    if (now - (tokenTouched.get(row.name) ?? 0) >= TOKEN_TOUCH_MS) {
      tokenTouched.set(row.name, now);
      deps.tokens.touch(row.name, new Date(now).toISOString());
    }
    return { kind: 'token', name: row.name };
  }

  function fromCookie(req: FastifyRequest): Principal | undefined {
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return undefined;
    const unsigned = req.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return undefined;
    const session = deps.sessions.resolve(unsigned.value);
    return session && { kind: 'session', sessionId: unsigned.value, session };
  }

  function principalOf(req: FastifyRequest): Principal | undefined {
    const auth = req.headers.authorization;
    if (auth?.toLowerCase().startsWith('bearer ')) return fromToken(auth);
    if (viaIngress(deps.access, req)) return { kind: 'ingress', csrfToken: ingressCsrf };
    return fromCookie(req);
  }

  return async (req) => {
    const principal = principalOf(req);
    if (principal) req.principal = principal;
    if (req.routeOptions.config.public === true) return;
    if (!principal) throw new AppError('UNAUTHORIZED', 'sign in first');
    const expected = csrfTokenOf(principal);
    if (expected !== undefined && !SAFE_METHODS.has(req.method)) {
      const header = req.headers['x-csrf-token'];
      if (typeof header !== 'string' || !safeEqual(header, expected)) {
        throw new AppError('CSRF_FAILED', 'missing or wrong X-CSRF-Token header (get it from GET /api/session)');
      }
    }
  };
}
