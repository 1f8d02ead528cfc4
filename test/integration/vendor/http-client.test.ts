// The vendor HTTP client's edges against small real servers on 127.0.0.1.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getText, openGet, type CameraEndpoint } from '../../../src/cameras/vendor/http-client.js';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return (server.address() as AddressInfo).port;
}

const ep = (port: number, password = 'secret-1234'): CameraEndpoint => ({ host: '127.0.0.1', port, https: false, username: 'admin', password });
const opts = (timeoutMs = 3_000, signal = new AbortController().signal): { signal: AbortSignal; timeoutMs: number } => ({ signal, timeoutMs });

describe('vendor HTTP client', () => {
  it('uses Basic only when the camera offers nothing else, and says so once', async () => {
    const seen: (string | undefined)[] = [];
    const port = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from('admin:secret-1234').toString('base64')}`) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"CallStatus":{"status":"idle"}}');
    });
    let warned = 0;
    const text = await getText(ep(port), '/x', { ...opts(), maxBytes: 1024, onBasic: () => void (warned += 1) });
    expect(text).toBe('{"CallStatus":{"status":"idle"}}');
    expect(seen).toEqual([undefined, expect.stringMatching(/^Basic /)]);
    expect(warned).toBe(1);
  });

  it('401 without any challenge, or after answering one, is VENDOR_AUTH_FAILED', async () => {
    const port = await serve((_req, res) => void res.writeHead(401).end());
    await expect(openGet(ep(port), '/x', opts())).rejects.toMatchObject({ code: 'VENDOR_AUTH_FAILED', httpStatus: 401 });
  });

  it('a camera that accepts TCP and never answers fails at the connect deadline', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });
    const port = (server.address() as AddressInfo).port;
    const started = Date.now();
    await expect(openGet(ep(port), '/x', opts(600))).rejects.toThrow(/^camera at 127\.0\.0\.1:\d+ did not answer within 1 s$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('stop during connect rejects with the stop reason at once', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });
    const stop = new AbortController();
    const pending = openGet(ep((server.address() as AddressInfo).port), '/x', opts(10_000, stop.signal));
    setTimeout(() => stop.abort(new Error('stopping')), 100);
    await expect(pending).rejects.toThrow('stopping');
  });

  it('refuses endless redirects and non-HTTP targets; caps document size', async () => {
    const port = await serve((req, res) => {
      if (req.url === '/loop') res.writeHead(302, { Location: '/loop' }).end();
      else if (req.url === '/ftp') res.writeHead(302, { Location: 'ftp://127.0.0.1/x' }).end();
      else res.writeHead(200).end('x'.repeat(5000));
    });
    await expect(openGet(ep(port), '/loop', opts())).rejects.toThrow(/redirected more than 3 times/);
    await expect(openGet(ep(port), '/ftp', opts())).rejects.toThrow(/not followed/);
    await expect(getText(ep(port), '/big', { ...opts(), maxBytes: 1024 })).rejects.toMatchObject({ code: 'VENDOR_BAD_RESPONSE', message: 'camera answer larger than 1024 bytes' });
  });

  it('nothing listening is VENDOR_UNREACHABLE with the cause', async () => {
    const port = await serve(() => undefined);
    await closers.pop()?.();
    await expect(openGet(ep(port), '/x', opts())).rejects.toMatchObject({ code: 'VENDOR_UNREACHABLE' });
    await expect(openGet(ep(port), '/x', opts())).rejects.toThrow(/ECONNREFUSED/);
  });
});
