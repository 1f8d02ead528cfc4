import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { AddressSet } from '../core/net-address.js';
import { HostPolicy } from './host-check.js';

/** Who may reach the web server, and through what: built once from `web.*` of the config. */
export interface WebAccess {
  hosts: HostPolicy;
  /** Reverse proxies whose X-Forwarded-* headers are believed (web.trustProxy). */
  trustProxy: AddressSet;
  /** Home Assistant's ingress proxy (web.ingressProxy) when web.ingress is on, else undefined. */
  ingressProxy: AddressSet | undefined;
}

export function webAccess(web: Config['web'], hostname?: string): WebAccess {
  return {
    hosts: new HostPolicy(web.allowedHosts, hostname),
    trustProxy: new AddressSet(web.trustProxy),
    ingressProxy: web.ingress ? new AddressSet(web.ingressProxy) : undefined,
  };
}

/** An absolute URL path of plain segments (`/api/hassio_ingress/Tok3n-x`); anything else is ignored. */
const INGRESS_PATH = /^(?:\/[A-Za-z0-9._~-]+){1,8}$/;

/**
 * The X-Ingress-Path the proxy in front announced (Home Assistant's ingress, or a trusted
 * prefixing proxy), validated so it can go into a cookie path; undefined for anyone else.
 */
export function ingressPath(access: WebAccess, req: FastifyRequest): string | undefined {
  const header = req.headers['x-ingress-path'];
  if (typeof header !== 'string' || header.length > 256 || !INGRESS_PATH.test(header)) return undefined;
  const peer = req.socket.remoteAddress;
  return access.ingressProxy?.has(peer) === true || access.trustProxy.has(peer) ? header : undefined;
}

/**
 * A request Home Assistant's ingress proxy forwarded: the socket's own peer (never a forwarded
 * header) is a configured ingress proxy address, and the proxy announced the ingress path.
 */
export function viaIngress(access: WebAccess, req: FastifyRequest): boolean {
  return access.ingressProxy?.has(req.socket.remoteAddress) === true && typeof req.headers['x-ingress-path'] === 'string';
}
