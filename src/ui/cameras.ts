import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type CameraView } from './api.js';
import { useLive, useNewest } from './live.js';

/** The configured cameras, kept current over the live stream; `null` until the first answer. */
export function useCameras(): CameraView[] | null {
  const [cameras, setCameras] = useState<CameraView[] | null>(null);
  const newest = useNewest();
  const load = useCallback(() => {
    newest(api<CameraView[]>('GET', '/api/cameras')).then(setCameras, () => setCameras((old) => old ?? []));
  }, [newest]);
  useEffect(load, [load]);
  useLive((type) => {
    if (type.startsWith('camera.') || type === 'resync') load();
  }, [load]);
  return cameras;
}

/** A camera's name for people; its id only if the camera is no longer configured. */
export function cameraName(cameras: CameraView[] | null, id: string): string {
  return cameras?.find((c) => c.id === id)?.name ?? id;
}
