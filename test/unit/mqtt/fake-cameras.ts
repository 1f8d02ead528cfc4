// A CameraControl fake: the edge between the MQTT bridge and the camera registry.
import { AppError } from '../../../src/core/errors.js';
import type { CameraControl, CameraView } from '../../../src/core/ports.js';

export class FakeCameras implements CameraControl {
  readonly calls: string[] = [];
  private readonly views: Map<string, CameraView>;

  constructor(views: CameraView[]) {
    this.views = new Map(views.map((v) => [v.id, { ...v }]));
  }

  list(): CameraView[] {
    return [...this.views.values()].map((v) => ({ ...v }));
  }

  get(id: string): CameraView | undefined {
    const v = this.views.get(id);
    return v && { ...v };
  }

  async setPrivacy(id: string, enabled: boolean): Promise<CameraView> {
    this.calls.push(`setPrivacy ${id} ${enabled}`);
    const v = this.views.get(id);
    if (!v) throw new AppError('CAMERA_NOT_FOUND', `no camera ${id}`);
    v.status = enabled ? 'privacy' : 'online';
    return { ...v };
  }

  /** What the registry would learn at run time (event source state, device identity). */
  update(id: string, patch: Partial<CameraView>): void {
    const v = this.views.get(id);
    if (v) Object.assign(v, patch);
  }

  trigger(id: string): { eventId: string } {
    this.calls.push(`trigger ${id}`);
    const v = this.views.get(id);
    if (!v) throw new AppError('CAMERA_NOT_FOUND', `no camera ${id}`);
    if (v.status === 'privacy') throw new AppError('CAMERA_PRIVACY', `camera ${id} is in privacy mode`);
    return { eventId: `ev-${this.calls.length}` };
  }
}

export const TWO_CAMERAS: CameraView[] = [
  { id: 'front-door', name: 'Front door', kind: 'doorbell', status: 'online' },
  { id: 'yard', name: 'Yard', kind: 'camera', status: 'online' },
];
