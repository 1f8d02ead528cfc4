// The platform clients on the bounded HTTP layer (issue 16): a hostile platform's answers to
// GET /requests and to tus requests cost bounded memory and time and end in clear errors; the
// token goes only to the configured origin.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRequests, MAX_REQUESTS } from '../../../src/upload/requests-client.js';
import { patchDeadlineMs, TusClient } from '../../../src/upload/tus-client.js';

const MB = 1024 * 1024;

interface Platform {
  url: string;
  answer: (body: string | Buffer, headers?: Record<string, string>) => void;
  authorizations: string[];
  close(): Promise<void>;
}

async function startPlatform(host = '127.0.0.1'): Promise<Platform> {
  let reply: { body: string | Buffer; headers: Record<string, string> } = { body: '{"requests":[]}', headers: {} };
  const authorizations: string[] = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/api`,
    answer: (body, headers = {}) => void (reply = { body, headers }),
    authorizations,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => platform?.close());

describe('GET /requests, bounded', () => {
  it('reads a valid answer', async () => {
    platform.answer(JSON.stringify({ requests: [{ id: 'r1', startsAt: '2026-11-29T10:00:00Z', endsAt: '2026-11-29T11:00:00Z' }] }));
    await expect(fetchRequests(platform.url, 't')).resolves.toMatchObject({ requests: [{ id: 'r1' }], invalid: 0 });
  });

  it('refuses an answer over 4 MiB (here 5 MiB of one string) with PLATFORM_BAD_RESPONSE', async () => {
    platform.answer(`{"requests":[],"x":"${'y'.repeat(5 * MB)}"}`);
    await expect(fetchRequests(platform.url, 't')).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE', message: expect.stringMatching(/^the community platform's answer to GET \/api\/requests is too large/) as string });
  });

  it('4 MB of nested arrays is read or refused without a crash', async () => {
    const depth = 1_900_000;
    platform.answer(`{"requests":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const err = await fetchRequests(platform.url, 't').then(() => undefined, (e: unknown) => e);
    // JSON.parse reads it (V8's parser is iterative); the shape check refuses it as a list of one bad entry at most.
    if (err !== undefined) expect(err).toMatchObject({ code: 'PLATFORM_BAD_RESPONSE' });
  });

  it(`refuses more than ${MAX_REQUESTS} requests in one answer instead of validating each`, async () => {
    platform.answer(JSON.stringify({ requests: Array.from({ length: MAX_REQUESTS + 1 }, () => 0) }));
    await expect(fetchRequests(platform.url, 't')).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE', message: `GET /requests: ${MAX_REQUESTS + 1} requests in one answer, more than the ${MAX_REQUESTS} clipgate reads` });
  });

  it('names an answer that is not JSON', async () => {
    platform.answer('<html>gateway</html>');
    await expect(fetchRequests(platform.url, 't')).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE', message: 'GET /requests: the answer is not JSON (20 bytes)' });
  });
});

describe('tus client, bounded', () => {
  it('a HEAD answer with a huge body is refused', async () => {
    platform.answer('x'.repeat(MB), { 'upload-offset': '0' });
    const client = new TusClient({ baseUrl: platform.url, token: 't' });
    // HEAD has no body by definition; a DELETE answer does: the limit is 64 KiB.
    await expect(client.terminate(`${platform.url}/uploads/abc`)).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE', message: expect.stringMatching(/too large/) as string });
  });

  it('never sends the token to an upload URL on another origin (a Location the platform gave, or a stored one)', async () => {
    const other = await startPlatform('::1');
    try {
      const client = new TusClient({ baseUrl: platform.url, token: 'secret-token' });
      const foreign = `${other.url}/uploads/abc`;
      await expect(client.head(foreign)).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE', message: expect.stringMatching(/^refusing to send the platform token to http:\/\/\[::1\]:\d+/) as string });
      await expect(client.patch(foreign, 0, Readable.from([Buffer.from('abc')]), 3)).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE' });
      await expect(client.terminate(foreign)).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE' });
      expect(other.authorizations).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('a PATCH deadline allows 8 KiB/s, or half the configured limit when that is lower', () => {
    expect(patchDeadlineMs(4 * MB, 120_000, 0)).toBe(120_000 + 512_000);
    expect(patchDeadlineMs(4 * MB, 120_000, 10_000)).toBe(120_000 + 512_000);
    // 32 kbit/s = 4,000 B/s; half of it is 2,000 B/s.
    expect(patchDeadlineMs(4 * MB, 120_000, 32)).toBe(120_000 + Math.ceil((4 * MB / 2_000) * 1000));
  });
});
