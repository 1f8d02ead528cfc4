import { defineConfig } from 'vitest/config';

// Integration tests start real ffmpeg, mosquitto, RTSP servers and Chromium; on a
// 2-core machine running many of them at once makes timing-sensitive media tests flaky.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default'],
  },
});
