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
}
