import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, clipUrl, thumbUrl, type Clip, type RequestView } from '../api.js';
import { cameraName, useCameras } from '../cameras.js';
import { EmptyState } from '../components/empty.js';
import { DOCS } from '../docs.js';
import { when } from '../format.js';
import { useLive, useNewest, useThrottled } from '../live.js';
import { ApproveDialog } from './approve.js';

/** How many candidate clips are looked up (for their camera and time) across all requests. */
const MAX_LOOKUPS = 60;

/** The candidate clips' details (camera, time), fetched once each. */
function useClips(ids: string[]): Map<string, Clip> {
  const [clips, setClips] = useState<Map<string, Clip>>(new Map());
  const wanted = ids.slice(0, MAX_LOOKUPS).join(',');
  useEffect(() => {
    const missing = wanted.split(',').filter((id) => id !== '' && !clips.has(id));
    if (missing.length === 0) return;
    void Promise.all(missing.map((id) => api<Clip>('GET', clipUrl(id)).catch(() => null))).then((found) => {
      setClips((old) => {
        const next = new Map(old);
        for (const c of found) if (c) next.set(c.id, c);
        return next;
      });
    });
  }, [wanted]);
  return clips;
}

function RequestsEmpty(props: { noPlatform: boolean }) {
  return (
    <EmptyState title={props.noPlatform ? 'No community platform configured' : 'No open requests near you'}
      docs={{ href: DOCS.requests, label: 'README: Requests for assistance' }}>
      <p>
        A request for assistance is a platform's question — usually from the police — for footage of a time window and an area. clipgate
        checks for new ones every few minutes and matches them with your clips on this device; answering means sharing a clip as usual, and
        declining sends nothing, so the platform never learns whether you have footage.
      </p>
      {props.noPlatform && <p>Requests arrive only with a platform: set <code>platform.url</code> and <code>platform.token</code> in the config file and restart clipgate.</p>}
    </EmptyState>
  );
}

/** Requests for assistance from the platform, with the local clips that fall in their window. */
export function RequestsPage() {
  const [requests, setRequests] = useState<RequestView[] | null>(null);
  const [noPlatform, setNoPlatform] = useState(false);
  const [approving, setApproving] = useState<{ clip: Clip; requestId: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cameras = useCameras();
  const newest = useNewest();
  const load = useCallback(() => {
    newest(api<RequestView[]>('GET', '/api/requests')).then(setRequests, (e: Error) => {
      if (e instanceof ApiError && e.code === 'SERVICE_UNAVAILABLE') {
        setNoPlatform(true);
        setRequests([]);
      } else setError(e.message);
    });
  }, [newest]);
  useEffect(load, [load]);
  // Throttled: a backlog of clips being analysed sends a clip.updated per clip.
  const reload = useThrottled(load, 1_000);
  useLive((type) => {
    if (type === 'request.received' || type === 'clip.updated' || type === 'resync') reload();
  }, [reload]);
  const clips = useClips((requests ?? []).flatMap((r) => r.candidateClipIds));
  const open = (clipId: string, requestId: string): void => {
    api<Clip>('GET', clipUrl(clipId)).then((clip) => setApproving({ clip, requestId }), (e: Error) => setError(e.message));
  };
  return (
    <section>
      <h1>Requests for assistance</h1>
      <p class="muted">Matching happens on this device. Declining sends nothing: the platform never learns whether you have footage.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {requests && requests.length === 0 && <RequestsEmpty noPlatform={noPlatform} />}
      <div class="list">
        {(requests ?? []).map((r, ri) => (
          <article key={r.id} class="card request" data-request-id={r.id}>
            <h2>{r.title}</h2>
            <p class="muted">{r.agency} · case {r.caseNumber} · {when(r.startsAt)} – {when(r.endsAt)}</p>
            {r.description && <p>{r.description}</p>}
            {r.candidateClipIds.length === 0 ? (
              <p class="muted">None of your clips fall in this time window.</p>
            ) : (
              <>
              <p class="sr" id={`req-hint-${ri}`}>Opens the clip to share it for this request</p>
              <ul class="candidates" aria-label="Your clips in this time window">
                {r.candidateClipIds.map((id) => {
                  const clip = clips.get(id);
                  const label = clip ? `${cameraName(cameras, clip.cameraId)}, ${when(clip.startedAt)}` : 'Clip';
                  return (
                    <li key={id} class="candidate" data-clip-id={id}>
                      <button type="button" onClick={() => open(id, r.id)} aria-describedby={`req-hint-${ri}`}>
                        <img src={thumbUrl(id)} alt="" loading="lazy" />
                        <span>{label}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
              </>
            )}
          </article>
        ))}
      </div>
      {approving && (
        <ApproveDialog clip={approving.clip} cameraName={cameraName(cameras, approving.clip.cameraId)} requestId={approving.requestId}
          onClose={() => setApproving(null)} onDone={() => { setApproving(null); load(); }} />
      )}
    </section>
  );
}
