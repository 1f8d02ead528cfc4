import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema, type Config } from './schema.js';

/**
 * The built-in config `clipgate start` uses when no config file exists: one simulated camera,
 * the local dev platform (its URL is filled in once it listens), data in ./data-demo.
 */
export function demoConfig(cwd: string): Config {
  const shm = '/dev/shm';
  const cacheRoot = existsSync(shm) ? shm : os.tmpdir();
  return configSchema.parse({
    dataDir: path.join(cwd, 'data-demo'),
    cacheDir: path.join(cacheRoot, 'clipgate-demo'),
    web: { host: '127.0.0.1', port: 8080 },
    cameras: [
      {
        id: 'demo-cam',
        name: 'Demo camera (simulated)',
        kind: 'doorbell',
        simulated: { motionEverySeconds: 30, width: 640, height: 360, fps: 10 },
        record: { preSeconds: 4, postSeconds: 6, maxSeconds: 60, audio: true },
        privacyMasks: [{ x: 0.75, y: 0, width: 0.25, height: 0.3 }],
      },
    ],
    retention: { pendingDays: 2, rejectedDays: 0, sharedDays: 2, maxDiskGb: 2 },
  });
}
