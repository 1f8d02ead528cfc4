import type { Logger } from 'pino';
import { AppError } from '../../core/errors.js';
import type { CameraConfig } from '../../config/schema.js';
import type { CameraStreams, StreamResolver } from '../types.js';
import { OnvifDevice, type OnvifTarget } from './device.js';
import { chooseProfiles, withCredentials } from './profiles.js';

/** Target (host, port, credentials) of a camera's ONVIF config. */
export function onvifTarget(onvif: NonNullable<CameraConfig['onvif']>): OnvifTarget {
  const target: OnvifTarget = { host: onvif.host, port: onvif.port };
  if (onvif.username !== undefined) target.credentials = { username: onvif.username, password: onvif.password ?? '' };
  return target;
}

/**
 * Onboards `onvif:` cameras: connect, GetProfiles, pick main/sub, GetStreamUri for both (with the
 * credentials ffmpeg needs) and GetSnapshotUri. Failures throw AppError with a reason the
 * registry shows while it retries with backoff.
 */
export class OnvifStreamResolver implements StreamResolver {
  constructor(private readonly deps: { cameras: CameraConfig[]; log: Logger; timeoutMs?: number }) {}

  async resolve(cameraId: string, signal: AbortSignal): Promise<CameraStreams> {
    const cam = this.deps.cameras.find((c) => c.id === cameraId);
    if (!cam?.onvif) throw new AppError('CAMERA_NOT_FOUND', `camera "${cameraId}" has no onvif section`);
    const target = onvifTarget(cam.onvif);
    const device = new OnvifDevice(target, this.deps.timeoutMs === undefined ? {} : { timeoutMs: this.deps.timeoutMs });
    await device.connect(signal);
    const profiles = await device.profiles(signal);
    const choice = chooseProfiles(profiles, cam.onvif.profiles ?? {});
    const main = withCredentials(await device.streamUri(choice.main.token, signal), target.credentials, target.host);
    const streams: CameraStreams = { main };
    if (choice.sub) streams.sub = withCredentials(await device.streamUri(choice.sub.token, signal), target.credentials, target.host);
    const snapshot = await device.snapshotUri(choice.main.token, signal);
    if (snapshot) streams.snapshot = snapshot;
    this.deps.log.info(
      {
        camera: cameraId,
        clockOffsetMs: device.client.clockOffsetMs,
        main: `${choice.main.token} ${choice.main.width}x${choice.main.height}`,
        sub: choice.sub ? `${choice.sub.token} ${choice.sub.width}x${choice.sub.height}` : 'none',
      },
      'onvif camera onboarded',
    );
    return streams;
  }
}
