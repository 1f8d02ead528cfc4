import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, clipsUrl, detectUrl, thumbUrl, videoUrl, type CameraView, type Clip, type ClipPage } from '../api.js';
import { bytes, seconds, when } from '../format.js';
import { useLive } from '../live.js';
import { ApproveDialog } from './approve.js';
import { LabelChips, LabelFilter } from './label-chips.js';

const STATUSES = [
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
  { value: '', label: 'All' },
];

/** One clip: its thumbnail (or, open, its player), what it is, and Share/Reject while pending. */
export function ClipCard(props: { clip: Clip; camera: string; open: boolean; onOpen: () => void; onShare: () => void; onReject: () => void }) {
  const { clip } = props;
  const [confirming, setConfirming] = useState(false);
  return (
    <article class={`clip ${props.open ? 'open' : ''}`} data-clip-id={clip.id}>
      {props.open ? (
        <video class="player" src={videoUrl(clip.id)} controls autoplay muted playsInline preload="metadata" />
      ) : (
        <button type="button" class="thumb" onClick={props.onOpen} aria-label={`Play clip from ${props.camera} at ${when(clip.startedAt)}`}>
          <img src={thumbUrl(clip.id)} alt="" loading="lazy" />
          <span class="play" aria-hidden="true">▶</span>
          <span class="duration">{seconds(clip.durationMs)}</span>
        </button>
      )}
      <div class="meta">
        <strong>{props.camera}</strong>
        <span class={`badge ${clip.status}`}>{clip.status}</span>
        <span class="muted">{when(clip.startedAt)} · {clip.trigger} · {bytes(clip.sizeBytes)}</span>
        <LabelChips labels={clip.labels} analysis={clip.analysis} />
      </div>
      {clip.status === 'pending' && (
        <div class="actions">
          <button type="button" class="primary" onClick={props.onShare}>Share…</button>
          {confirming ? (
            <button type="button" class="danger" onClick={props.onReject}>Confirm reject</button>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>Reject</button>
          )}
        </div>
      )}
    </article>
  );
}

/** The review queue: newest first, filters, inline playback, share or reject in one or two taps. */
export function QueuePage() {
  const [status, setStatus] = useState('pending');
  const [camera, setCamera] = useState('');
  const [label, setLabel] = useState('');
  // review.hideUnlabelled: the default view (pending, any content) leaves out clips analysed as neither person nor vehicle.
  const [hideUnlabelled, setHideUnlabelled] = useState(false);
  const [cameras, setCameras] = useState<CameraView[]>([]);
  const [page, setPage] = useState<ClipPage>({ items: [], nextCursor: null });
  const [openId, setOpenId] = useState<string | null>(null);
  const [approving, setApproving] = useState<Clip | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<ClipPage>('GET', clipsUrl({ status, camera, label, hideUnlabelled: hideUnlabelled && status === 'pending' && label === '' })).then((p) => {
      setPage(p);
      setError(null);
    }, (e: Error) => setError(e.message));
  }, [status, camera, label, hideUnlabelled]);
  useEffect(load, [load]);
  useEffect(() => {
    api<CameraView[]>('GET', '/api/cameras').then(setCameras, () => undefined);
    api<{ hideUnlabelled: boolean }>('GET', detectUrl()).then((d) => setHideUnlabelled(d.hideUnlabelled), () => undefined);
  }, []);
  useLive((type) => {
    if (type.startsWith('clip.') || type === 'resync') load();
  }, [load]);

  const more = (): void => {
    api<ClipPage>('GET', clipsUrl({ status, camera, label, hideUnlabelled: hideUnlabelled && status === 'pending' && label === '', cursor: page.nextCursor })).then(
      (p) => setPage((old) => ({ items: [...old.items, ...p.items], nextCursor: p.nextCursor })),
      (e: Error) => setError(e.message),
    );
  };
  const reject = (clip: Clip): void => {
    api('POST', `/api/clips/${clip.id}/reject`).then(load, (e: Error) => setError(e.message));
  };
  const name = (id: string): string => cameras.find((c) => c.id === id)?.name ?? id;

  return (
    <section>
      <div class="toolbar">
        <h1>Review</h1>
        <label>
          <span class="sr">Status</span>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)} aria-label="Status">
            {STATUSES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
        </label>
        <label>
          <span class="sr">Camera</span>
          <select value={camera} onChange={(e) => setCamera(e.currentTarget.value)} aria-label="Camera">
            <option value="">All cameras</option>
            {cameras.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </label>
        <LabelFilter value={label} onChange={setLabel} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {page.items.length === 0 && !error && <p class="empty">No clips here. New motion clips appear automatically.</p>}
      <div class="grid">
        {page.items.map((clip) => (
          <ClipCard key={clip.id} clip={clip} camera={name(clip.cameraId)} open={openId === clip.id} onOpen={() => setOpenId(clip.id)} onShare={() => setApproving(clip)} onReject={() => reject(clip)} />
        ))}
      </div>
      {page.nextCursor && <button type="button" class="more" onClick={more}>Load older clips</button>}
      {approving && <ApproveDialog clip={approving} cameraName={name(approving.cameraId)} onClose={() => setApproving(null)} onDone={() => { setApproving(null); load(); }} />}
    </section>
  );
}
