import type { Logger } from '../../core/logger.js';
import { sleepUnlessAborted } from '../sleep.js';
import { vendorBackoff } from './backoff.js';
import type { StatusPoller } from './driver.js';
import { toVendorError } from './errors.js';
import { getText, type CameraEndpoint } from './http-client.js';
import type { VendorSignal } from './state.js';
import type { ThrottledWarnings } from './throttled-warnings.js';

const POLL_TIMEOUT_MS = 3_000;
const POLL_MAX_BYTES = 8 * 1024;
const POLL_UNSUPPORTED_RETRY_MS = 600_000;

export interface StatusPollDeps {
  cameraId: string;
  endpoint: CameraEndpoint;
  log: Logger;
  warnings: ThrottledWarnings;
  /** Least wait after refused credentials: the camera locks the account after a few failures. */
  authRetryMs: number;
  /** Each signal a polled document holds. */
  onSignal: (s: VendorSignal) => void;
}

/**
 * Polls a status document beside the event stream (Hikvision doorbell call state) until `signal`
 * aborts. A camera without the document (HTTP 404 or 400) is asked again only every ten minutes;
 * other failures back off, and refused credentials wait at least `authRetryMs`.
 */
export async function pollStatus(poller: StatusPoller, deps: StatusPollDeps, signal: AbortSignal): Promise<void> {
  const backoff = vendorBackoff({ initialMs: Math.max(poller.intervalMs, 1_000) });
  let failing = false;
  while (!signal.aborted) {
    let delay = poller.intervalMs;
    try {
      const text = await getText(deps.endpoint, poller.path, { signal, timeoutMs: POLL_TIMEOUT_MS, maxBytes: POLL_MAX_BYTES });
      for (const s of poller.read(text)) deps.onSignal(s);
      if (failing) deps.log.info({ camera: deps.cameraId }, 'doorbell call state readable again');
      failing = false;
      backoff.reset();
    } catch (err) {
      if (signal.aborted) break;
      poller.reset();
      const e = toVendorError(err);
      failing = true;
      if (e.httpStatus === 404 || e.httpStatus === 400) {
        delay = POLL_UNSUPPORTED_RETRY_MS;
        deps.log.warn({ camera: deps.cameraId, reason: e.message }, 'camera has no intercom call state: doorbell presses from it are not reported');
      } else {
        delay = e.code === 'VENDOR_AUTH_FAILED' ? Math.max(backoff.next(), deps.authRetryMs) : backoff.next();
        deps.warnings.warn('poll', { code: e.code, reason: e.message, delayMs: delay }, 'doorbell call state poll failed');
      }
    }
    await sleepUnlessAborted(delay, signal);
  }
}
