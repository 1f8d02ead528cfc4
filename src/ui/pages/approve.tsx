import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Region } from '../../core/types.js';
import { api, approveUrl, thumbUrl, type Clip, type RequestView, type Share } from '../api.js';
import { Modal, ModalHeader } from '../components/modal.js';
import { seconds, when } from '../format.js';
import { BlurEditor } from './blur-editor.js';
import { ClipPlayer } from './clip-player.js';
import { FaceTrackList, TrackOverlay, useFaceTracks } from './face-tracks.js';
import { ExportPreview } from './preview.js';
import { TrimBar } from './trim-bar.js';

function buildBody(o: { clip: Clip; includeAudio: boolean; start: number; end: number; regions: Region[]; caption: string; requestId: string }): Record<string, unknown> {
  const body: Record<string, unknown> = { stripAudio: !o.includeAudio };
  if (o.start > 0 || o.end < o.clip.durationMs) body.trim = { startMs: Math.round(o.start), endMs: Math.round(o.end) };
  if (o.regions.length > 0) body.blur = o.regions;
  if (o.caption.trim()) body.caption = o.caption.trim();
  if (o.requestId) body.requestId = o.requestId;
  return body;
}

export interface ApproveProps {
  clip: Clip;
  cameraName: string;
  requestId?: string;
  onClose: () => void;
  onDone: (s: Share) => void;
  /** Where focus goes when the dialog closes and the button that opened it is gone (the clip is no longer pending). */
  fallbackFocus?: () => HTMLElement | null;
}

/**
 * Approve with redaction — audio off by default, trim, blur areas, caption, link to a request —
 * then, in the same dialog, the preview of the export it prepares, with Send and Cancel
 * (ExportPreview). Approving alone sends nothing.
 */
export function ApproveDialog(props: ApproveProps) {
  const [prepared, setPrepared] = useState<Share | null>(null);
  const heading = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    // The form (and its focused button) is gone: focus goes to the preview's heading, inside the dialog,
    // in the same task that rendered it (an effect after paint would leave a frame with focus on nothing).
    if (prepared) heading.current?.querySelector('h2')?.focus();
  }, [prepared]);
  const close = prepared ? () => props.onDone(prepared) : props.onClose;
  return (
    <Modal labelledBy={prepared ? 'preview-title' : 'approve-title'} onClose={close} fallbackFocus={props.fallbackFocus}>
      {prepared ? (
        <div ref={heading}>
          <ModalHeader id="preview-title" title="Check the file before it is sent" onClose={close} />
          <ExportPreview share={prepared} onClose={close} onSent={props.onDone} />
        </div>
      ) : (
        <RedactionForm {...props} onPrepared={setPrepared} />
      )}
    </Modal>
  );
}

function RedactionForm(props: ApproveProps & { onPrepared: (s: Share) => void }) {
  const { clip } = props;
  const video = useRef<HTMLVideoElement>(null);
  const [includeAudio, setIncludeAudio] = useState(false);
  const [start, setStart] = useState(0);
  const [end, setEnd] = useState(clip.durationMs);
  const [regions, setRegions] = useState<Region[]>([]);
  const [caption, setCaption] = useState('');
  const [requestId, setRequestId] = useState(props.requestId ?? '');
  const [requests, setRequests] = useState<RequestView[]>([]);
  const [frame, setFrame] = useState(thumbUrl(clip.id));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const faces = useFaceTracks(clip.id);

  useEffect(() => {
    api<RequestView[]>('GET', '/api/requests').then(setRequests, () => setRequests([]));
  }, []);
  useEffect(() => () => {
    if (frame.startsWith('blob:')) URL.revokeObjectURL(frame);
  }, [frame]);

  const seek = (ms: number): void => {
    if (video.current) video.current.currentTime = ms / 1000;
  };
  const grabFrame = (): void => {
    const v = video.current;
    if (!v || v.videoWidth === 0) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')?.drawImage(v, 0, 0);
    canvas.toBlob((b) => b && setFrame(URL.createObjectURL(b)), 'image/jpeg', 0.85);
  };
  const submit = (e: Event): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api<Share>('POST', approveUrl(clip.id), { ...buildBody({ clip, includeAudio, start, end, regions, caption, requestId }), ...faces.body() }).then(props.onPrepared, (err: Error) => {
      setError(err.message);
      setBusy(false);
    });
  };
  const matching = requests.filter((r) => r.candidateClipIds.includes(clip.id));
  const others = requests.filter((r) => !r.candidateClipIds.includes(clip.id));

  return (
    <form onSubmit={submit}>
      <ModalHeader id="approve-title" title={`Share clip from ${props.cameraName}`} onClose={props.onClose} />
      <p class="muted">{when(clip.startedAt)} · {seconds(clip.durationMs)} · {clip.width}×{clip.height}</p>
      <ClipPlayer clip={clip} video={video} muted={!includeAudio} overlay={<TrackOverlay videoRef={video} faces={faces} />} />
      <TrimBar durationMs={clip.durationMs} start={start} end={end} onChange={(s, e2) => { setStart(s); setEnd(e2); }} seek={seek} />
      <fieldset>
        <legend>Blur areas</legend>
        <BlurEditor frameSrc={frame} regions={regions} onChange={setRegions}
          tools={<button type="button" class="small" onClick={grabFrame}>Use the video's current frame</button>} />
      </fieldset>
      {/* After the blur areas: it appears once the analysis is fetched and must not move the drawing canvas. */}
      <FaceTrackList faces={faces} videoRef={video} trimStartMs={start} />
      <fieldset>
        <legend>Audio</legend>
        <label class="check">
          <input type="checkbox" name="includeAudio" checked={includeAudio} disabled={!clip.hasAudio} onChange={(e) => setIncludeAudio(e.currentTarget.checked)} />
          Include audio {clip.hasAudio ? '' : '(this clip has none)'}
        </label>
        <p class="note">
          Audio is removed unless you include it. Recording people's conversations without their consent is illegal in
          many places (for example in "two-party consent" states and most of Europe); include audio only if sharing it is lawful.
        </p>
      </fieldset>
      <label>
        Caption (optional)
        <textarea name="caption" maxLength={500} rows={2} value={caption} onInput={(e) => setCaption(e.currentTarget.value)} />
      </label>
      {caption.trim() && <p class="caption-preview">Will be posted as: <q>{caption.trim()}</q></p>}
      <label>
        Answer a request for assistance
        <select name="requestId" value={requestId} onChange={(e) => setRequestId(e.currentTarget.value)}>
          <option value="">No request</option>
          {matching.map((r) => <option key={r.id} value={r.id}>{r.agency}: {r.title} (matches this clip)</option>)}
          {others.map((r) => <option key={r.id} value={r.id}>{r.agency}: {r.title}</option>)}
        </select>
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions sticky">
        <button type="button" onClick={props.onClose}>Cancel</button>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Preparing…' : 'Prepare and preview'}</button>
      </div>
    </form>
  );
}
