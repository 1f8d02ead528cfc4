import { describe, expect, it } from 'vitest';
import type { Clip, Share } from '../../../src/core/types.js';
import { eventMessage } from '../../../src/mqtt/events.js';

const clip = { id: 'c1', cameraId: 'yard' } as Clip;
const share = { id: 's1', clipId: 'c1' } as Share;
const now = '2026-11-29T12:30:45.123Z';

describe('eventMessage', () => {
  it('maps clip, share, doorbell and request events to {type, ids, at}', () => {
    expect(eventMessage('clip.created', { clip }, now)).toEqual({ type: 'clip.created', clipId: 'c1', cameraId: 'yard', at: now });
    expect(eventMessage('share.uploaded', { share }, now)).toEqual({ type: 'share.uploaded', shareId: 's1', clipId: 'c1', at: now });
    expect(eventMessage('doorbell.pressed', { cameraId: 'door', at: '2026-01-01T00:00:00.000Z' }, now)).toEqual({
      type: 'doorbell.pressed',
      cameraId: 'door',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(eventMessage('clip.deleted', { clipId: 'c1', cameraId: 'yard', reason: 'retention', at: now }, now)).toEqual({
      type: 'clip.deleted',
      clipId: 'c1',
      cameraId: 'yard',
      at: now,
    });
  });

  it('does not leak problem text or request details', () => {
    const m = eventMessage('problem.raised', { problem: { id: 'x', severity: 'error', summary: 'secret host 10.0.0.1', since: now } }, now);
    expect(m).toEqual({ type: 'problem.raised', at: now });
  });

  it('publishes nothing for chatty or internal events', () => {
    expect(eventMessage('share.progress', { shareId: 's1', phase: 'upload', percent: 5 }, now)).toBeUndefined();
    expect(eventMessage('clip.trigger', { cameraId: 'y', trigger: 'manual', at: now, eventId: 'e' }, now)).toBeUndefined();
  });
});
