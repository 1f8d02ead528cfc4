import { randomUUID } from 'node:crypto';
import type { CameraConfig } from '../config/schema.js';
import { cameraName, eventSource } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { reportIfDiskFull } from '../core/disk-full.js';
import { AppError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { CameraControl, CameraView } from '../core/ports.js';
import type { Problems } from '../core/problems.js';
import type { Service } from '../core/service.js';
import type { CameraDevice, CameraEvents, CameraStatus, ClipTrigger } from '../core/types.js';
import type { CamerasRepo } from '../db/repos/cameras.js';
import type { RestartPolicy } from '../media/supervisor.js';
import type { SegmentSource } from '../clips/assembler.js';
import type { SegmentRing } from '../recorder/ring.js';
import { RtspResolver } from './rtsp.js';
import { CameraRuntime } from './runtime.js';
import type { EventSourceStatus, StreamOutcome, StreamResolver } from './types.js';

export interface CameraRegistryDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  problems: Problems;
  cameras: CamerasRepo;
  config: readonly CameraConfig[];
  cacheDir: string;
  /** Resolvers for camera kinds implemented elsewhere (the ONVIF module plugs in here). */
  resolvers?: { onvif?: StreamResolver };
  backoff?: RestartPolicy;
  segmentSeconds?: number;
}

interface Entry {
  cam: CameraConfig;
  status: CameraStatus;
  lastError?: string;
  privacy: boolean;
  runtime?: CameraRuntime;
  /** Its event source (undefined with `events: none`). */
  events?: CameraEvents;
  device?: CameraDevice;
  /** Why daemon-side detection runs although the config does not ask for it (the ONVIF fallback). */
  detectOverride?: string;
}

const OWNER = 'cameras';

/**
 * Every configured camera: starts its recording runtime, keeps status and privacy (persisted in
 * the database, announced on the bus), and is the CameraControl the web API, MQTT and CLI use.
 * One camera failing never holds up another: each runtime retries on its own backoff.
 */
export class CameraRegistry implements Service, CameraControl, SegmentSource {
  readonly name = 'cameras';
  private readonly entries = new Map<string, Entry>();
  private readonly rtsp: RtspResolver;
  private readonly resolvers: { onvif?: StreamResolver };

  constructor(private readonly deps: CameraRegistryDeps) {
    this.rtsp = new RtspResolver(deps.config);
    this.resolvers = { ...deps.resolvers };
    const at = deps.clock.iso();
    for (const cam of deps.config) {
      const source = eventSource(cam);
      const entry: Entry = { cam, status: 'offline', privacy: false };
      if (source !== 'none') entry.events = { source, state: 'starting', since: at };
      this.entries.set(cam.id, entry);
    }
  }

  async start(): Promise<void> {
    this.deps.bus.on(OWNER, 'motion.fallback', (e) => this.fallBackToDetection(e.cameraId, e.reason));
    const at = this.deps.clock.iso();
    for (const e of this.entries.values()) {
      this.deps.cameras.ensure(e.cam.id, at);
      e.privacy = this.deps.cameras.get(e.cam.id)?.privacy ?? false;
      if (e.privacy) this.setStatus(e, 'privacy');
      else await this.startCamera(e);
    }
  }

  async stop(): Promise<void> {
    this.deps.bus.off(OWNER);
    await Promise.all([...this.entries.values()].map((e) => this.stopCamera(e, false)));
  }

  /** A camera's event source (ONVIF service or vendor stream) changed state. */
  eventSourceChanged(s: EventSourceStatus): void {
    const e = this.entries.get(s.cameraId);
    if (!e?.events) return;
    const events: CameraEvents = { source: e.events.source, state: s.state, since: s.since };
    if (s.lastError !== undefined) events.lastError = s.lastError;
    e.events = events;
    this.deps.bus.emit('camera.events', { cameraId: s.cameraId, ...events });
  }

  /**
   * The camera's own events cannot work (no PullPoint): run detection on its sub stream instead,
   * for as long as the daemon runs (a privacy toggle keeps it). The problem the event service
   * raised tells the owner how to make it permanent.
   */
  private fallBackToDetection(cameraId: string, reason: string): void {
    const e = this.entries.get(cameraId);
    if (!e || e.detectOverride !== undefined) return;
    e.detectOverride = reason;
    if (e.cam.motion.detect.enabled) return;
    const started = e.runtime?.enableDetection();
    this.deps.log.info({ camera: cameraId, reason, now: started ?? false }, 'motion detection on the sub stream takes over from the camera events');
  }

  list(): CameraView[] {
    return [...this.entries.values()].map(view);
  }

  get(id: string): CameraView | undefined {
    const e = this.entries.get(id);
    return e && view(e);
  }

  /** PIDs of every ffmpeg child, for diagnostics and benchmarks. */
  pids(): number[] {
    return [...this.entries.values()].flatMap((e) => e.runtime?.pids ?? []);
  }

  ring(cameraId: string): SegmentRing | undefined {
    return this.entries.get(cameraId)?.runtime?.recorder.ring;
  }

  async setPrivacy(id: string, enabled: boolean): Promise<CameraView> {
    const e = this.require(id);
    if (e.privacy === enabled) return view(e);
    e.privacy = enabled;
    const at = this.deps.clock.iso();
    this.deps.cameras.setPrivacy(id, enabled, at);
    this.deps.bus.emit('camera.privacy', { cameraId: id, enabled, at });
    if (enabled) {
      await this.stopCamera(e, true);
      this.setStatus(e, 'privacy');
    } else {
      this.setStatus(e, 'offline');
      await this.startCamera(e);
    }
    this.deps.log.info({ camera: id, privacy: enabled }, 'privacy mode changed');
    return view(e);
  }

  trigger(id: string, opts: { seconds?: number; trigger?: ClipTrigger } = {}): { eventId: string } {
    const e = this.require(id);
    if (e.privacy) throw new AppError('CAMERA_PRIVACY', `camera ${id} is in privacy mode`);
    const eventId = randomUUID();
    const payload = { cameraId: id, trigger: opts.trigger ?? 'manual', at: this.deps.clock.iso(), eventId } as const;
    this.deps.bus.emit('clip.trigger', opts.seconds === undefined ? payload : { ...payload, seconds: opts.seconds });
    return { eventId };
  }

  private require(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new AppError('CAMERA_NOT_FOUND', `no camera with id ${id}`);
    return e;
  }

  private resolverFor(cam: CameraConfig): StreamResolver | undefined {
    if (cam.rtsp) return this.rtsp;
    if (cam.onvif) return this.resolvers.onvif;
    return undefined;
  }

  private async startCamera(e: Entry): Promise<void> {
    const { cam } = e;
    if (!cam.rtsp && !cam.onvif && !cam.simulated) {
      // An inbox-only camera has no live stream that could fail: it is as online as its folder.
      this.setStatus(e, 'online');
      return;
    }
    const log = this.deps.log.child({ camera: cam.id });
    e.runtime = new CameraRuntime(cam, {
      log,
      clock: this.deps.clock,
      bus: this.deps.bus,
      cacheDir: this.deps.cacheDir,
      resolver: this.resolverFor(cam),
      backoff: this.deps.backoff,
      segmentSeconds: this.deps.segmentSeconds,
      forceDetection: e.detectOverride !== undefined,
      onOutcome: (outcome) => this.streamOutcome(e, outcome),
      onStatus: (online, lastError) => {
        if (!e.privacy) this.setStatus(e, online ? 'online' : 'offline', lastError);
        // ffmpeg writing segments into a full cache reports it as text on stderr.
        if (!online && lastError) reportIfDiskFull(this.deps.bus, this.deps.clock, new Error(lastError), `recorder ${e.cam.id}`, this.deps.cacheDir);
      },
    });
    await e.runtime.start();
  }

  /**
   * Tells the camera's resolver how its streams did (an ONVIF camera is onboarded again only on
   * 401/404 or repeated failures) and, once they work, picks up the identity it reported.
   */
  private streamOutcome(e: Entry, outcome: StreamOutcome): void {
    const resolver = this.resolverFor(e.cam);
    resolver?.report?.(e.cam.id, outcome);
    if (outcome !== 'ok') return;
    const device = resolver?.deviceInfo?.(e.cam.id);
    if (!device || JSON.stringify(device) === JSON.stringify(e.device)) return;
    e.device = { ...device };
    this.deps.bus.emit('camera.device', { cameraId: e.cam.id, device: { ...device } });
  }

  private async stopCamera(e: Entry, discard: boolean): Promise<void> {
    const runtime = e.runtime;
    e.runtime = undefined;
    await runtime?.stop(discard);
  }

  private setStatus(e: Entry, status: CameraStatus, lastError?: string): void {
    const changed = e.status !== status || (lastError !== undefined && e.lastError !== lastError);
    e.status = status;
    if (lastError !== undefined || status !== 'offline') e.lastError = status === 'offline' ? lastError : undefined;
    const at = this.deps.clock.iso();
    this.deps.cameras.setStatus(e.cam.id, status, e.lastError ?? null, at);
    const problemId = `camera.${e.cam.id}.offline`;
    if (status === 'offline') this.deps.problems.raise(problemId, 'warning', `${cameraName(e.cam)} is offline`, e.lastError);
    else this.deps.problems.clear(problemId);
    if (!changed) return;
    this.deps.log.info({ camera: e.cam.id, status, lastError: e.lastError }, 'camera status');
    const payload = { cameraId: e.cam.id, status, at };
    this.deps.bus.emit('camera.status', e.lastError === undefined ? payload : { ...payload, lastError: e.lastError });
  }
}

function view(e: Entry): CameraView {
  const v: CameraView = { id: e.cam.id, name: cameraName(e.cam), kind: e.cam.kind, status: e.status };
  if (e.lastError !== undefined) v.lastError = e.lastError;
  if (e.events) v.events = { ...e.events };
  if (e.device) v.device = { ...e.device };
  return v;
}
