import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Controls } from '../core/ports.js';
import type { Problems } from '../core/problems.js';
import type { SessionRow } from '../db/repos/sessions.js';
import type { Repos } from '../db/index.js';

/** The service interfaces the API reaches; the same object as App.controls, read at request time. */
export type ApiControls = Controls;

export interface WebApiDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  problems: Problems;
  repos: Repos;
  /** Clip and thumbnail paths in the database are relative to this directory. */
  dataDir: string;
  controls: ApiControls;
  /** Built browser app (dist/ui); omitted or missing means the API runs without the UI. */
  uiDir?: string;
  /** SSE keep-alive comment interval; tests shorten it. */
  sseKeepAliveMs?: number;
}

export type Principal = { kind: 'session'; sessionId: string; session: SessionRow } | { kind: 'token'; name: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Answered without authentication (login, session status, first-run setup). */
    public?: boolean;
  }
}

const LABEL: Record<keyof ApiControls, string> = {
  cameras: 'cameras',
  review: 'review',
  shares: 'sharing',
  requests: 'requests for assistance',
  ledger: 'ledger',
  stats: 'statistics',
};

/** A control another module has not wired (yet, or because it failed to start) answers 503. */
export function need<K extends keyof ApiControls>(controls: ApiControls, key: K): NonNullable<ApiControls[K]> {
  const c = controls[key];
  if (c === undefined) throw new AppError('SERVICE_UNAVAILABLE', `the ${LABEL[key]} service is not available`);
  return c;
}
