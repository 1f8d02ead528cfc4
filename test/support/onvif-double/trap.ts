// A credential trap: a listener on another host (in tests: ::1 while the camera is 127.0.0.1) that
// answers every RTSP or HTTP request with 401 and a Basic challenge, so that any client willing
// to send credentials there does, and records every request head it receives.
import net from 'node:net';

export interface CredentialTrap {
  readonly host: string;
  readonly port: number;
  /** Request heads received (start line + headers), in order. */
  readonly requests: string[];
  connections(): number;
  /** Everything received that carried an Authorization header, a WS-Security token or the secret. */
  credentialsSeen(secret: string): string[];
  /** Forget what was recorded so far. */
  reset(): void;
  stop(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

export async function startCredentialTrap(port = 0, host = '::1'): Promise<CredentialTrap> {
  const requests: string[] = [];
  /** All bytes per connection (capped), bodies included: a SOAP body carries the WS-Security token. */
  const raw: string[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let generation = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    const slot = raw.push('') - 1;
    const born = generation;
    socket.on('data', (chunk: Buffer) => {
      if (born !== generation) return;
      buffered += chunk.toString('latin1');
      raw[slot] = ((raw[slot] ?? '') + chunk.toString('latin1')).slice(0, MAX_HEAD);
      if (buffered.length > MAX_HEAD) return void socket.destroy();
      let end = buffered.indexOf('\r\n\r\n');
      while (end >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        requests.push(head);
        const rtsp = / RTSP\/1\.0$/m.test(head.split('\r\n')[0] ?? '');
        const cseq = /^CSeq:\s*(\d+)/im.exec(head)?.[1] ?? '1';
        socket.write(
          rtsp
            ? `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Basic realm="trap"\r\n\r\n`
            : 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="trap"\r\nContent-Length: 0\r\n\r\n',
        );
        end = buffered.indexOf('\r\n\r\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    host,
    port: bound,
    requests,
    connections: () => connections,
    credentialsSeen: (secret) => raw.filter((r) => /^authorization:/im.test(r) || r.includes('UsernameToken') || r.includes(secret) || r.includes(encodeURIComponent(secret))),
    reset() {
      generation += 1;
      requests.length = 0;
      raw.length = 0;
      connections = 0;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
