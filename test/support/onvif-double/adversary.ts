// Hostile answers of the fake ONVIF device (issue 16's adversarial camera): bodies that must be
// cut off, refused or survived without the client's memory or time growing with them.
import type http from 'node:http';
import { envelope, fault } from './templates.js';

export type Hostile =
  /** 300 MB sent chunked (no Content-Length), as fast as the client reads. */
  | 'chunked-300mb'
  /** A plausible answer trickled at 1 byte per second. */
  | 'trickle'
  /** The start of an answer, then silence with the connection open. */
  | 'stall'
  /** A 307 redirect to another host (following it would re-send the WS-Security token there). */
  | 'redirect'
  /** ~4 MB (decimal, just under the 4 MiB cap) of nested elements inside a valid envelope. */
  | 'nested-4mb'
  /** 200,000 sibling elements inside a valid envelope. */
  | 'siblings-200k'
  /** A Fault without Code or Reason. */
  | 'fault-empty'
  /** A Fault whose Reason is 3 MB of text. */
  | 'fault-huge-reason'
  /** A Fault whose Reason and subcode carry control and bidi characters. */
  | 'fault-control-chars'
  /** A Fault cut off in the middle. */
  | 'fault-truncated';

const CHUNK = Buffer.alloc(64 * 1024, '<x>0123456789abcdef</x>');
const MB = 1024 * 1024;

export interface HostileStats {
  /** Bytes written by the last hostile answer before the client went away or it ended. */
  lastBytes: number;
}

let nested: string | undefined;
let siblings: string | undefined;

function nestedBody(): string {
  if (nested === undefined) {
    const head = envelope('<trt:GetProfilesResponse>@</trt:GetProfilesResponse>');
    const n = Math.floor((4_000_000 - head.length) / 7);
    nested = head.replace('@', '<a>'.repeat(n) + '</a>'.repeat(n));
  }
  return nested;
}

function siblingsBody(): string {
  siblings ??= envelope(`<trt:GetProfilesResponse>${'<a/>'.repeat(200_000)}</trt:GetProfilesResponse>`);
  return siblings;
}

/** Build the large fixed bodies now, so a test measuring memory does not count the double's own strings. */
export function prepareHostileBodies(): void {
  nestedBody();
  siblingsBody();
}

function fixed(res: http.ServerResponse, stats: HostileStats, status: number, body: string): void {
  stats.lastBytes = Buffer.byteLength(body);
  res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': String(stats.lastBytes) });
  res.end(body);
}

const gone = (res: http.ServerResponse): boolean => res.destroyed || res.writableEnded;

async function chunked(res: http.ServerResponse, stats: HostileStats): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
  stats.lastBytes = 0;
  while (stats.lastBytes < 300 * MB && !gone(res)) {
    const more = res.write(CHUNK);
    stats.lastBytes += CHUNK.length;
    if (!more) await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
  if (!gone(res)) res.end();
}

function trickle(res: http.ServerResponse, stats: HostileStats): void {
  const text = envelope('<trt:GetProfilesResponse><trt:Profiles token="slow"><tt:Name>slow</tt:Name></trt:Profiles></trt:GetProfilesResponse>');
  res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
  stats.lastBytes = 0;
  const timer = setInterval(() => {
    if (gone(res) || stats.lastBytes >= text.length) {
      clearInterval(timer);
      if (!gone(res)) res.end();
      return;
    }
    res.write(text[stats.lastBytes]);
    stats.lastBytes += 1;
  }, 1_000);
  res.on('close', () => clearInterval(timer));
}

export async function sendHostile(res: http.ServerResponse, kind: Hostile, stats: HostileStats): Promise<void> {
  switch (kind) {
    case 'chunked-300mb':
      return chunked(res, stats);
    case 'trickle':
      return trickle(res, stats);
    case 'stall':
      stats.lastBytes = 100;
      res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
      res.write(envelope('').slice(0, 100));
      return;
    case 'redirect':
      stats.lastBytes = 0;
      res.writeHead(307, { Location: 'http://[::1]:9/onvif/media_service' });
      res.end();
      return;
    case 'nested-4mb':
      return fixed(res, stats, 200, nestedBody());
    case 'siblings-200k':
      return fixed(res, stats, 200, siblingsBody());
    case 'fault-empty':
      return fixed(res, stats, 500, envelope('<SOAP-ENV:Fault></SOAP-ENV:Fault>'));
    case 'fault-huge-reason':
      return fixed(res, stats, 500, fault('ter:Action', 'x'.repeat(3 * MB)));
    case 'fault-control-chars':
      return fixed(res, stats, 500, fault('ter:\u202eAction\u0007', 'evil\u202e\u0000reason\u001b[31m red'));
    case 'fault-truncated':
      return fixed(res, stats, 500, fault('ter:Action', 'cut here').slice(0, 200));
  }
}
