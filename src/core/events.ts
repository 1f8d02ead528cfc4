import type { Logger } from 'pino';
import type { AssistanceRequest, CameraDevice, CameraEvents, CameraStatus, Clip, ClipLabels, ClipTrigger, Problem, Share } from './types.js';

/** Every event on the bus and its payload. Add new events here, never as loose strings. */
export interface EventMap {
  'camera.status': { cameraId: string; status: CameraStatus; lastError?: string; at: string };
  'camera.privacy': { cameraId: string; enabled: boolean; at: string };
  /** A camera's event source changed state (the camera registry announces it). */
  'camera.events': { cameraId: string } & CameraEvents;
  /** A camera's identity became known or changed (after ONVIF onboarding). */
  'camera.device': { cameraId: string; device: CameraDevice };
  'motion.changed': { cameraId: string; active: boolean; source: 'onvif' | 'hikvision' | 'dahua' | 'detect' | 'simulated' | 'manual'; at: string };
  'doorbell.pressed': { cameraId: string; at: string };
  /**
   * A camera's own motion events cannot work (its ONVIF service has no PullPoint subscriptions):
   * whoever runs the camera's recorder should start daemon-side motion detection on its sub
   * stream. Emitted once per start of the camera's ONVIF event service.
   */
  'motion.fallback': { cameraId: string; reason: string; at: string };
  /** A request to record: clip assembly listens for it. */
  'clip.trigger': { cameraId: string; trigger: ClipTrigger; at: string; eventId: string; seconds?: number };
  'clip.created': { clip: Clip };
  'clip.updated': { clip: Clip };
  /** A clip's analysis finished: its labels (≥ LABEL_THRESHOLD) and how many face tracks were suggested. */
  'clip.analysed': { clip: Clip; labels: ClipLabels; tracks: number; at: string };
  'clip.deleted': { clipId: string; cameraId: string; reason: string; at: string };
  'share.created': { share: Share };
  'share.updated': { share: Share };
  'share.progress': { shareId: string; phase: 'export' | 'upload'; percent: number; bytesSent?: number; bytesTotal?: number };
  'share.uploaded': { share: Share };
  'share.revoked': { share: Share };
  'request.received': { request: AssistanceRequest; candidateClipIds: string[] };
  'problem.raised': { problem: Problem };
  'problem.cleared': { id: string };
  'stats.changed': { pending: number; requests: number; diskFreeBytes: number };
  /**
   * A write failed for lack of space (ENOSPC, SQLITE_FULL); any writer may emit it (see
   * reportIfDiskFull in src/core/disk-full.ts). `path` is a folder on the full file system. The
   * disk guard raises the `disk.full` problem, runs retention and clears it when space is back.
   */
  'disk.full': { source: string; path: string; detail: string; at: string };
  /** An inbox entry was refused and moved to `<inbox>/.rejected/` (reason: the stable code in its `.reason` file). */
  'inbox.rejected': { cameraId: string; file: string; reason: string; at: string };
}

export type EventName = keyof EventMap;
type Listener<K extends EventName> = (payload: EventMap[K]) => void | Promise<void>;

interface Registration {
  owner: string;
  event: EventName;
  fn: Listener<EventName>;
}

/**
 * Typed in-process event bus. Listeners are registered per owner so a service can drop all of
 * its listeners on stop; a listener that throws (or rejects) is logged with owner and event and
 * never reaches the emitter.
 */
export class EventBus {
  private readonly regs = new Map<EventName, Registration[]>();

  constructor(private readonly log: Logger) {}

  on<K extends EventName>(owner: string, event: K, fn: Listener<K>): () => void {
    const reg: Registration = { owner, event, fn: fn as Listener<EventName> };
    const list = this.regs.get(event) ?? [];
    list.push(reg);
    this.regs.set(event, list);
    return () => this.remove(reg);
  }

  /** Drop every listener the owner registered. */
  off(owner: string): void {
    for (const [event, list] of this.regs) {
      this.regs.set(event, list.filter((r) => r.owner !== owner));
    }
  }

  emit<K extends EventName>(event: K, payload: EventMap[K]): void {
    const list = this.regs.get(event);
    if (!list) return;
    for (const reg of [...list]) {
      try {
        const result = reg.fn(payload);
        if (result instanceof Promise) {
          result.catch((err: unknown) => this.report(reg, err));
        }
      } catch (err) {
        this.report(reg, err);
      }
    }
  }

  listenerCount(event: EventName): number {
    return this.regs.get(event)?.length ?? 0;
  }

  private remove(reg: Registration): void {
    const list = this.regs.get(reg.event);
    if (list) this.regs.set(reg.event, list.filter((r) => r !== reg));
  }

  private report(reg: Registration, err: unknown): void {
    this.log.error({ err, owner: reg.owner, event: reg.event }, 'event listener failed');
  }
}
