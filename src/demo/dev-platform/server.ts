import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { receivedPage } from './page.js';
import { DevStore, type ReceivedUpload } from './store.js';

export type { ReceivedUpload, Witness } from './store.js';

export interface DevPlatformOptions {
  /** 0 = any free port. */
  port?: number;
  /** Loopback only; the dev platform is never meant to face a network. */
  host?: '127.0.0.1' | '::1';
  token: string;
  /** Where uploads are stored (`<dir>/uploads`) and verified (`<dir>/results`). */
  dir: string;
  /** JSON file served at GET {base}/requests; read on every request so tests and demos can edit it. */
  requestsFile?: string;
  /** Reject uploads larger than this (413), to exercise that path. */
  maxSizeBytes?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
}

export interface DevPlatform {
  /** The platform base URL to configure as `platform.url` (ends in /api). */
  url: string;
  port: number;
  token: string;
  stop(): Promise<void>;
  received(): ReceivedUpload[];
  /** Bytes received in PATCH bodies since start, over every upload (deleted ones included). */
  bytesReceived(): number;
  files(): string[];
  requestLog(): RequestLogEntry[];
}

const BASE = '/api';

function tokenMatches(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readRequests(file: string | undefined): unknown {
  if (!file || !existsSync(file)) return { requests: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

function uploadIdOf(url: string): string | undefined {
  const rest = url.split('?')[0]?.slice(`${BASE}/uploads/`.length);
  return rest && !rest.includes('/') ? rest : undefined;
}

/** @tus/server answers a thrown error with its `status_code` and `body`; 460 is tus's checksum-mismatch status. */
class ChecksumMismatch extends Error {
  readonly status_code = 460;
  readonly body = 'sha256 of the received bytes does not match the sha256 metadata\n';
  constructor() {
    super('checksum mismatch');
  }
}

function buildTus(store: DevStore, opts: DevPlatformOptions): TusServer {
  return new TusServer({
    path: `${BASE}/uploads`,
    datastore: new FileStore({ directory: store.uploadsDir }),
    ...(opts.maxSizeBytes !== undefined ? { maxSize: opts.maxSizeBytes } : {}),
    // The platform promises the bytes are what the client said they are: verify on completion
    // and refuse (tus checksum-mismatch status 460) when they are not.
    async onUploadFinish(_req, upload) {
      const ok = await store.verify(upload.id, upload.metadata?.sha256 ?? undefined);
      if (!ok) throw new ChecksumMismatch();
      return {};
    },
  });
}

/**
 * Hand one request to @tus/server through its web-Request entry point, with the request body
 * passed through a counter so the platform knows exactly how many bytes it received (tests
 * prove with it how much a resumed upload re-sent).
 */
async function forwardToTus(tus: TusServer, store: DevStore, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw: IncomingMessage = request.raw;
  const id = uploadIdOf(request.url);
  let received = 0;
  let body: ReadableStream | undefined;
  if (raw.method === 'PATCH' || (raw.method === 'POST' && Number(raw.headers['content-length'] ?? 0) > 0)) {
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (id) store.countBytes(id, chunk.length);
        done(null, chunk);
      },
    });
    // pipeline (not pipe) so a client that dies mid-PATCH errors the body, and tus stops
    // waiting for it and keeps what arrived.
    pipeline(raw, counter, () => undefined);
    body = Readable.toWeb(counter) as ReadableStream;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw.headers)) if (typeof v === 'string') headers.set(k, v);
  const init: RequestInit & { duplex?: 'half' } = { method: raw.method ?? 'GET', headers };
  if (body) {
    init.body = body;
    init.duplex = 'half';
  }
  const res = await tus.handleWeb(new Request(`http://${raw.headers.host ?? '127.0.0.1'}${request.url}`, init));
  if (id && raw.method === 'PATCH') store.recordPatch(id, Number(raw.headers['upload-offset'] ?? -1), received, res.status);
  reply.code(res.status);
  res.headers.forEach((value, key) => void reply.header(key, value));
  await reply.send(res.body ? Buffer.from(await res.arrayBuffer()) : undefined);
}

function buildApp(opts: DevPlatformOptions, store: DevStore, log: RequestLogEntry[]): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const tus = buildTus(store, opts);
  // tus bodies are streamed to @tus/server untouched; fastify must not parse them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  app.addHook('onResponse', async (req, reply) => {
    log.push({ method: req.method, path: req.url.split('?')[0] ?? req.url, status: reply.statusCode, at: Date.now() });
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(`${BASE}/`)) return;
    if (!tokenMatches(req.headers.authorization, opts.token)) {
      await reply.code(401).header('content-type', 'application/json').send({ error: 'unauthorized' });
    }
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(receivedPage(store.list())));
  app.get(`${BASE}/requests`, async (_req, reply) => reply.send(readRequests(opts.requestsFile)));
  app.get(`${BASE}/received`, async () => ({ uploads: store.list().map((u) => ({ ...u, file: path.basename(u.file) })) }));
  const tusHandler = (req: FastifyRequest, reply: FastifyReply): Promise<void> => forwardToTus(tus, store, req, reply);
  app.all(`${BASE}/uploads`, tusHandler);
  app.all(`${BASE}/uploads/*`, tusHandler);
  return app;
}

/** Start the dev community platform on loopback: tus uploads, requests for assistance, a page. */
export async function startDevPlatform(opts: DevPlatformOptions): Promise<DevPlatform> {
  const store = new DevStore(opts.dir);
  await store.init();
  const log: RequestLogEntry[] = [];
  const app = buildApp(opts, store, log);
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('dev platform: no TCP address');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostPart}:${addr.port}${BASE}`,
    port: addr.port,
    token: opts.token,
    stop: async () => {
      // An upload hanging on a dead client must not keep the test (or demo) from stopping.
      app.server.closeAllConnections();
      await app.close();
    },
    received: () => store.list(),
    bytesReceived: () => store.totalBytesReceived(),
    files: () => store.files(),
    requestLog: () => [...log],
  };
}
