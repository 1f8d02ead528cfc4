import { usesOnvifMotion, type CameraConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { Problems } from '../../core/problems.js';
import { OnvifEventService } from './event-service.js';
import { OnvifStreamResolver } from './resolver.js';

export { OnvifEventService, type OnvifEventServiceDeps } from './event-service.js';
export { OnvifStreamResolver, onvifTarget } from './resolver.js';
export { probe, type DiscoveredDevice, type ProbeOptions } from './discovery.js';

export interface OnvifModule {
  /** Onboards `onvif:` cameras for the camera registry. */
  resolver: OnvifStreamResolver;
  /** One event subscription per camera with `motion.onvif` on (the default with onvif). */
  events: OnvifEventService[];
}

/** Builds the ONVIF part of the daemon from config; does no I/O until the services start. */
export function createOnvif(deps: { cameras: readonly CameraConfig[]; log: Logger; bus: EventBus; clock: Clock; problems: Problems }): OnvifModule {
  const cameras = [...deps.cameras];
  return {
    resolver: new OnvifStreamResolver({ cameras, log: deps.log }),
    events: cameras.filter(usesOnvifMotion).map(
      (camera) => new OnvifEventService({ camera, bus: deps.bus, clock: deps.clock, problems: deps.problems, log: deps.log.child({ camera: camera.id }) }),
    ),
  };
}
