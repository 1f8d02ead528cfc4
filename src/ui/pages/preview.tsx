import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, shareActionUrl, shareUrl, shareVideoUrl, type Redaction, type Share } from '../api.js';
import { Modal, ModalHeader } from '../components/modal.js';
import { bytes, seconds } from '../format.js';
import { useLive } from '../live.js';
import type { FaceFinding } from '../../core/types.js';
import { FaceCheck, FindingMarker, needsConfirmation } from './face-check.js';

/** What the export takes out of the clip, in plain words (from the server's `redaction`). */
export function removedList(r: Redaction): string[] {
  const out: string[] = [];
  if (r.audioRemoved) out.push('Audio (the whole sound track)');
  if (r.trackedFaces > 0) out.push(`${r.trackedFaces} ${r.trackedFaces === 1 ? 'face' : 'faces'}, blurred by a box that follows ${r.trackedFaces === 1 ? 'it' : 'each'} frame by frame`);
  if (r.blurredAreas > 0) {
    const masks = r.privacyMasks > 0 ? ` (${r.privacyMasks} from the camera's privacy masks)` : '';
    out.push(`${r.blurredAreas} blurred ${r.blurredAreas === 1 ? 'area' : 'areas'}, in every frame${masks}`);
  }
  if (r.trim) out.push(`Everything before ${seconds(r.trim.startMs)} and after ${seconds(r.trim.endMs)} of the clip`);
  out.push('Metadata: recording time stamps, camera and encoder details, location and comments');
  return out;
}

function Facts(props: { share: Share }) {
  const s = props.share;
  return (
    <dl class="facts">
      <dt>SHA-256</dt>
      <dd><code data-testid="export-sha256">{s.sha256}</code></dd>
      <dt>Size</dt>
      <dd data-testid="export-size">{bytes(s.bytesTotal)} ({s.bytesTotal} bytes)</dd>
      <dt>Duration</dt>
      <dd data-testid="export-duration">{s.durationMs !== undefined ? seconds(s.durationMs) : '—'}</dd>
      <dt>Removed</dt>
      <dd>
        <ul class="removed" data-testid="export-removed">
          {removedList(s.redaction).map((line) => <li key={line}>{line}</li>)}
        </ul>
      </dd>
    </dl>
  );
}

/**
 * The informed-consent step: the redacted export itself (its own player streaming the file Send
 * would upload), its SHA-256, size, duration and what was removed, with Send and Cancel. While
 * the export is still being made it shows progress; Cancel works then too.
 */
export function ExportPreview(props: { share: Share; onClose: () => void; onSent: (s: Share) => void }) {
  const [share, setShare] = useState<Share>(props.share);
  const [percent, setPercent] = useState<number | null>(null);
  const [busy, setBusy] = useState<'send' | 'cancel' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmFaces, setConfirmFaces] = useState(false);
  const [marked, setMarked] = useState<FaceFinding | null>(null);
  const player = useRef<HTMLVideoElement>(null);
  const id = props.share.id;
  const reload = useCallback(() => {
    api<Share>('GET', shareUrl(id)).then(setShare, (e: Error) => setError(e.message));
  }, [id]);
  useEffect(reload, [reload]);
  useLive((type, data) => {
    if (type === 'share.progress') {
      const p = data as { shareId: string; phase: string; percent: number };
      if (p.shareId === id && p.phase === 'export') setPercent(Math.round(p.percent));
    } else if (type === 'share.updated' || type === 'share.created') {
      if ((data as { share: Share }).share.id === id) reload();
    } else if (type === 'resync') reload();
  }, [id, reload]);

  const act = (action: 'send' | 'cancel'): void => {
    setBusy(action);
    setError(null);
    const body = action === 'send' && confirmFaces ? { confirmFaces: true } : undefined;
    api<Share>('POST', shareActionUrl(id, action), body).then((s) => {
      setBusy(null);
      if (action === 'send') props.onSent(s);
      else props.onClose();
    }, (e: Error) => {
      setBusy(null);
      setError(e.message);
      reload();
    });
  };
  const canSend = share.actions.includes('send') && (!needsConfirmation(share.verification) || confirmFaces);
  const canCancel = share.actions.includes('cancel');

  return (
    <div class="preview" data-share-id={share.id} data-status={share.status}>
      {share.status === 'exporting' && (
        <label class="bar">
          <progress max={100} value={percent ?? 0} aria-label="Preparing the export" />
          <span>Preparing the redacted file{percent !== null ? ` · ${percent}%` : '…'}</span>
        </label>
      )}
      {share.status !== 'exporting' && share.sha256 && (
        <>
          <p class="note">
            This is exactly the file that will leave your home. Watch it: check that every blurred area covers what it
            should in every frame. Nothing is sent until you press <strong>Send</strong>.
          </p>
          <div class="tracked-video">
            <video ref={player} class="player" data-testid="export-video" src={shareVideoUrl(share.id)} controls playsInline preload="metadata" onPlay={() => setMarked(null)} />
            {marked && <FindingMarker finding={marked} />}
          </div>
          <FaceCheck verification={share.verification} videoRef={player} confirmed={confirmFaces} onConfirm={setConfirmFaces} onMark={setMarked} />
          <Facts share={share} />
        </>
      )}
      {share.error && <p class="error">{share.error}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions sticky">
        {canCancel ? (
          <button type="button" onClick={() => act('cancel')} disabled={busy !== null}>{busy === 'cancel' ? 'Cancelling…' : 'Cancel'}</button>
        ) : (
          <button type="button" onClick={props.onClose}>Close</button>
        )}
        {canSend && (
          <button type="button" class="primary" onClick={() => act('send')} disabled={busy !== null}>{busy === 'send' ? 'Sending…' : 'Send'}</button>
        )}
      </div>
    </div>
  );
}

/** The preview as a dialog of its own (the Shares page opens it for a share that waits for Send). */
export function PreviewDialog(props: { share: Share; onClose: () => void; onSent: (s: Share) => void; fallbackFocus?: () => HTMLElement | null }) {
  return (
    <Modal labelledBy="preview-title" onClose={props.onClose} fallbackFocus={props.fallbackFocus}>
      <ModalHeader id="preview-title" title="Check the file before it is sent" onClose={props.onClose} />
      <ExportPreview share={props.share} onClose={props.onClose} onSent={props.onSent} />
    </Modal>
  );
}
