import { describe, expect, it } from 'vitest';
import { boundaryFromContentType, MultipartOverflowError, MultipartParser, type MultipartEvent, type MultipartOptions } from '../../../../src/cameras/vendor/multipart.js';

const HIK_VMD =
  '<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\r\n<ipAddress>192.0.2.16</ipAddress>\r\n<channelID>1</channelID>\r\n' +
  '<dateTime>2017-12-11T22:21:47+00:00</dateTime>\r\n<activePostCount>1</activePostCount>\r\n<eventType>VMD</eventType>\r\n<eventState>active</eventState>\r\n' +
  '<eventDescription>Motion alarm</eventDescription>\r\n</EventNotificationAlert>\r\n';

function hikPart(xml: string, boundary = 'boundary'): string {
  return `--${boundary}\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`;
}

function dahuaPart(text: string): string {
  // As documented in the Amcrest HTTP API SDK: the body, then a blank line, per part.
  return `--myboundary\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}\r\n\r\n`;
}

function feed(opts: MultipartOptions, input: string | Buffer, chunkSize?: number): MultipartEvent[] {
  const parser = new MultipartParser(opts);
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const events: MultipartEvent[] = [];
  const size = chunkSize ?? bytes.length;
  for (let i = 0; i < bytes.length; i += size) events.push(...parser.push(bytes.subarray(i, i + size)));
  return events;
}

const bodies = (events: MultipartEvent[]): string[] => events.flatMap((e) => (e.type === 'part' ? [e.body.toString('latin1')] : []));

describe('boundaryFromContentType', () => {
  it.each([
    ['multipart/mixed; boundary=boundary', 'boundary'],
    ['multipart/mixed;boundary=myboundary', 'myboundary'],
    ['multipart/x-mixed-replace; boundary="hik boundary"', 'hik boundary'],
    ['Multipart/Mixed; charset=utf-8; BOUNDARY=hikboundary', 'hikboundary'],
    ['application/xml', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, expected) => {
    expect(boundaryFromContentType(header)).toBe(expected);
  });
});

describe('MultipartParser', () => {
  const dahuaStream = [dahuaPart('Heartbeat'), dahuaPart('Code=VideoMotion;action=Start;index=0'), dahuaPart('Code=VideoMotion;action=Stop;index=0')].join('');

  it('emits each part as soon as its Content-Length is in, without waiting for the next boundary', () => {
    const parser = new MultipartParser({ boundary: 'myboundary' });
    const first = parser.push(Buffer.from(dahuaPart('Code=VideoMotion;action=Start;index=0')));
    expect(bodies(first)).toEqual(['Code=VideoMotion;action=Start;index=0']);
    const second = parser.push(Buffer.from(hikPart('x').replace('--boundary', '--myboundary')));
    expect(bodies(second)).toEqual(['x']);
  });

  it.each([1, 2, 3, 7, 64, 100_000])('gives the same parts whatever the chunking (chunks of %i bytes)', (size) => {
    expect(bodies(feed({ boundary: 'myboundary' }, dahuaStream, size))).toEqual(['Heartbeat', 'Code=VideoMotion;action=Start;index=0', 'Code=VideoMotion;action=Stop;index=0']);
    const hik = hikPart(HIK_VMD) + '\r\n' + hikPart(HIK_VMD.replace('active', 'inactive'));
    expect(bodies(feed({ boundary: 'boundary' }, hik, size))).toEqual([HIK_VMD, HIK_VMD.replace('active', 'inactive')]);
  });

  it('reads multi-line data payloads of newer Dahua firmware (LF line ends, Content-Length without a space)', () => {
    const data = 'Code=VideoMotion;action=Start;index=0;data={\n   "Id" : [ 0 ],\n   "RegionName" : [ "Region1" ],\n   "SmartMotionEnable" : true\n}\n';
    expect(Buffer.byteLength(data)).toBe(127); // the length a real camera declared for this body (rroller/dahua#166)
    const stream = `--myboundary\nContent-Type: text/plain\nContent-Length:9\n\nHeartbeat\n--myboundary\nContent-Type: text/plain\nContent-Length:127\n\n${data}\n\n--myboundary\n`;
    expect(bodies(feed({ boundary: 'myboundary' }, stream, 5))).toEqual(['Heartbeat', data]);
  });

  it('ends a part at the next boundary when Content-Length is missing or too large', () => {
    const noLength = '--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b\r\nContent-Length: 500\r\n\r\nsecond\r\n--b\r\nContent-Length: 5\r\n\r\nthird';
    expect(bodies(feed({ boundary: 'b' }, noLength, 3))).toEqual(['first', 'second', 'third']);
  });

  it('adopts the boundary the body really uses when the header declares another (Hikvision NVRs)', () => {
    const events = feed({ boundary: 'myboundary' }, hikPart(HIK_VMD), 9);
    expect(events[0]).toEqual({ type: 'boundary', declared: 'myboundary', found: 'boundary' });
    expect(bodies(events)).toEqual([HIK_VMD]);
  });

  it('ignores a preamble (an HTTP status line echoed into the body, blank lines)', () => {
    const stream = `HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=myboundary\r\n\r\n${dahuaPart('Heartbeat')}`;
    expect(bodies(feed({ boundary: 'myboundary' }, stream, 4))).toEqual(['Heartbeat']);
  });

  it('accepts a delimiter glued to the end of the previous body and extra blank lines between parts', () => {
    const stream = `--b\r\nContent-Length: 3\r\n\r\nabc--b\r\nContent-Length: 3\r\n\r\ndef\r\n\r\n\r\n\r\n--b\r\nContent-Length: 3\r\n\r\nghi`;
    expect(bodies(feed({ boundary: 'b' }, stream, 2))).toEqual(['abc', 'def', 'ghi']);
  });

  it('skips an oversize part without buffering it and continues with the next', () => {
    const big = 'A'.repeat(200_000);
    const stream = `--b\r\nContent-Length: ${big.length}\r\n\r\n${big}\r\n--b\r\nContent-Length: 2\r\n\r\nok` + `\r\n--b\r\nContent-Type: text/plain\r\n\r\n${big}\r\n--b\r\nContent-Length: 3\r\n\r\nok2`;
    const parser = new MultipartParser({ boundary: 'b', maxPartBytes: 1024 });
    const events: MultipartEvent[] = [];
    let peak = 0;
    const bytes = Buffer.from(stream);
    for (let i = 0; i < bytes.length; i += 4096) {
      events.push(...parser.push(bytes.subarray(i, i + 4096)));
      peak = Math.max(peak, parser.buffered);
    }
    expect(bodies(events)).toEqual(['ok', 'ok2']);
    expect(events.filter((e) => e.type === 'skipped').map((e) => e.type === 'skipped' && e.reason)).toEqual(['oversize', 'oversize']);
    expect(peak).toBeLessThan(1024 + 4096 + 64);
  });

  it('skips unwanted parts (JPEG snapshots) unread', () => {
    const jpeg = Buffer.concat([Buffer.from('--boundary\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n'), Buffer.alloc(5000, 0xff), Buffer.from('\r\n' + hikPart(HIK_VMD))]);
    const events = feed({ boundary: 'boundary', wanted: (h) => !h['content-type']?.startsWith('image/') }, jpeg, 333);
    expect(events.map((e) => e.type)).toEqual(['skipped', 'part']);
    expect(events[0]).toMatchObject({ reason: 'unwanted', contentType: 'image/jpeg' });
  });

  it('skips a part whose headers are garbage, or too long, and resynchronises on the next boundary', () => {
    const stream = `--b\r\nthis is not a header\r\n\r\nbody\r\n--b\r\nX-Long: ${'x'.repeat(10_000)}\r\n\r\nbody\r\n--b\r\nContent-Length: 2\r\n\r\nok`;
    const events = feed({ boundary: 'b', maxHeaderBytes: 1024 }, stream, 100);
    expect(events.map((e) => (e.type === 'skipped' ? e.reason : e.type))).toEqual(['bad-headers', 'bad-headers', 'part']);
    expect(bodies(events)).toEqual(['ok']);
  });

  it('throws MultipartOverflowError when no boundary comes within maxSkipBytes, holding little memory', () => {
    const parser = new MultipartParser({ boundary: 'b', maxSkipBytes: 64 * 1024 });
    parser.push(Buffer.from('--b\r\nContent-Length: 2\r\n\r\nok'));
    const junk = Buffer.alloc(8192, 0x41);
    let thrown: unknown;
    let pushed = 0;
    try {
      for (; pushed < 100; pushed++) parser.push(junk);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(MultipartOverflowError);
    expect(pushed).toBeLessThanOrEqual(9);
    expect(parser.buffered).toBeLessThan(8192 + 64);
  });

  it('also overflows when the first boundary never comes (not a multipart stream at all)', () => {
    const parser = new MultipartParser({ boundary: 'b', maxSkipBytes: 10_000 });
    expect(() => {
      for (let i = 0; i < 100; i++) parser.push(Buffer.from('<?xml version="1.0"?><x>'.repeat(20) + '\n'));
    }).toThrow(MultipartOverflowError);
  });

  it('stops at the closing delimiter', () => {
    const parser = new MultipartParser({ boundary: 'b' });
    const events = parser.push(Buffer.from('--b\r\nContent-Length: 1\r\n\r\nx\r\n--b--\r\n--b\r\nContent-Length: 1\r\n\r\ny'));
    expect(bodies(events)).toEqual(['x']);
    expect(parser.ended).toBe(true);
  });

  it('does not take "--boundary" inside a line, or a longer token, for a delimiter', () => {
    const stream = '--b\r\n\r\nvalue --b not a delimiter\r\n--bb\r\nstill body\r\n--b\r\nContent-Length: 2\r\n\r\nok';
    expect(bodies(feed({ boundary: 'b' }, stream, 3))).toEqual(['value --b not a delimiter\r\n--bb\r\nstill body', 'ok']);
  });

  it('is linear: a 400 KB stream of tiny parts fed one byte at a time parses in bounded work', () => {
    const part = dahuaPart('Heartbeat');
    const stream = Buffer.from(part.repeat(Math.ceil(400_000 / part.length)));
    const parser = new MultipartParser({ boundary: 'myboundary' });
    let count = 0;
    for (let i = 0; i < stream.length; i++) count += parser.push(stream.subarray(i, i + 1)).length;
    expect(count).toBe(Math.ceil(400_000 / part.length));
  });
});

describe('MultipartParser after a part skipped by its Content-Length', () => {
  it('finds a delimiter glued to the skipped bytes', () => {
    const stream = `--b\r\nContent-Length: 5000\r\n\r\n${'C'.repeat(5000)}--b\r\nContent-Length: 2\r\n\r\nok`;
    expect(bodies(feed({ boundary: 'b', maxPartBytes: 1000 }, stream, 777))).toEqual(['ok']);
  });
});
