// Daemon-side motion detection on the real sub stream: fires on the moving test picture and
// stays quiet on a still one.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { MotionDetector } from '../../../src/recorder/detector.js';
import { isPidAlive, startRtspCamera, stopAll, type RtspCamera } from '../../support/index.js';
import { sleep, waitUntil } from '../../support/wait.js';

const RULES = { threshold: 0.02, minSeconds: 0.5, cooldownSeconds: 2 };

function detector(url: string, onMotion: (active: boolean) => void, scores: number[]): MotionDetector {
  return new MotionDetector({
    cameraId: 'cam',
    log: pino({ level: 'silent' }),
    clock: systemClock,
    url: async () => url,
    fps: 5,
    rules: RULES,
    zones: [],
    onMotion,
    onScore: (s) => void scores.push(s),
  });
}

describe('motion detection (ffmpeg decoding the sub stream)', () => {
  let cam: RtspCamera | undefined;
  let det: MotionDetector | undefined;

  afterEach(async () => {
    await det?.stop();
    await cam?.stop();
    await stopAll();
  });

  it('fires on the moving test stream', async () => {
    cam = await startRtspCamera({ width: 640, height: 360, bitrateKbps: 500, audio: false });
    const changes: boolean[] = [];
    const scores: number[] = [];
    det = detector(cam.subUrl, (a) => changes.push(a), scores);
    det.start();
    await waitUntil('motion', () => changes.includes(true), 40_000);
    expect(Math.max(...scores)).toBeGreaterThan(RULES.threshold);
    const pid = det.pid;
    await det.stop();
    // Stopping ends the motion it reported and the ffmpeg child.
    expect(changes.at(-1)).toBe(false);
    expect(pid !== undefined && isPidAlive(pid)).toBe(false);
  });

  it('stays quiet on a static stream', async () => {
    cam = await startRtspCamera({ width: 640, height: 360, bitrateKbps: 500, audio: false, static: true });
    const changes: boolean[] = [];
    const scores: number[] = [];
    det = detector(cam.subUrl, (a) => changes.push(a), scores);
    det.start();
    // Frames must really be analysed for silence to mean anything.
    await waitUntil('frames analysed', () => scores.length >= 25, 40_000);
    await sleep(2_000);
    expect(changes).toEqual([]);
    expect(Math.max(...scores)).toBeLessThan(RULES.threshold);
  });
});
