// Loopback TCP helpers for integration tests (free ports, waiting for a listener).
//
// freePort() has an inherent race (another process may grab the port between our
// close() and the component's bind()); on a single test machine with only
// loopback traffic this is rare enough, and callers retry via waitForPort().
import net from 'node:net';
import { sleep } from './wait.js';

/** Ask the kernel for an unused TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: unexpected server address'));
        return;
      }
      const { port } = addr;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Resolve true if a TCP connect to host:port succeeds within attemptMs. */
export function canConnect(port: number, host = '127.0.0.1', attemptMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean): void => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(attemptMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Poll until something accepts TCP connections on host:port.
 * `isAlive` lets callers abort early when the process they are waiting on has died,
 * instead of burning the whole timeout.
 */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 10_000,
  isAlive?: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect(port, host)) return;
    if (isAlive && !isAlive()) throw new Error(`waitForPort: process exited before ${host}:${port} opened`);
    if (Date.now() >= deadline) throw new Error(`waitForPort: ${host}:${port} not accepting after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Poll until nothing accepts on host:port (e.g. after stopping a server). */
export async function waitForPortClosed(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await canConnect(port, host, 200)) {
    if (Date.now() >= deadline) throw new Error(`waitForPortClosed: ${host}:${port} still accepting`);
    await sleep(50);
  }
}
