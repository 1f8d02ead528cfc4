import { describe, expect, it } from 'vitest';
import { uiLink } from '../../../src/core/links.js';
import type { Clip, Share } from '../../../src/core/types.js';
import { eventMessage, type EventLinks } from '../../../src/mqtt/events.js';

const clip = { id: 'c1', cameraId: 'yard', labels: { person: 0.91 } } as Clip;
const share = { id: 's1', clipId: 'c1' } as Share;
const now = '2026-11-29T12:30:45.123Z';
const noUrl: EventLinks = { clipUrl: () => undefined, snapshotTopic: (id) => `clipgate/${id}/snapshot` };
const withUrl: EventLinks = { ...noUrl, clipUrl: (id) => uiLink('http://pi.lan:8080', 'clips', id) };

describe('eventMessage', () => {
  it('maps clip, share, doorbell and request events to {type, ids, at}', () => {
    expect(eventMessage('clip.created', { clip }, now, noUrl)).toEqual({
      type: 'clip.created', clipId: 'c1', cameraId: 'yard', snapshotTopic: 'clipgate/yard/snapshot', labels: { person: 0.91 }, at: now,
    });
    expect(eventMessage('clip.analysed', { clip, labels: { person: 0.91, vehicle: 0.6 }, tracks: 2, at: '2026-11-29T12:31:00.000Z' }, now, noUrl)).toEqual({
      type: 'clip.analysed', clipId: 'c1', cameraId: 'yard', labels: { person: 0.91, vehicle: 0.6 }, at: '2026-11-29T12:31:00.000Z',
    });
    expect(eventMessage('share.uploaded', { share }, now, noUrl)).toEqual({ type: 'share.uploaded', shareId: 's1', clipId: 'c1', at: now });
    expect(eventMessage('doorbell.pressed', { cameraId: 'door', at: '2026-01-01T00:00:00.000Z' }, now, noUrl)).toEqual({
      type: 'doorbell.pressed',
      cameraId: 'door',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(eventMessage('clip.deleted', { clipId: 'c1', cameraId: 'yard', reason: 'retention', at: now }, now, noUrl)).toEqual({
      type: 'clip.deleted',
      clipId: 'c1',
      cameraId: 'yard',
      at: now,
    });
  });

  it('links a new clip to its page in the UI when web.publicUrl is set; a deleted clip gets no link', () => {
    expect(eventMessage('clip.created', { clip }, now, withUrl)).toEqual({
      type: 'clip.created',
      clipId: 'c1',
      cameraId: 'yard',
      snapshotTopic: 'clipgate/yard/snapshot',
      labels: { person: 0.91 },
      url: 'http://pi.lan:8080/#/clips/c1',
      at: now,
    });
    expect(eventMessage('share.uploaded', { share }, now, withUrl)?.url).toBe('http://pi.lan:8080/#/clips/c1');
    expect(eventMessage('clip.deleted', { clipId: 'c1', cameraId: 'yard', reason: 'retention', at: now }, now, withUrl)).not.toHaveProperty('url');
  });

  it('does not leak problem text or request details', () => {
    const m = eventMessage('problem.raised', { problem: { id: 'x', severity: 'error', summary: 'secret host 10.0.0.1', since: now } }, now, withUrl);
    expect(m).toEqual({ type: 'problem.raised', at: now });
  });

  it('publishes nothing for chatty or internal events', () => {
    expect(eventMessage('share.progress', { shareId: 's1', phase: 'upload', percent: 5 }, now, noUrl)).toBeUndefined();
    expect(eventMessage('clip.trigger', { cameraId: 'y', trigger: 'manual', at: now, eventId: 'e' }, now, noUrl)).toBeUndefined();
    expect(eventMessage('camera.events', { cameraId: 'y', source: 'onvif', state: 'down', since: now }, now, noUrl)).toBeUndefined();
  });
});
