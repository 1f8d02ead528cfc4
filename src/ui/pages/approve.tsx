import { useEffect, useRef, useState } from 'preact/hooks';
import type { Region } from '../../core/types.js';
import { api, approveUrl, thumbUrl, videoUrl, type Clip, type RequestView, type Share } from '../api.js';
import { seconds, when } from '../format.js';
import { BlurEditor } from './blur-editor.js';
import { FaceTrackList, TrackedVideo, useFaceTracks } from './face-tracks.js';
import { ExportPreview } from './preview.js';

/** Two handles on the clip's timeline; the video jumps to the handle being moved. */
function TrimBar(props: { durationMs: number; start: number; end: number; onChange: (start: number, end: number) => void; seek: (ms: number) => void }) {
  const step = 100;
  return (
    <fieldset class="trim">
      <legend>Trim: {seconds(props.start)} – {seconds(props.end)} ({seconds(props.end - props.start)})</legend>
      <label>
        Start
        <input type="range" name="trimStart" min={0} max={props.durationMs} step={step} value={props.start}
          onInput={(e) => {
            const v = Math.min(Number(e.currentTarget.value), props.end - 500);
            props.onChange(Math.max(0, v), props.end);
            props.seek(v);
          }} />
      </label>
      <label>
        End
        <input type="range" name="trimEnd" min={0} max={props.durationMs} step={step} value={props.end}
          onInput={(e) => {
            const v = Math.max(Number(e.currentTarget.value), props.start + 500);
            props.onChange(props.start, Math.min(props.durationMs, v));
            props.seek(v);
          }} />
      </label>
    </fieldset>
  );
}

function buildBody(o: { clip: Clip; includeAudio: boolean; start: number; end: number; regions: Region[]; caption: string; requestId: string }): Record<string, unknown> {
  const body: Record<string, unknown> = { stripAudio: !o.includeAudio };
  if (o.start > 0 || o.end < o.clip.durationMs) body.trim = { startMs: Math.round(o.start), endMs: Math.round(o.end) };
  if (o.regions.length > 0) body.blur = o.regions;
  if (o.caption.trim()) body.caption = o.caption.trim();
  if (o.requestId) body.requestId = o.requestId;
  return body;
}

/**
 * Approve with redaction — audio off by default, trim, blur areas, caption, link to a request —
 * then the preview of the export it prepares, with Send and Cancel (ExportPreview). Approving
 * alone sends nothing.
 */
export function ApproveDialog(props: { clip: Clip; cameraName: string; requestId?: string; onClose: () => void; onDone: (s: Share) => void }) {
  const [prepared, setPrepared] = useState<Share | null>(null);
  if (prepared) {
    return (
      <div class="backdrop" role="presentation">
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="preview-title">
          <header>
            <h2 id="preview-title">Check the file before it is sent</h2>
            <button type="button" class="link" onClick={() => props.onDone(prepared)} aria-label="Close">✕</button>
          </header>
          <ExportPreview share={prepared} onClose={() => props.onDone(prepared)} onSent={props.onDone} />
        </div>
      </div>
    );
  }
  return <RedactionForm {...props} onPrepared={setPrepared} />;
}

function RedactionForm(props: { clip: Clip; cameraName: string; requestId?: string; onClose: () => void; onPrepared: (s: Share) => void }) {
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
    <div class="backdrop" role="presentation">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="approve-title">
      <form onSubmit={submit}>
        <header>
          <h2 id="approve-title">Share clip from {props.cameraName}</h2>
          <button type="button" class="link" onClick={props.onClose} aria-label="Close">✕</button>
        </header>
        <p class="muted">{when(clip.startedAt)} · {seconds(clip.durationMs)} · {clip.width}×{clip.height}</p>
        <TrackedVideo videoRef={video} src={videoUrl(clip.id)} muted={!includeAudio} faces={faces} />
        <TrimBar durationMs={clip.durationMs} start={start} end={end} onChange={(s, e2) => { setStart(s); setEnd(e2); }} seek={seek} />
        <fieldset>
          <legend>Blur areas</legend>
          <button type="button" class="small" onClick={grabFrame}>Use the video's current frame</button>
          <BlurEditor frameSrc={frame} regions={regions} onChange={setRegions} />
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
      </div>
    </div>
  );
}
