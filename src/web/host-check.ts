import { isIP } from 'node:net';
import os from 'node:os';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';

/**
 * DNS rebinding defence: a web page the owner visits can point its own name at the clipgate box,
 * and the browser then sends that name as Host. Only names the owner uses are answered; an IP
 * literal cannot be rebound (the page's origin then is the box itself), so IP literals always pass.
 */
export class HostPolicy {
  private readonly names: Set<string>;
  private readonly any: boolean;

  /** `extra` extends the defaults (localhost, the machine's host name, <hostname>.local); `*` accepts any name. */
  constructor(extra: readonly string[], hostname: string = os.hostname()) {
    this.any = extra.includes('*');
    const base = normaliseName(hostname);
    const defaults = ['localhost', ...(base ? [base, `${base}.local`] : [])];
    this.names = new Set([...defaults, ...extra.map(normaliseName)].filter((n) => n !== ''));
  }

  /** The names accepted besides IP literals (for the log and the docs). */
  get list(): string[] {
    return this.any ? ['*'] : [...this.names];
  }

  allows(hostHeader: string | undefined): boolean {
    if (this.any) return true;
    const host = hostName(hostHeader);
    if (host === undefined) return false;
    return isIP(host) !== 0 || this.names.has(host);
  }
}

function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** `Name.Example:8080` → `name.example`, `[::1]:8080` → `::1`; undefined when absent or malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const h = header.trim();
  if (h === '' || h.length > 300) return undefined;
  if (h.startsWith('[')) {
    const m = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(h);
    return m?.[1] !== undefined && isIP(m[1]) === 6 ? m[1].toLowerCase() : undefined;
  }
  const m = /^([A-Za-z0-9._-]+)(?::\d{1,5})?$/.exec(h);
  return m?.[1] !== undefined ? normaliseName(m[1]) : undefined;
}

/**
 * The Host the browser used: fastify's `req.host` (X-Forwarded-Host only from a trusted proxy).
 * HTTP/1.0 may omit Host, which no browser does, so only a 1.1 request without one is refused.
 */
export function checkHost(policy: HostPolicy, req: FastifyRequest): void {
  const raw = req.headers.host;
  if (raw === undefined && req.raw.httpVersion === '1.0') return;
  const host = raw === undefined ? undefined : req.host;
  if (!policy.allows(host)) {
    const name = hostName(host);
    const what = name === undefined ? 'a missing or malformed Host header' : `the host name ${name}`;
    throw new AppError('MISDIRECTED_REQUEST', `this server does not answer to ${what}; add the name to web.allowedHosts`);
  }
}
