import { describe, expect, it } from 'vitest';
import { parseProbe } from '../../../src/media/probe.js';

describe('parseProbe', () => {
  it('reads duration, size, frame rate and codecs', () => {
    const json = JSON.stringify({
      streams: [{ codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '0/0', r_frame_rate: '25/1' }, { codec_type: 'audio', codec_name: 'aac' }],
      format: { duration: '12.345', start_time: '0.100', format_name: 'mov,mp4,m4a,3gp,3g2,mj2' },
    });
    expect(parseProbe(json)).toEqual({ durationMs: 12345, width: 1920, height: 1080, fps: 25, videoCodec: 'h264', audioCodec: 'aac', startSeconds: 0.1, format: 'mov,mp4,m4a,3gp,3g2,mj2' });
  });

  it.each([
    ['not json', 'unreadable'],
    [JSON.stringify({ streams: [{ codec_type: 'audio' }], format: { duration: '3' } }), 'no video stream'],
    [JSON.stringify({ streams: [{ codec_type: 'video', width: 2, height: 2 }], format: {} }), 'no duration'],
  ])('rejects %s', (json, msg) => expect(() => parseProbe(json)).toThrow(expect.objectContaining({ code: 'MEDIA_FAILED', message: expect.stringContaining(msg) as string })));
});
