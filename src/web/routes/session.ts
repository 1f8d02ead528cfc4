import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { SETTING } from '../../db/repos/settings.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ingressPath } from '../access.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/password.js';
import { SESSION_COOKIE, type SessionManager } from '../auth/sessions.js';
import { checkSetupCode } from '../auth/setup-code.js';
import { csrfTokenOf, type WebApiDeps } from '../context.js';
import { parseInput } from '../validate.js';

export interface SessionRouteDeps {
  api: WebApiDeps;
  sessions: SessionManager;
  limiter: LoginLimiter;
}

const loginBody = z.strictObject({ password: z.string().min(1).max(1024) });
const setupBody = z.strictObject({
  code: z.string().min(1).max(64),
  password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(1024),
});

/** A coarse per-address cap on top of the lock-out, so nobody can keep the CPU busy with scrypt. */
const AUTH_RATE_LIMIT = { max: 30, timeWindow: 60_000 };

/** Login, logout, session status and first-run setup: the only API routes open without a session. */
export async function sessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): Promise<void> {
  const settings = deps.api.repos.settings;

  /**
   * The API as the browser sees it: `/api`, or under a prefixing proxy (Home Assistant ingress)
   * `<X-Ingress-Path>/api`, so the cookie goes to this app's API only, never to its neighbours.
   */
  const cookiePath = (req: FastifyRequest): string => `${ingressPath(deps.api.access, req) ?? ''}/api`;

  function startSession(req: FastifyRequest, reply: FastifyReply): void {
    const s = deps.sessions.create(req.ip);
    void reply.setCookie(SESSION_COOKIE, s.id, {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      path: cookiePath(req),
      // https as the client used it: the socket's, or X-Forwarded-Proto from a trusted proxy.
      secure: 'auto',
      maxAge: s.maxAgeSeconds,
    });
  }

  /** Runs `check` under the lock-out (and the global slow-down); only a passing check forgives the attempt. */
  async function attempt(req: FastifyRequest, reply: FastifyReply, check: () => Promise<boolean>): Promise<boolean> {
    const a = deps.limiter.begin(req.ip);
    if (!a.ok) {
      void reply.header('retry-after', Math.ceil(a.retryAfterMs / 1000));
      throw new AppError('RATE_LIMITED', `too many failed attempts; try again in ${Math.ceil(a.retryAfterMs / 60_000)} minute(s)`);
    }
    if (a.delayMs > 0) {
      deps.api.log.warn({ client: req.ip, delayMs: a.delayMs, failures: deps.limiter.globalFailures() }, 'many failed logins across clients; answering logins slowly');
      await sleep(a.delayMs);
    }
    const ok = await check();
    if (ok) a.release();
    return ok;
  }

  app.get('/session', { config: { public: true } }, async (req) => ({
    authenticated: req.principal !== undefined,
    csrfToken: csrfTokenOf(req.principal) ?? null,
    // Through ingress Home Assistant has signed the owner in; the password is for direct access.
    setupRequired: req.principal?.kind !== 'ingress' && settings.get(SETTING.ownerPasswordHash) === undefined,
    ingress: req.principal?.kind === 'ingress',
  }));

  app.post('/session', { config: { public: true, rateLimit: AUTH_RATE_LIMIT } }, async (req, reply) => {
    const { password } = parseInput(loginBody, req.body, 'body');
    const stored = settings.get(SETTING.ownerPasswordHash);
    if (stored === undefined) throw new AppError('UNAUTHORIZED', 'no owner password is set yet; finish the first-run setup');
    if (!(await attempt(req, reply, () => verifyPassword(password, stored)))) {
      deps.api.log.warn({ client: req.ip }, 'failed login');
      throw new AppError('UNAUTHORIZED', 'wrong password');
    }
    startSession(req, reply);
    return reply.status(204).send();
  });

  app.delete('/session', async (req, reply) => {
    if (req.principal?.kind === 'session') deps.sessions.destroy(req.principal.sessionId);
    void reply.clearCookie(SESSION_COOKIE, { path: cookiePath(req) });
    return reply.status(204).send();
  });

  app.post('/setup', { config: { public: true, rateLimit: AUTH_RATE_LIMIT } }, async (req, reply) => {
    const body = parseInput(setupBody, req.body, 'body');
    if (settings.get(SETTING.ownerPasswordHash) !== undefined) throw new AppError('ALREADY_EXISTS', 'the owner password is already set');
    if (!(await attempt(req, reply, async () => checkSetupCode(settings, body.code)))) {
      deps.api.log.warn({ client: req.ip }, 'wrong setup code');
      throw new AppError('UNAUTHORIZED', 'wrong setup code (it is printed in the clipgate log at start-up)');
    }
    const hash = await hashPassword(body.password);
    // Checked again after the slow hash: two racing setups must not both set a password.
    if (settings.get(SETTING.ownerPasswordHash) !== undefined) throw new AppError('ALREADY_EXISTS', 'the owner password is already set');
    settings.set(SETTING.ownerPasswordHash, hash);
    settings.delete(SETTING.setupCodeHash);
    deps.api.log.info('owner password set through first-run setup');
    startSession(req, reply);
    return reply.status(204).send();
  });
}
