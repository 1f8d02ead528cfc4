import type { CameraConfig } from '../config/schema.js';
import { AppError } from '../core/errors.js';
import type { CameraStreams, StreamResolver } from './types.js';

/**
 * Plain RTSP cameras: the streams are in the config, so resolving never touches the network.
 * Credentials stay embedded in the URL: ffmpeg's RTSP client takes them nowhere else (see
 * docs/recording.md on process listings).
 */
export class RtspResolver implements StreamResolver {
  private readonly streams = new Map<string, CameraStreams>();

  constructor(cameras: readonly CameraConfig[]) {
    for (const cam of cameras) {
      if (!cam.rtsp) continue;
      const streams: CameraStreams = { main: cam.rtsp.main };
      if (cam.rtsp.sub) streams.sub = cam.rtsp.sub;
      this.streams.set(cam.id, streams);
    }
  }

  async resolve(cameraId: string): Promise<CameraStreams> {
    const streams = this.streams.get(cameraId);
    if (!streams) throw new AppError('CAMERA_NOT_FOUND', `camera ${cameraId} has no rtsp streams`);
    return streams;
  }
}
