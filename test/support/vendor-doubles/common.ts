// Shared plumbing of the Hikvision and Dahua doubles: a real HTTP server on 127.0.0.1 that
// demands HTTP Digest like the firmware does, logs every request, and writes endless
// multipart answers straight onto the socket (cameras send no chunked encoding: the body is
// raw bytes until the connection closes).
import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RequestRecord {
  method: string;
  path: string;
  /** 'none' without Authorization, 'ok', or 'bad' for a wrong or replayed answer. */
  auth: 'none' | 'ok' | 'bad';
  status: number;
  at: number;
}

export interface DoubleOptions {
  username: string;
  password: string;
  realm: string;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Digest (MD5, qop=auth) with single-use nonces: each authenticated request needs a fresh challenge. */
export class DigestGate {
  private readonly issued = new Set<string>();

  constructor(private readonly opts: DoubleOptions) {}

  challenge(): string {
    const nonce = randomBytes(12).toString('base64');
    this.issued.add(nonce);
    if (this.issued.size > 1000) this.issued.delete(this.issued.values().next().value ?? '');
    return `Digest qop="auth", realm="${this.opts.realm}", nonce="${nonce}", stale="FALSE"`;
  }

  check(req: IncomingMessage): RequestRecord['auth'] {
    const header = req.headers.authorization;
    if (!header) return 'none';
    if (!header.startsWith('Digest ')) return 'bad';
    const p: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) p[m[1] ?? ''] = m[2] ?? m[3] ?? '';
    const { username, nonce, uri, response, qop, nc, cnonce } = p;
    // The uri must be the request line's target exactly, query included (Hikvision is strict here).
    if (username !== this.opts.username || !nonce || !this.issued.has(nonce) || uri !== req.url || p.realm !== this.opts.realm) return 'bad';
    this.issued.delete(nonce);
    const ha1 = md5(`${username}:${this.opts.realm}:${this.opts.password}`);
    const ha2 = md5(`${req.method ?? 'GET'}:${uri}`);
    const expected = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    return expected === response ? 'ok' : 'bad';
  }
}

export interface OpenStream {
  socket: Socket;
  path: string;
  openedAt: number;
  timers: NodeJS.Timeout[];
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => number;

/** An HTTP server that authenticates every request, then hands it to `route`. */
export class FirmwareServer {
  readonly requests: RequestRecord[] = [];
  readonly streams = new Set<OpenStream>();
  private readonly server: http.Server;
  private readonly gate: DigestGate;
  port = 0;

  constructor(
    readonly opts: DoubleOptions,
    private readonly route: Route,
  ) {
    this.gate = new DigestGate(opts);
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Some clients keep the stream socket open for minutes: no server-side timeouts, like firmware.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 10_000;
  }

  /** Listen on 127.0.0.1 (a given port: the camera coming back after a reboot). */
  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.dropStreams();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The camera is unplugged for a while: the port refuses connections until restart(). */
  async restart(offMs: number): Promise<void> {
    const port = this.port;
    await this.close();
    await new Promise((r) => setTimeout(r, offMs));
    this.server.removeAllListeners('listening');
    await this.listen(port);
  }

  /** Milliseconds on the shared monotonic clock (performance.now), for latency measurements. */
  now(): number {
    return performance.now();
  }

  count(pathPrefix: string, status?: number): number {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix) && (status === undefined || r.status === status)).length;
  }

  /** Start a raw multipart answer on the socket; the route then writes parts with writeTo. */
  openStream(req: IncomingMessage, res: ServerResponse, headerLines: string[]): OpenStream {
    const socket = res.socket ?? req.socket;
    // The response object is never used: firmware writes a bare HTTP head and raw parts.
    res.detachSocket(socket);
    socket.write(`HTTP/1.1 200 OK\r\n${headerLines.join('\r\n')}\r\n\r\n`);
    const stream: OpenStream = { socket, path: req.url ?? '', openedAt: this.now(), timers: [] };
    this.streams.add(stream);
    socket.once('close', () => this.forget(stream));
    socket.on('error', () => this.forget(stream));
    return stream;
  }

  /** Write to every open stream; returns the write time on the shared clock. */
  writeAll(data: string | Buffer): number {
    const at = this.now();
    for (const s of this.streams) if (!s.socket.destroyed) s.socket.write(data);
    return at;
  }

  /** Cut every open stream (reset, as when the camera reboots or the network drops). */
  dropStreams(): void {
    for (const s of [...this.streams]) {
      s.socket.destroy();
      this.forget(s);
    }
  }

  private forget(stream: OpenStream): void {
    for (const t of stream.timers) clearInterval(t);
    stream.timers = [];
    this.streams.delete(stream);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const record: RequestRecord = { method: req.method ?? '', path: req.url ?? '', auth: this.gate.check(req), status: 0, at: this.now() };
    this.requests.push(record);
    if (this.requests.length > 10_000) this.requests.shift();
    if (record.auth !== 'ok') {
      record.status = 401;
      res.writeHead(401, { 'WWW-Authenticate': this.gate.challenge(), 'Content-Type': 'text/html', Connection: 'close' });
      res.end('<html><head><title>Document Error: Unauthorized</title></head><body><h2>Access Error: 401 -- Unauthorized</h2></body></html>');
      return;
    }
    record.status = this.route(req, res, new URL(req.url ?? '/', 'http://camera'));
  }
}

/**
 * What the brand doubles share: the firmware server, heartbeats that can be paused, raw writes,
 * dropped streams, listen and close. A brand supplies its routes and its own timers.
 */
export abstract class VendorDouble {
  readonly http: FirmwareServer;
  private heartbeatsOn = true;

  protected constructor(opts: DoubleOptions) {
    this.http = new FirmwareServer(opts, (req, res, url) => this.route(req, res, url));
  }

  get port(): number {
    return this.http.port;
  }

  stopHeartbeats(): void {
    this.heartbeatsOn = false;
  }

  resumeHeartbeats(): void {
    this.heartbeatsOn = true;
  }

  writeRaw(data: string | Buffer): number {
    return this.http.writeAll(data);
  }

  drop(): void {
    this.http.dropStreams();
  }

  async listen(): Promise<this> {
    await this.http.listen();
    return this;
  }

  async close(): Promise<void> {
    this.clearTimers();
    await this.http.close();
  }

  /** Answers one authenticated request; returns the HTTP status it sent. */
  protected abstract route(req: IncomingMessage, res: ServerResponse, url: URL): number;

  /** Clears the brand's own timers (detector repeats, doorbell follow-ups) before the server closes. */
  protected abstract clearTimers(): void;

  /** Writes `part()` on the stream every `ms` while heartbeats are on; the timer goes with the stream. */
  protected heartbeatEvery(stream: OpenStream, ms: number, part: () => string): void {
    stream.timers.push(
      setInterval(() => {
        if (this.heartbeatsOn && !stream.socket.destroyed) stream.socket.write(part());
      }, ms),
    );
  }
}
