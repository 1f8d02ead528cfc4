import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, clipsUrl, thumbUrl, type CameraView, type ClipPage } from '../api.js';
import { when } from '../format.js';
import { EmptyState } from '../components/empty.js';
import { DOCS } from '../docs.js';
import { useLive } from '../live.js';

function CameraCard(props: { cam: CameraView; onChanged: () => void }) {
  const { cam } = props;
  // undefined while the last clip is being looked up, null when the camera has none.
  const [snapshot, setSnapshot] = useState<{ id: string; at: string } | null | undefined>(undefined);
  const [note, setNote] = useState<string | null>(null);
  const loadSnapshot = useCallback(() => {
    api<ClipPage>('GET', clipsUrl({ camera: cam.id, limit: 1 })).then((p) => {
      const c = p.items[0];
      setSnapshot(c ? { id: c.id, at: c.startedAt } : null);
    }, () => undefined);
  }, [cam.id]);
  useEffect(loadSnapshot, [loadSnapshot]);
  useLive((type, data) => {
    if (type === 'clip.created' && (data as { clip: { cameraId: string } }).clip.cameraId === cam.id) loadSnapshot();
  }, [loadSnapshot]);

  const privacy = cam.status === 'privacy';
  const setPrivacy = (enabled: boolean): void => {
    api<CameraView>('PUT', `/api/cameras/${cam.id}/privacy`, { enabled }).then(props.onChanged, (e: Error) => setNote(e.message));
  };
  const trigger = (): void => {
    api<{ eventId: string }>('POST', `/api/cameras/${cam.id}/trigger`, {}).then(() => setNote('Recording a clip now; it will appear in Review.'), (e: Error) => setNote(e.message));
  };
  return (
    <article class="card camera" data-camera-id={cam.id}>
      <div class="snapshot" aria-busy={snapshot === undefined}>
        {snapshot ? <img src={thumbUrl(snapshot.id)} alt={`Last clip from ${cam.name}`} /> : snapshot === null ? <span class="none">No clip yet</span> : null}
      </div>
      <div class="meta">
        <h2>{cam.name}</h2>
        <span class={`badge ${cam.status}`}>{cam.status}</span>
        <span class="muted">{cam.kind}{snapshot ? ` · last clip ${when(snapshot.at)}` : ''}</span>
      </div>
      {cam.lastError && <p class="error">{cam.lastError}</p>}
      <div class="actions">
        <label class="switch">
          <input type="checkbox" role="switch" checked={privacy} onChange={(e) => setPrivacy(e.currentTarget.checked)} />
          Privacy mode {privacy ? 'on: nothing is recorded' : 'off'}
        </label>
        <button type="button" onClick={trigger} disabled={privacy}>Record clip now</button>
      </div>
      {note && <p class="muted" role="status">{note}</p>}
    </article>
  );
}

/** Cameras: status, privacy switch, manual trigger and the newest clip's thumbnail. */
export function CamerasPage() {
  const [cams, setCams] = useState<CameraView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<CameraView[]>('GET', '/api/cameras').then(setCams, (e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  useLive((type) => {
    if (type.startsWith('camera.') || type === 'resync') load();
  }, [load]);
  return (
    <section>
      <h1>Cameras</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {cams && cams.length === 0 && (
        <EmptyState title="No cameras configured" docs={{ href: DOCS.cameras, label: 'README: Cameras — ONVIF, RTSP, doorbells and inbox folders' }}>
          <p>
            Cameras are listed under <code>cameras:</code> in the config file (<code>config/clipgate.yml</code>, or the file given with
            <code> --config</code>). <code>clipgate discover</code> finds ONVIF cameras on your network; <code>clipgate check-config</code> checks the
            file. Restart clipgate after editing it.
          </p>
        </EmptyState>
      )}
      <div class="grid wide">{(cams ?? []).map((c) => <CameraCard key={c.id} cam={c} onChanged={load} />)}</div>
    </section>
  );
}
