import { ClipAssembler } from '../clips/assembler.js';
import { ClipStore } from '../clips/store.js';
import type { Core } from '../core/core.js';
import type { Service } from '../core/service.js';
import type { RestartPolicy } from '../media/supervisor.js';
import { createVendorEventSources } from './event-sources.js';
import { createOnvif } from './onvif/index.js';
import { CameraRegistry } from './registry.js';
import type { EventSourceStatus } from './types.js';

export { CameraRegistry, type CameraRegistryDeps } from './registry.js';

export interface RecordingOptions {
  /** Restart pacing of the recorders' ffmpeg (tests shorten it). */
  backoff?: RestartPolicy;
}

export interface Recording {
  /** The only writer of clip files (the inbox hands its files here too). */
  store: ClipStore;
  /** Every configured camera; the CameraControl of the web API and MQTT. */
  cameras: CameraRegistry;
  assembler: ClipAssembler;
  /** Services in start order, each with whether it may fail to start without stopping the daemon. */
  services: { service: Service; optional: boolean }[];
}

/**
 * Cameras to clips: the clip store, the camera registry (a recorder per camera, ONVIF onboarding
 * through the ONVIF module's resolver), the clip assembler and each camera's own event source:
 * an ONVIF PullPoint subscription (`events: onvif`) or the vendor's event stream (`hikvision`,
 * `dahua`). The event sources report their state to the registry, which shows it with the camera.
 * Builds only; nothing runs until start().
 */
export function createRecording(core: Core, opts: RecordingOptions = {}): Recording {
  const { log, clock, bus, problems, repos, paths, config } = core;
  const store = new ClipStore({ log: log.child({ module: 'clips' }), clock, bus, clips: repos.clips, dataDir: paths.dataDir, clipsDir: paths.clips, tmpDir: paths.tmp, analyse: config.detect.enabled });
  // The registry is built next; event sources only report once started, after it exists.
  const onStatus = (status: EventSourceStatus): void => cameras.eventSourceChanged(status);
  const onvif = createOnvif({ cameras: config.cameras, log: log.child({ module: 'onvif' }), bus, clock, problems, onEventSourceStatus: onStatus });
  const vendorEvents = createVendorEventSources(core, config.cameras, { onStatus });
  const cameras = new CameraRegistry({
    log: log.child({ module: 'cameras' }),
    clock,
    bus,
    problems,
    cameras: repos.cameras,
    config: config.cameras,
    cacheDir: paths.cacheDir,
    resolvers: { onvif: onvif.resolver },
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  });
  const assembler = new ClipAssembler({ log: log.child({ module: 'assembler' }), clock, bus, problems, store, cameras: config.cameras, segments: cameras });
  return {
    store,
    cameras,
    assembler,
    services: [
      // The store recovers from a crash before anything writes: it must start.
      { service: store, optional: false },
      // One camera unreachable, or the events of one failing, is a visible problem; each retries on its own.
      { service: cameras, optional: true },
      { service: assembler, optional: true },
      ...[...onvif.events, ...vendorEvents].map((service) => ({ service, optional: true })),
    ],
  };
}
