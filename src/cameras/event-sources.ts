import { eventSource, type CameraConfig } from '../config/schema.js';
import type { Core } from '../core/core.js';
import type { Service } from '../core/service.js';
import type { EventSourceStatus } from './types.js';
import { createVendorEventSource, vendorSettingsFromCamera, type VendorSourceDeps } from './vendor/index.js';

/**
 * One vendor event stream (Hikvision alertStream, Dahua eventManager) per camera configured with
 * `events: hikvision | dahua`. The ONVIF module builds the `events: onvif` ones. Builds only.
 */
export function createVendorEventSources(
  core: Pick<Core, 'bus' | 'log' | 'clock' | 'problems'>,
  cameras: readonly CameraConfig[],
  opts: { onStatus: (status: EventSourceStatus) => void; backoff?: VendorSourceDeps['backoff'] },
): Service[] {
  const out: Service[] = [];
  for (const cam of cameras) {
    const source = eventSource(cam);
    if (source !== 'hikvision' && source !== 'dahua') continue;
    const settings = vendorSettingsFromCamera(cam, source);
    if ('missing' in settings) {
      // The config schema refuses this; a camera built another way still gets a clear problem.
      core.problems.raise(`vendor.events.${cam.id}`, 'error', `${cam.id}: ${source} events not started`, `missing ${settings.missing}`);
      continue;
    }
    out.push(
      createVendorEventSource(settings, {
        bus: core.bus,
        log: core.log,
        clock: core.clock,
        problems: core.problems,
        onStatus: opts.onStatus,
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
      }),
    );
  }
  return out;
}
