import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type CameraView, type Clip } from '../api.js';
import { useLive } from '../live.js';
import { ApproveDialog } from './approve.js';
import { ClipCard } from './queue.js';

/** One clip opened from a link (`#/clips/<id>`, e.g. a phone notification): playing, whatever its status. */
export function ClipPage(props: { id: string }) {
  const [clip, setClip] = useState<Clip | null>(null);
  const [cameras, setCameras] = useState<CameraView[]>([]);
  const [approving, setApproving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<Clip>('GET', `/api/clips/${encodeURIComponent(props.id)}`).then((c) => {
      setClip(c);
      setError(null);
    }, (e: Error) => setError(e.message));
  }, [props.id]);
  useEffect(load, [load]);
  useEffect(() => {
    api<CameraView[]>('GET', '/api/cameras').then(setCameras, () => undefined);
  }, []);
  useLive((type, data) => {
    const changed = data as { clip?: { id: string }; clipId?: string } | null;
    if (type === 'resync' || (type.startsWith('clip.') && (changed?.clip?.id ?? changed?.clipId) === props.id)) load();
  }, [load, props.id]);

  const reject = (): void => {
    api('POST', `/api/clips/${encodeURIComponent(props.id)}/reject`).then(load, (e: Error) => setError(e.message));
  };
  const camera = clip ? (cameras.find((c) => c.id === clip.cameraId)?.name ?? clip.cameraId) : '';

  return (
    <section>
      <div class="toolbar">
        <h1>Clip</h1>
        <a href="#/queue">All clips</a>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {!clip && !error && <p class="empty">Loading…</p>}
      {clip && (
        <div class="grid single">
          <ClipCard clip={clip} camera={camera} open onOpen={() => undefined} onShare={() => setApproving(true)} onReject={reject} />
        </div>
      )}
      {clip && approving && <ApproveDialog clip={clip} cameraName={camera} onClose={() => setApproving(false)} onDone={() => { setApproving(false); load(); }} />}
    </section>
  );
}
