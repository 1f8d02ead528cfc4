import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, thumbUrl, type Share } from '../api.js';
import { bytes, short, when } from '../format.js';
import { useLive } from '../live.js';

const REVOCABLE = new Set(['exporting', 'queued', 'uploading', 'uploaded', 'failed']);
const LABEL: Record<Share['status'], string> = {
  exporting: 'Redacting', queued: 'Queued', uploading: 'Uploading', uploaded: 'Uploaded', failed: 'Failed', revoked: 'Revoked',
};

interface Progress {
  phase: 'export' | 'upload';
  percent: number;
}

function ShareRow(props: { share: Share; progress?: Progress; onRevoke: () => void; onRetry: () => void }) {
  const s = props.share;
  const [confirming, setConfirming] = useState(false);
  const percent = s.status === 'uploaded' ? 100 : props.progress?.percent ?? (s.bytesTotal > 0 ? Math.round((100 * s.bytesSent) / s.bytesTotal) : 0);
  const active = s.status === 'exporting' || s.status === 'uploading' || s.status === 'queued';
  return (
    <article class="share" data-share-id={s.id} data-status={s.status}>
      <img class="mini" src={thumbUrl(s.clipId)} alt="" loading="lazy" />
      <div class="body">
        <div class="meta">
          <span class={`badge ${s.status}`}>{LABEL[s.status]}</span>
          <span class="muted">{when(s.createdAt)}</span>
        </div>
        {(active || s.status === 'uploaded') && (
          <label class="bar">
            <progress max={100} value={percent} aria-label={`${LABEL[s.status]} ${percent}%`} />
            <span>{props.progress?.phase === 'export' ? 'redacting ' : ''}{percent}%{s.bytesTotal > 0 ? ` of ${bytes(s.bytesTotal)}` : ''}</span>
          </label>
        )}
        {s.error && <p class="error">{s.error}</p>}
        <p class="muted small">sha256 {short(s.sha256)}{s.uploadedAt ? ` · uploaded ${when(s.uploadedAt)}` : ''}{s.requestId ? ` · request ${s.requestId}` : ''}</p>
      </div>
      <div class="actions">
        {s.status === 'failed' && <button type="button" onClick={props.onRetry}>Retry</button>}
        {REVOCABLE.has(s.status) && (confirming ? (
          <button type="button" class="danger" onClick={props.onRevoke}>Confirm revoke</button>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>Revoke</button>
        ))}
      </div>
    </article>
  );
}

/** Every share with live progress; revoking deletes the upload on the platform. */
export function SharesPage() {
  const [shares, setShares] = useState<Share[]>([]);
  const [progress, setProgress] = useState<Record<string, Progress>>({});
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<Share[]>('GET', '/api/shares').then((list) => setShares([...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt))), (e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  useLive((type, data) => {
    if (type === 'share.progress') {
      const p = data as { shareId: string; phase: Progress['phase']; percent: number; bytesSent?: number; bytesTotal?: number };
      setProgress((old) => ({ ...old, [p.shareId]: { phase: p.phase, percent: Math.round(p.percent) } }));
    } else if (type.startsWith('share.')) {
      const { share } = data as { share: Share };
      setShares((old) => (old.some((s) => s.id === share.id) ? old.map((s) => (s.id === share.id ? share : s)) : [share, ...old]));
    } else if (type === 'resync') load();
  }, [load]);
  const revoke = (id: string): void => {
    api<Share>('POST', `/api/shares/${id}/revoke`).then((s) => setShares((old) => old.map((x) => (x.id === id ? s : x))), (e: Error) => setError(e.message));
  };
  const retry = (id: string): void => {
    api<Share>('POST', `/api/shares/${id}/retry`).then((s) => setShares((old) => old.map((x) => (x.id === id ? s : x))), (e: Error) => setError(e.message));
  };
  return (
    <section>
      <h1>Shares</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {shares.length === 0 && <p class="empty">Nothing has been shared. Approved clips appear here while they upload.</p>}
      <div class="list">
        {shares.map((s) => <ShareRow key={s.id} share={s} progress={progress[s.id]} onRevoke={() => revoke(s.id)} onRetry={() => retry(s.id)} />)}
      </div>
    </section>
  );
}
