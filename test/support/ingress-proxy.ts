// A stand-in for Home Assistant's ingress proxy: it serves `/api/hassio_ingress/<token>/…` and
// forwards each request to the add-on with the prefix stripped and `X-Ingress-Path` added, copying
// the browser's headers (Host included, as Home Assistant and the Supervisor do) and appending to
// X-Forwarded-For. Its outgoing connections leave from `sourceAddress`, so the daemon sees the
// proxy's address, like the Supervisor's 172.30.32.2. Responses are streamed (SSE works).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface IngressProxy {
  /** http://<listen address>:<port> */
  origin: string;
  port: number;
  /** `/api/hassio_ingress/<token>` — what the proxy sends as X-Ingress-Path. */
  prefix: string;
  /** Every forwarded request as the add-on saw it: method, path without the prefix, status. */
  forwarded: { method: string; path: string; status: number }[];
  /** Requests outside the prefix (answered 404 by the proxy, never forwarded). */
  refused: string[];
  close(): Promise<void>;
}

export interface IngressProxyOptions {
  /** The add-on's port on 127.0.0.1. */
  targetPort: number;
  token: string;
  /** Where the proxy listens for the browser. Default 127.0.0.2. */
  listenAddress?: string;
  /** The address the proxy's requests to the add-on come from. Default 127.0.0.2. */
  sourceAddress?: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'content-length', 'accept-encoding']);

export async function startIngressProxy(opts: IngressProxyOptions): Promise<IngressProxy> {
  const prefix = `/api/hassio_ingress/${opts.token}`;
  const forwarded: IngressProxy['forwarded'] = [];
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url !== prefix && !url.startsWith(`${prefix}/`)) {
      refused.push(url);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not an ingress path');
      return;
    }
    const path = url.slice(prefix.length) || '/';
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers['x-ingress-path'] = prefix;
    headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    headers['x-forwarded-proto'] = 'http';
    const upstream = http.request(
      { host: '127.0.0.1', port: opts.targetPort, localAddress: opts.sourceAddress ?? '127.0.0.2', method: req.method, path, headers },
      (up) => {
        forwarded.push({ method: req.method ?? 'GET', path, status: up.statusCode ?? 0 });
        const out: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
        res.writeHead(up.statusCode ?? 502, out);
        res.flushHeaders();
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.listenAddress ?? '127.0.0.2', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${opts.listenAddress ?? '127.0.0.2'}:${port}`,
    port,
    prefix,
    forwarded,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
