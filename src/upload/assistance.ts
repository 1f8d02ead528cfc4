import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Problems } from '../core/problems.js';
import type { RequestsControl, RequestView } from '../core/ports.js';
import type { Service } from '../core/service.js';
import type { AssistanceRequest } from '../core/types.js';
import type { Repos } from '../db/index.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { candidateClips, homeInArea, type LatLon } from './matching.js';
import { fetchRequests, PlatformAuthError } from './requests-client.js';

export interface AssistanceDeps {
  repos: Repos;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  problems: Problems;
  scheduler: Scheduler;
  /** Read at start(): the demo fills in its dev platform's URL first. */
  platform: { url: string; token: string };
  /** Cron expression for the poll job. */
  pollRequests: string;
  /** The home's location (config `location`); never sent anywhere. */
  home: LatLon | undefined;
}

export const POLL_JOB = 'platform.pollRequests';
const POLL_PROBLEM = 'platform.requests';
const AUTH_PROBLEM = 'platform.auth';

/**
 * Requests for assistance: polled from the platform (at start-up and on the configured cron,
 * never overlapping), stored, and matched on this device against local clips. Matching and
 * declining send nothing back, so the platform never learns which homes have footage.
 */
export class AssistanceService implements Service, RequestsControl {
  readonly name = 'requests';
  private registered = false;

  constructor(private readonly deps: AssistanceDeps) {}

  async start(): Promise<void> {
    if (!this.deps.platform.url) throw new Error('requests: no platform URL');
    if (!this.registered) {
      this.deps.scheduler.add({ name: POLL_JOB, schedule: this.deps.pollRequests, run: async () => {
        await this.poll();
      } });
      this.registered = true;
    }
    // Not awaited: a slow or unreachable platform must not hold up the daemon's start; the
    // scheduler records the outcome and stop() waits for the run.
    void this.deps.scheduler.runNow(POLL_JOB);
  }

  async stop(): Promise<void> {
    // The scheduler owns the timer and waits for a poll in progress when it stops.
  }

  /** One poll: fetch, store, close what the platform dropped, announce what is new. */
  async poll(): Promise<{ received: number; new: number }> {
    const { repos, clock, log, problems, bus, platform } = this.deps;
    let result;
    try {
      result = await fetchRequests(platform.url, platform.token);
    } catch (err) {
      if (err instanceof PlatformAuthError) {
        problems.raise(AUTH_PROBLEM, 'error', 'The community platform refused the token', err.message);
      } else {
        problems.raise(POLL_PROBLEM, 'warning', 'Could not fetch requests for assistance', errorMessage(err));
      }
      throw err;
    }
    problems.clear(POLL_PROBLEM);
    if (result.invalid > 0) log.warn({ invalid: result.invalid }, 'skipped malformed requests from the platform');
    const at = clock.iso();
    const fresh: AssistanceRequest[] = [];
    for (const req of result.requests) if (repos.requests.upsert(req, at)) fresh.push(req);
    repos.requests.closeAllExcept(result.requests.map((r) => r.id), at);
    for (const request of fresh) {
      const candidateClipIds = this.candidates(request);
      log.info({ request: request.id, candidates: candidateClipIds.length }, 'request for assistance received');
      bus.emit('request.received', { request, candidateClipIds });
    }
    return { received: result.requests.length, new: fresh.length };
  }

  list(): RequestView[] {
    return this.deps.repos.requests.listOpen().map((r) => {
      const request: AssistanceRequest = {
        id: r.id, agency: r.agency, caseNumber: r.caseNumber, title: r.title,
        description: r.description, startsAt: r.startsAt, endsAt: r.endsAt, area: r.area,
      };
      return { ...request, candidateClipIds: this.candidates(request) };
    });
  }

  openCount(): number {
    return this.deps.repos.requests.countOpen();
  }

  /** Computed on demand, so clips recorded or rejected after the request arrived count correctly. */
  private candidates(request: AssistanceRequest): string[] {
    if (!homeInArea(request, this.deps.home)) return [];
    return candidateClips(request, this.deps.repos.clips.overlapping(request.startsAt, request.endsAt));
  }
}
