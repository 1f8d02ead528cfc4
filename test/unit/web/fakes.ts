// Fake service controls: the recording, review, upload and ledger services are other modules.
// They deliberately return records with extra private fields, which the API must never expose,
// and refuse what the real services refuse (the share rules of src/core/share-rules.ts).
import type { Core } from '../../../src/core/core.js';
import { AppError } from '../../../src/core/errors.js';
import type { ApproveInput, CameraView, RequestView } from '../../../src/core/ports.js';
import { isCancellable, isRetryable, isRevocable, isSendable } from '../../../src/core/share-rules.js';
import type { Clip, LedgerEntry, Share } from '../../../src/core/types.js';
import { toClip } from '../../../src/db/repos/clips.js';
import type { ApiControls } from '../../../src/web/context.js';

export const CAMERA_SECRET = 'cam-pass-5ecret';
export const UPLOAD_SECRET = 'tus-upload-5ecret';

export class FakeControls {
  readonly approvals: { clipId: string; input: ApproveInput }[] = [];
  readonly triggers: { id: string; seconds?: number }[] = [];
  readonly shares = new Map<string, Share>();
  readonly cams = new Map<string, CameraView>([
    ['front-door', { id: 'front-door', name: 'Front door', kind: 'doorbell', status: 'online', rtspUrl: `rtsp://admin:${CAMERA_SECRET}@10.0.0.2/main` } as CameraView],
    ['garden', { id: 'garden', name: 'Garden', kind: 'camera', status: 'offline', lastError: 'connection refused' }],
  ]);
  readonly requests: RequestView[] = [];
  readonly ledger: LedgerEntry[] = [];
  private n = 0;

  constructor(private readonly core: Core) {}

  install(c: ApiControls): void {
    c.cameras = {
      list: () => [...this.cams.values()],
      get: (id) => this.cams.get(id),
      setPrivacy: async (id, enabled) => {
        const cam = this.cams.get(id);
        if (!cam) throw new AppError('CAMERA_NOT_FOUND', id);
        cam.status = enabled ? 'privacy' : 'online';
        this.core.bus.emit('camera.privacy', { cameraId: id, enabled, at: this.core.clock.iso() });
        return cam;
      },
      trigger: (id, opts) => {
        this.triggers.push({ id, ...(opts?.seconds !== undefined && { seconds: opts.seconds }) });
        return { eventId: `ev-${++this.n}` };
      },
    };
    c.review = {
      approve: (clipId, input) => this.approve(clipId, input),
      reject: (clipId) => this.transition(clipId, 'rejected'),
      delete: (clipId) => {
        // Like the real service: an unknown (or already deleted) clip is CLIP_NOT_FOUND.
        if (!this.core.repos.clips.get(clipId)) throw new AppError('CLIP_NOT_FOUND', `no clip ${clipId}`);
        this.core.repos.clips.markDeleted(clipId, this.core.clock.iso());
      },
      send: (shareId) => {
        const s = this.shares.get(shareId);
        if (!s) throw new AppError('SHARE_NOT_FOUND', shareId);
        if (!isSendable(s.status)) throw new AppError('NOT_SENDABLE', `share ${shareId} is ${s.status}`);
        s.status = 'queued';
        return s;
      },
      options: () => ({ stripAudio: true, blur: [] }),
      retry: (shareId) => {
        const s = this.shares.get(shareId);
        if (!s) throw new AppError('SHARE_NOT_FOUND', shareId);
        if (!isRetryable(s.status)) throw new AppError('NOT_RETRYABLE', `share ${shareId} is ${s.status}`);
        s.status = 'queued';
        delete s.error;
        return s;
      },
    };
    c.shares = {
      list: () => [...this.shares.values()],
      get: (id) => this.shares.get(id),
      revoke: async (id) => {
        const s = this.shares.get(id);
        if (!s) throw new AppError('SHARE_NOT_FOUND', id);
        if (!isRevocable(s.status)) throw new AppError('NOT_REVOCABLE', `share ${id} is ${s.status}`);
        s.status = 'revoked';
        return s;
      },
      cancel: async (id) => {
        const s = this.shares.get(id);
        if (!s) throw new AppError('SHARE_NOT_FOUND', id);
        if (!isCancellable(s.status)) throw new AppError('NOT_CANCELLABLE', `share ${id} is ${s.status}`);
        s.status = 'cancelled';
        return s;
      },
    };
    c.requests = { list: () => this.requests, openCount: () => this.requests.length };
    c.ledger = {
      list: () => this.ledger,
      verify: async () => ({ ok: true, entries: this.ledger.length }),
      keyView: () => ({ algorithm: 'Ed25519', publicKey: 'A'.repeat(43) + '=', fingerprint: 'f'.repeat(64) }),
    };
    c.stats = () => ({ pending: 0, requests: 0, diskFreeBytes: 0 });
  }

  private transition(clipId: string, to: 'approved' | 'rejected'): Clip {
    if (!this.core.repos.clips.transition(clipId, 'pending', to, this.core.clock.iso())) {
      throw new AppError(to === 'approved' ? 'NOT_APPROVABLE' : 'NOT_REJECTABLE', `clip ${clipId} is not pending`);
    }
    const clip = this.core.repos.clips.get(clipId);
    if (!clip) throw new AppError('CLIP_NOT_FOUND', clipId);
    // The real service would emit a plain Clip; this one leaks the record to prove SSE narrows it.
    this.core.bus.emit('clip.updated', { clip });
    return toClip(clip);
  }

  approve(clipId: string, input: ApproveInput): Share {
    this.transition(clipId, 'approved');
    this.approvals.push({ clipId, input });
    const share = {
      id: `share-${++this.n}`, clipId, status: 'exporting', bytesSent: 0, bytesTotal: 0, sha256: null, createdAt: this.core.clock.iso(),
      redaction: { audioRemoved: input.stripAudio !== false, blurredAreas: input.blur?.length ?? 0, privacyMasks: 0, trim: input.trim ?? null, metadataRemoved: true },
      uploadUrl: `http://127.0.0.1:1/uploads/x?token=${UPLOAD_SECRET}`, exportPath: '/data/exports/x.mp4',
      ...(input.requestId !== undefined && { requestId: input.requestId }),
      ...(input.caption !== undefined && { caption: input.caption }),
    } as unknown as Share;
    this.shares.set(share.id, share);
    this.core.bus.emit('share.created', { share });
    return share;
  }

  /** Move a share along as the upload service would, emitting the bus events the UI follows. */
  progress(shareId: string, status: Share['status'], bytesSent: number, bytesTotal: number): void {
    const s = this.shares.get(shareId);
    if (!s) throw new Error(`no share ${shareId}`);
    Object.assign(s, { status, bytesSent, bytesTotal });
    if (status === 'uploaded') s.uploadedAt = this.core.clock.iso();
    this.core.bus.emit('share.progress', { shareId, phase: 'upload', percent: bytesTotal ? Math.round((100 * bytesSent) / bytesTotal) : 0, bytesSent, bytesTotal });
    this.core.bus.emit(status === 'uploaded' ? 'share.uploaded' : 'share.updated', { share: s });
  }
}
