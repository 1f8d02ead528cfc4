import type { Logger } from 'pino';
import { AppError } from '../../core/errors.js';
import type { CameraConfig } from '../../config/schema.js';
import type { CameraStreams, StreamOutcome, StreamResolver } from '../types.js';
import { OnvifDevice, type DeviceInformation, type OnvifTarget } from './device.js';
import { chooseProfiles, pinToCamera, SNAPSHOT_SCHEMES, STREAM_SCHEMES } from './profiles.js';

/** Target (host, port, credentials) of a camera's ONVIF config. */
export function onvifTarget(onvif: NonNullable<CameraConfig['onvif']>): OnvifTarget {
  const target: OnvifTarget = { host: onvif.host, port: onvif.port };
  if (onvif.username !== undefined) target.credentials = { username: onvif.username, password: onvif.password ?? '' };
  return target;
}

/** Streams of an ONVIF camera, with what GetDeviceInformation said about it (for the HA device block). */
export interface OnvifCameraStreams extends CameraStreams {
  info?: DeviceInformation;
}

/** Why cached streams were dropped; `rtsp-401`/`rtsp-404` come from ffmpeg's answer. */
export type InvalidateReason = 'rtsp-401' | 'rtsp-404' | 'repeated-failures' | 'config' | 'manual';

export type { StreamOutcome };

export interface ResolveOptions {
  /** Onboard again even when streams are cached. */
  fresh?: boolean;
}

/**
 * Plain failures (refused, timeouts, resets) in a row before the stream URIs themselves are
 * suspected. An RTSP outage restarts the recorder many times while the URIs are still right
 * (1 s, 2 s, 4 s ... backoff: 10 failures take about 4 minutes), and asking the camera again
 * helps only when it moved its stream; 401 and 404 say that at once.
 */
export const FAILURES_BEFORE_REFRESH = 10;

interface Onboarding {
  promise: Promise<OnvifCameraStreams>;
  abort: AbortController;
  waiters: number;
}

/**
 * Onboards `onvif:` cameras: connect, GetDeviceInformation, GetProfiles, pick main/sub,
 * GetStreamUri for both (with the credentials ffmpeg needs) and GetSnapshotUri. Failures throw
 * AppError with a reason the registry shows while it retries with backoff.
 *
 * The result is cached per camera: a recorder or detector restart (ffmpeg retrying through an
 * RTSP outage) reuses it instead of onboarding again. It is dropped when the registry reports that
 * RTSP refused the credentials (401) or does not know the path (404), after several plain
 * failures in a row, or on invalidate(). Concurrent resolves of one camera share one onboarding.
 */
export class OnvifStreamResolver implements StreamResolver {
  private readonly cache = new Map<string, OnvifCameraStreams>();
  private readonly running = new Map<string, Onboarding>();
  private readonly failures = new Map<string, number>();
  private onboardings = 0;

  constructor(private readonly deps: { cameras: CameraConfig[]; log: Logger; timeoutMs?: number; failuresBeforeRefresh?: number }) {}

  /** Onboardings actually run (not answered from the cache), for logs and tests. */
  get onboarded(): number {
    return this.onboardings;
  }

  async resolve(cameraId: string, signal: AbortSignal, opts: ResolveOptions = {}): Promise<OnvifCameraStreams> {
    if (opts.fresh) this.cache.delete(cameraId);
    const cached = this.cache.get(cameraId);
    if (cached) return cached;
    let run = this.running.get(cameraId);
    if (!run) {
      const abort = new AbortController();
      const created: Onboarding = { abort, waiters: 0, promise: this.onboard(cameraId, abort.signal) };
      run = created;
      this.running.set(cameraId, created);
      void created.promise.then(
        (streams) => this.running.get(cameraId) === created && this.cache.set(cameraId, streams),
        () => undefined,
      ).finally(() => this.running.get(cameraId) === created && this.running.delete(cameraId));
    }
    return this.wait(run, signal);
  }

  /** Drop a camera's cached streams; the next resolve onboards again. */
  invalidate(cameraId: string, reason: InvalidateReason): void {
    this.failures.delete(cameraId);
    if (this.cache.delete(cameraId)) this.deps.log.info({ camera: cameraId, reason }, 'onvif streams will be resolved again');
  }

  /**
   * What happened when the resolved streams were used: 401 and 404 drop the cache at once (the
   * camera changed its password or its paths), plain failures after a few in a row.
   */
  report(cameraId: string, outcome: StreamOutcome): void {
    if (outcome === 'ok') return void this.failures.delete(cameraId);
    if (outcome === 'unauthorized') return this.invalidate(cameraId, 'rtsp-401');
    if (outcome === 'not-found') return this.invalidate(cameraId, 'rtsp-404');
    const n = (this.failures.get(cameraId) ?? 0) + 1;
    this.failures.set(cameraId, n);
    if (n >= (this.deps.failuresBeforeRefresh ?? FAILURES_BEFORE_REFRESH)) this.invalidate(cameraId, 'repeated-failures');
  }

  /** What the camera said about itself at the last onboarding. */
  deviceInfo(cameraId: string): DeviceInformation | undefined {
    return this.cache.get(cameraId)?.info;
  }

  /** Waits for a shared onboarding; it is cancelled only when every waiter has given up. */
  private wait(run: Onboarding, signal: AbortSignal): Promise<OnvifCameraStreams> {
    run.waiters += 1;
    return new Promise((resolve, reject) => {
      const leave = (): void => {
        signal.removeEventListener('abort', onAbort);
        run.waiters -= 1;
      };
      const onAbort = (): void => {
        leave();
        if (run.waiters === 0) run.abort.abort(signal.reason);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      run.promise.then(
        (streams) => {
          leave();
          resolve(streams);
        },
        (err: unknown) => {
          leave();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private async onboard(cameraId: string, signal: AbortSignal): Promise<OnvifCameraStreams> {
    const cam = this.deps.cameras.find((c) => c.id === cameraId);
    if (!cam?.onvif) throw new AppError('CAMERA_NOT_FOUND', `camera "${cameraId}" has no onvif section`);
    this.onboardings += 1;
    const target = onvifTarget(cam.onvif);
    const log = this.deps.log;
    const device = new OnvifDevice(target, {
      ...(this.deps.timeoutMs !== undefined ? { timeoutMs: this.deps.timeoutMs } : {}),
      onRepoint: (reported, used) => log.warn({ camera: cameraId, reported, used }, 'camera reported a service address on another host; using the configured host'),
    });
    await device.connect(signal);
    const info = await device.deviceInformation(signal).catch((err: unknown) => {
      // Identity is nice to have; a camera that faults on it still records.
      if (err instanceof AppError && (err.code === 'ONVIF_FAULT' || err.code === 'ONVIF_BAD_RESPONSE')) return undefined;
      throw err;
    });
    const profiles = await device.profiles(signal);
    const choice = chooseProfiles(profiles, cam.onvif.profiles ?? {});
    const pin = (uri: string, role: string, schemes: readonly string[], withCredentials: boolean): string => {
      const pinned = pinToCamera(uri, { host: target.host, schemes, credentials: withCredentials ? target.credentials : undefined });
      if (pinned.reportedHost) log.warn({ camera: cameraId, role, reportedHost: pinned.reportedHost, used: target.host }, 'camera reported its stream on another host; using the configured host');
      return pinned.url;
    };
    const streams: OnvifCameraStreams = { main: pin(await device.streamUri(choice.main.token, signal), 'main', STREAM_SCHEMES, true) };
    if (choice.sub) streams.sub = pin(await device.streamUri(choice.sub.token, signal), 'sub', STREAM_SCHEMES, true);
    const snapshot = await device.snapshotUri(choice.main.token, signal);
    try {
      if (snapshot) streams.snapshot = pin(snapshot, 'snapshot', SNAPSHOT_SCHEMES, false);
    } catch (err) {
      // Snapshots are optional: an unusable snapshot URI must not keep the camera from recording.
      log.warn({ camera: cameraId, reason: err instanceof Error ? err.message : String(err) }, 'ignoring the camera snapshot URI');
    }
    if (info && Object.keys(info).length > 0) streams.info = info;
    log.info(
      {
        camera: cameraId,
        clockOffsetMs: device.client.clockOffsetMs,
        device: info ? [info.manufacturer, info.model, info.firmwareVersion].filter(Boolean).join(' ') : 'unknown',
        main: `${choice.main.token} ${choice.main.width}x${choice.main.height}`,
        sub: choice.sub ? `${choice.sub.token} ${choice.sub.width}x${choice.sub.height}` : 'none',
      },
      'onvif camera onboarded',
    );
    return streams;
  }
}
