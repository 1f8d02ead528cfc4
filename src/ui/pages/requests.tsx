import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, thumbUrl, type Clip, type RequestView } from '../api.js';
import { when } from '../format.js';
import { useLive } from '../live.js';
import { ApproveDialog } from './approve.js';

/** Requests for assistance from the platform, with the local clips that fall in their window. */
export function RequestsPage() {
  const [requests, setRequests] = useState<RequestView[]>([]);
  const [approving, setApproving] = useState<{ clip: Clip; requestId: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<RequestView[]>('GET', '/api/requests').then(setRequests, (e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  useLive((type) => {
    if (type === 'request.received' || type === 'clip.updated' || type === 'resync') load();
  }, [load]);
  const open = (clipId: string, requestId: string): void => {
    api<Clip>('GET', `/api/clips/${clipId}`).then((clip) => setApproving({ clip, requestId }), (e: Error) => setError(e.message));
  };
  return (
    <section>
      <h1>Requests for assistance</h1>
      <p class="muted">Matching happens on this device. Declining sends nothing: the platform never learns whether you have footage.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {requests.length === 0 && <p class="empty">No open requests near you.</p>}
      <div class="list">
        {requests.map((r) => (
          <article key={r.id} class="card request" data-request-id={r.id}>
            <h2>{r.title}</h2>
            <p class="muted">{r.agency} · case {r.caseNumber} · {when(r.startsAt)} – {when(r.endsAt)}</p>
            {r.description && <p>{r.description}</p>}
            {r.candidateClipIds.length === 0 ? (
              <p class="muted">None of your clips fall in this time window.</p>
            ) : (
              <div class="candidates">
                {r.candidateClipIds.map((id) => (
                  <button key={id} type="button" class="thumb small" onClick={() => open(id, r.id)} aria-label={`Review clip ${id} for this request`}>
                    <img src={thumbUrl(id)} alt="" loading="lazy" />
                  </button>
                ))}
              </div>
            )}
          </article>
        ))}
      </div>
      {approving && (
        <ApproveDialog clip={approving.clip} cameraName={approving.clip.cameraId} requestId={approving.requestId}
          onClose={() => setApproving(null)} onDone={() => { setApproving(null); load(); }} />
      )}
    </section>
  );
}
