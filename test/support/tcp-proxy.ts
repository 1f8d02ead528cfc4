// A TCP relay on 127.0.0.1 in front of a test server (the RTSP test camera), that a test can
// "unplug": in `refuse` mode every open relay is cut and every new connection is closed at once,
// as a camera whose RTSP service went away. It counts connections per mode, so a test knows how
// often a client (ffmpeg restarted by the recorder) tried.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'pass' | 'refuse';

export interface TcpProxy {
  port: number;
  readonly mode: ProxyMode;
  /** Connections accepted in each mode since start. */
  readonly counts: Record<ProxyMode, number>;
  setMode(mode: ProxyMode): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const counts: Record<ProxyMode, number> = { pass: 0, refuse: 0 };
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    counts[mode] += 1;
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.once('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    get mode() {
      return mode;
    },
    counts,
    setMode(next) {
      mode = next;
      if (next === 'refuse') for (const s of [...open]) s.destroy();
    },
    async stop() {
      for (const s of [...open]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
