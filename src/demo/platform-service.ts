import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Service } from '../core/service.js';
import type { DevPlatform } from './dev-platform/server.js';

export interface DemoPlatformDeps {
  log: Logger;
  clock: Clock;
  dataDir: string;
  /** Filled in on start with the URL and token of the in-process dev platform. */
  target: { url: string; token: string };
}

/**
 * The demo (no config file) runs the dev community platform in-process on a free loopback
 * port with a random token, so approving a clip in the demo really uploads it end to end.
 * Loaded lazily: a production daemon never imports the dev platform.
 */
export class DemoPlatformService implements Service {
  readonly name = 'demo-platform';
  private platform: DevPlatform | undefined;

  constructor(private readonly deps: DemoPlatformDeps) {}

  async start(): Promise<void> {
    const { startDevPlatform } = await import('./dev-platform/server.js');
    const dir = path.join(this.deps.dataDir, 'dev-platform');
    mkdirSync(dir, { recursive: true });
    const requestsFile = path.join(dir, 'requests.json');
    if (!existsSync(requestsFile)) writeFileSync(requestsFile, JSON.stringify(this.sampleRequests(), null, 2));
    const token = randomBytes(24).toString('hex');
    this.platform = await startDevPlatform({ port: 0, token, dir, requestsFile });
    this.deps.target.url = this.platform.url;
    this.deps.target.token = token;
    this.deps.log.warn(
      { url: this.platform.url, page: this.platform.url.replace(/\/api$/, '/') },
      'DEMO: local dev community platform started; approved clips are uploaded to it, nothing leaves this machine',
    );
  }

  async stop(): Promise<void> {
    await this.platform?.stop();
    this.platform = undefined;
  }

  /** One open request covering the demo's first day, so the requests view has something to match. */
  private sampleRequests(): unknown {
    const now = this.deps.clock.now();
    return {
      requests: [
        {
          id: 'demo-request-1',
          agency: 'Demo Police Department',
          caseNumber: 'DEMO-0001',
          title: 'Package theft on Example Street (demo)',
          description: 'A sample request for assistance from the demo platform. Approving a matching clip shares it; ignoring it sends nothing.',
          startsAt: new Date(now - 60 * 60_000).toISOString(),
          endsAt: new Date(now + 24 * 60 * 60_000).toISOString(),
          area: null,
        },
      ],
    };
  }
}
