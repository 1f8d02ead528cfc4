import { describe, expect, it } from 'vitest';
import { playlistKind } from '../../../src/inbox/sniff.js';
import { Slots } from '../../../src/inbox/slots.js';

describe('playlistKind', () => {
  it.each([
    ['#EXTM3U\n#EXTINF:1.0,\n/etc/secret.ts\n', 'an HLS playlist (#EXTM3U)'],
    ['\ufeff\n  #EXTM3U\n', 'an HLS playlist (#EXTM3U)'],
    ['#EXT-X-VERSION:3\n#EXTINF:2,\nseg.ts\n', 'an HLS playlist (#EXT tags)'],
    ['ffconcat version 1.0\nfile /etc/secret.ts\n', 'an ffconcat list'],
    ["# a list\nfile '/etc/secret.ts'\nfile b.ts\n", 'a concat list (file lines)'],
    ['<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011">', 'a DASH manifest (<MPD>)'],
    ['<smil><body><video src="/etc/x.mp4"/></body></smil>', 'a SMIL playlist'],
  ])('recognises %j', (text, kind) => expect(playlistKind(Buffer.from(text))).toBe(kind));

  it.each([
    ['plain text', 'this is not a video\n'],
    ['empty', ''],
    // A binary header with the same words later on is a video, not a playlist.
    ['binary with NULs', '\u0000\u0000\u0000\u0020ftypisom\u0000\nfile x\n#EXTM3U'],
  ])('leaves %s alone', (_what, text) => expect(playlistKind(Buffer.from(text, 'latin1'))).toBeUndefined());
});

describe('Slots', () => {
  it('grants at most `size` at once, in arrival order, and a release is idempotent', async () => {
    const slots = new Slots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((r) => (order.push('c'), r));
    const d = slots.acquire().then((r) => (order.push('d'), r));
    await Promise.resolve();
    expect(order).toEqual([]);
    a();
    a();
    const releaseC = await c;
    expect(order).toEqual(['c']);
    b();
    await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
  });

  it('a waiter whose signal aborts leaves the queue', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire();
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    held();
    // The slot went back to the pool, not to the aborted waiter.
    const next = await slots.acquire();
    next();
  });
});
