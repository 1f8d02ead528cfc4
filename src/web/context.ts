import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Controls } from '../core/ports.js';
import type { Problems } from '../core/problems.js';
import type { SessionRow } from '../db/repos/sessions.js';
import type { Repos } from '../db/index.js';
import type { WebAccess } from './access.js';

/** The service interfaces the API reaches; the same object as App.controls, read at request time. */
export type ApiControls = Controls;

/** The controls a daemon may really run without (no platform: no requests for assistance). */
type OptionalControl = { [K in keyof Controls]-?: undefined extends Controls[K] ? K : never }[keyof Controls];

export interface WebApiDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  problems: Problems;
  repos: Repos;
  /** Clip and thumbnail paths in the database are relative to this directory. */
  dataDir: string;
  /** Where clip files live (dataDir/clips, or the config's clipsDir); files outside dataDir and this are never served. */
  clipsDir?: string;
  controls: ApiControls;
  /** Host allow-list, trusted proxies, the ingress proxy (web.* of the config). */
  access: WebAccess;
  /** Built browser app (dist/ui); omitted or missing means the API runs without the UI. */
  uiDir?: string;
  /** SSE keep-alive comment interval; tests shorten it. */
  sseKeepAliveMs?: number;
}

/**
 * Who is asking: a signed-in browser session, an API token, or the owner as Home Assistant's
 * ingress proxy vouches for them (web.ingress), whose state changes still need the CSRF token.
 */
export type Principal =
  | { kind: 'session'; sessionId: string; session: SessionRow }
  | { kind: 'token'; name: string }
  | { kind: 'ingress'; csrfToken: string };

/** The CSRF token a principal must send with state changes; undefined for tokens (exempt). */
export function csrfTokenOf(p: Principal | undefined): string | undefined {
  if (p?.kind === 'session') return p.session.csrfToken;
  if (p?.kind === 'ingress') return p.csrfToken;
  return undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Answered without authentication (login, session status, first-run setup). */
    public?: boolean;
  }
}

const LABEL: Record<OptionalControl, string> = {
  requests: 'requests for assistance',
  analysis: 'on-device analysis',
};

/** A control this daemon runs without (see OptionalControl) answers 503 SERVICE_UNAVAILABLE. */
export function need<K extends OptionalControl>(controls: ApiControls, key: K): NonNullable<ApiControls[K]> {
  const c = controls[key];
  if (c === undefined) throw new AppError('SERVICE_UNAVAILABLE', `the ${LABEL[key]} service is not available`);
  return c;
}
