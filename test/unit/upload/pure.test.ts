import { describe, expect, it } from 'vitest';
import { candidateClips, haversineMeters, homeInArea } from '../../../src/upload/matching.js';
import { decodeMetadata, encodeMetadata } from '../../../src/upload/metadata.js';

describe('encodeMetadata', () => {
  const witness = { ledgerSeq: 7, ledgerHash: 'cd'.repeat(32), ledgerSig: 'S'.repeat(86) + '==', deviceKey: 'K'.repeat(43) + '=' };
  it('encodes exactly the protocol keys (the ledger witness included), base64 values, optional keys only when set', () => {
    const header = encodeMetadata({ filename: 'a.mp4', filetype: 'video/mp4', sha256: 'ab'.repeat(32), recordedAt: '2026-11-29T12:30:45.123Z', durationMs: 15000, ...witness });
    expect(header.split(',').map((p) => p.split(' ')[0])).toEqual(['filename', 'filetype', 'sha256', 'recordedAt', 'durationMs', 'ledgerSeq', 'ledgerHash', 'ledgerSig', 'deviceKey']);
    expect(header).toContain(`filetype ${Buffer.from('video/mp4').toString('base64')}`);
    const withOptional = encodeMetadata({ filename: 'a.mp4', filetype: 'video/mp4', sha256: 'x', recordedAt: 't', durationMs: 1, ...witness, caption: 'Ünïcode, with comma', requestId: 'req-1' });
    expect(decodeMetadata(withOptional)).toEqual({
      filename: 'a.mp4', filetype: 'video/mp4', sha256: 'x', recordedAt: 't', durationMs: '1', ledgerSeq: '7', ledgerHash: witness.ledgerHash,
      ledgerSig: witness.ledgerSig, deviceKey: witness.deviceKey, caption: 'Ünïcode, with comma', requestId: 'req-1',
    });
  });
});

describe('matching', () => {
  it('haversine: one degree of latitude is about 111.2 km', () => {
    expect(haversineMeters({ latitude: 35, longitude: -119 }, { latitude: 36, longitude: -119 })).toBeCloseTo(111_195, -2);
  });
  it('homeInArea: inside, outside, no location, no area', () => {
    const area = { latitude: 35.37, longitude: -119.02, radiusMeters: 500 };
    expect(homeInArea({ area }, { latitude: 35.372, longitude: -119.02 })).toBe(true); // ~222 m
    expect(homeInArea({ area }, { latitude: 35.38, longitude: -119.02 })).toBe(false); // ~1.1 km
    expect(homeInArea({ area }, undefined)).toBe(true);
    expect(homeInArea({ area: null }, { latitude: 0, longitude: 0 })).toBe(true);
  });
  it('candidateClips: overlap (touching counts), rejected excluded', () => {
    const clips = [
      { id: 'before', status: 'pending', startedAt: '2026-01-01T09:00:00.000Z', endedAt: '2026-01-01T09:59:59.999Z' },
      { id: 'touch', status: 'pending', startedAt: '2026-01-01T09:59:00.000Z', endedAt: '2026-01-01T10:00:00.000Z' },
      { id: 'inside', status: 'approved', startedAt: '2026-01-01T10:30:00.000Z', endedAt: '2026-01-01T10:30:15.000Z' },
      { id: 'rejected', status: 'rejected', startedAt: '2026-01-01T10:30:00.000Z', endedAt: '2026-01-01T10:30:15.000Z' },
      { id: 'after', status: 'pending', startedAt: '2026-01-01T11:00:00.001Z', endedAt: '2026-01-01T11:01:00.000Z' },
    ];
    expect(candidateClips({ startsAt: '2026-01-01T10:00:00.000Z', endsAt: '2026-01-01T11:00:00.000Z' }, clips)).toEqual(['touch', 'inside']);
  });
});
