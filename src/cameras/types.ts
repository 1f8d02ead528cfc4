import type { CameraDevice, EventSourceState } from '../core/types.js';

/** What a camera source resolves to before recording can start. URLs may carry credentials. */
export interface CameraStreams {
  /** Recording stream (highest resolution). */
  main: string;
  /** Low-resolution stream for daemon-side motion detection. */
  sub?: string;
  /** HTTP snapshot URL, when the camera offers one (ONVIF GetSnapshotUri). */
  snapshot?: string;
}

/**
 * Resolves a camera's streams. RTSP cameras resolve at once from config; ONVIF cameras by
 * onboarding (GetProfiles/GetStreamUri), which may fail and is retried by the caller.
 */
export interface StreamResolver {
  resolve(cameraId: string, signal: AbortSignal): Promise<CameraStreams>;
  /** Told how using the resolved streams went, so the resolver can decide when to resolve again. */
  report?(cameraId: string, outcome: StreamOutcome): void;
  /** What the camera said about itself when it was last resolved. */
  deviceInfo?(cameraId: string): CameraDevice | undefined;
}

/**
 * How a recorder (or detector) run with the resolved streams went: `ok` once media flows,
 * `unauthorized` when RTSP answered 401, `not-found` for 404, `failed` for anything else.
 */
export type StreamOutcome = 'ok' | 'unauthorized' | 'not-found' | 'failed';

/** One change of a camera's event source (ONVIF service or vendor stream), for the camera registry. */
export interface EventSourceStatus {
  cameraId: string;
  state: EventSourceState;
  /** ISO time of the last state change. */
  since: string;
  /** Last failure, when the state is down (or was the reason of the fallback). */
  lastError?: string;
}
