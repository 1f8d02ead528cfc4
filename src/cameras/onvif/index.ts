import { usesOnvifMotion, type CameraConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { Problems } from '../../core/problems.js';
import type { EventSourceStatus } from './event-health.js';
import { OnvifEventService } from './event-service.js';
import { OnvifStreamResolver } from './resolver.js';

export { OnvifEventService, type EventServiceStats, type OnvifEventServiceDeps } from './event-service.js';
export type { EventSourceState, EventSourceStatus } from './event-health.js';
export { OnvifStreamResolver, onvifTarget, type InvalidateReason, type OnvifCameraStreams, type StreamOutcome } from './resolver.js';
export type { DeviceInformation } from './device.js';
export { probe, type DiscoveredDevice, type ProbeOptions } from './ws-discovery.js';

export interface OnvifModule {
  /** Onboards `onvif:` cameras for the camera registry. */
  resolver: OnvifStreamResolver;
  /** One event subscription per camera with `events: onvif` (the default with an onvif section). */
  events: OnvifEventService[];
}

export interface OnvifModuleDeps {
  cameras: readonly CameraConfig[];
  log: Logger;
  bus: EventBus;
  clock: Clock;
  problems: Problems;
  /** Told when a camera's event source changes state (up, down, fallback), for the camera status. */
  onEventSourceStatus?: (status: EventSourceStatus) => void;
}

/** Builds the ONVIF part of the daemon from config; does no I/O until the services start. */
export function createOnvif(deps: OnvifModuleDeps): OnvifModule {
  const cameras = [...deps.cameras];
  const onStatus = deps.onEventSourceStatus;
  return {
    resolver: new OnvifStreamResolver({ cameras, log: deps.log }),
    events: cameras.filter(usesOnvifMotion).map(
      (camera) =>
        new OnvifEventService({
          camera,
          bus: deps.bus,
          clock: deps.clock,
          problems: deps.problems,
          log: deps.log.child({ camera: camera.id }),
          ...(onStatus ? { onStatus } : {}),
        }),
    ),
  };
}
