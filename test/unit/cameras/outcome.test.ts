import { describe, expect, it } from 'vitest';
import { streamOutcome } from '../../../src/cameras/outcome.js';

// The lines are ffmpeg 5.1's own, as it prints them for the GStreamer test camera (401 with wrong
// credentials, 404 for an unknown mount, a closed port) and for a camera that stops sending.
describe('streamOutcome', () => {
  it.each([
    ['rtsp://u:***@127.0.0.1:8554/main: Server returned 401 Unauthorized (authorization failed)', 'unauthorized'],
    ['[rtsp @ 0x5646] method DESCRIBE failed: 401 Unauthorized', 'unauthorized'],
    ['rtsp://127.0.0.1:8554/main: Server returned 403 Forbidden (access denied)', 'unauthorized'],
    ['rtsp://u:***@127.0.0.1:8554/nope: Server returned 404 Not Found', 'not-found'],
    ['[rtsp @ 0x55c2] method DESCRIBE failed: 404 Not Found', 'not-found'],
    ['rtsp://u:***@127.0.0.1:8555/main: Connection refused', 'failed'],
    ['no video for 20 s', 'failed'],
    ['exited with code 1', 'failed'],
    ['rtsp://10.0.0.4:554/Streaming/Channels/101: Connection timed out on port 4040', 'failed'],
  ] as const)('%s → %s', (reason, outcome) => {
    expect(streamOutcome({ reason, spawned: true })).toBe(outcome);
  });

  it('says nothing about the streams when no run started (resolving them failed)', () => {
    expect(streamOutcome({ reason: 'camera refused the ONVIF credentials for user "admin" (401)', spawned: false })).toBeUndefined();
  });
});
