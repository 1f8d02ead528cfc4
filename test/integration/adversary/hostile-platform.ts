// A hostile community platform on 127.0.0.1 for the adversary suite: GET {url}/requests answers
// honestly, with 300 MB sent chunked as fast as the client reads, or with a plausible answer
// trickled at one byte per second. Everything else is 404 (no upload happens in these tests).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type PlatformMode = 'ok' | 'chunked-300mb' | 'trickle';

export interface HostilePlatform {
  /** Base URL for `platform.url`. */
  readonly url: string;
  mode: PlatformMode;
  /** GET /requests received per mode. */
  polls(mode: PlatformMode): number;
  /** Bytes of the last hostile answer written before the client went away. */
  readonly lastBytes: number;
  stop(): Promise<void>;
}

const MB = 1024 * 1024;
const CHUNK = Buffer.from(`{"requests":[${'{"id":"x","startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T01:00:00Z"},'.repeat(800)}`.slice(0, 64 * 1024));
const gone = (res: http.ServerResponse): boolean => res.destroyed || res.writableEnded;

export async function startHostilePlatform(token: string): Promise<HostilePlatform> {
  const counts = new Map<PlatformMode, number>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { mode: 'ok' as PlatformMode, lastBytes: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.method !== 'GET' || req.url !== '/api/requests') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end();
      return;
    }
    const mode = state.mode;
    counts.set(mode, (counts.get(mode) ?? 0) + 1);
    state.lastBytes = 0;
    if (mode === 'ok') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"requests":[]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (mode === 'chunked-300mb') {
      const pump = (): void => {
        while (!gone(res) && state.lastBytes < 300 * MB) {
          state.lastBytes += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        if (!gone(res)) res.end();
      };
      pump();
      return;
    }
    // Longer than any deadline at one byte a second: only a total deadline ends it.
    const text = `{"requests":[${' '.repeat(200)}]}`;
    const timer = setInterval(() => {
      if (gone(res) || state.lastBytes >= text.length) {
        clearInterval(timer);
        timers.delete(timer);
        if (!gone(res)) res.end();
        return;
      }
      res.write(text[state.lastBytes]);
      state.lastBytes += 1;
    }, 1_000);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api`,
    get mode() {
      return state.mode;
    },
    set mode(m: PlatformMode) {
      state.mode = m;
    },
    polls: (m) => counts.get(m) ?? 0,
    get lastBytes() {
      return state.lastBytes;
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
