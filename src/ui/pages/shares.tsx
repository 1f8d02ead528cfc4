import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, clipUrl, shareActionUrl, thumbUrl, type Share, type ShareAction } from '../api.js';
import { EmptyState } from '../components/empty.js';
import { DOCS } from '../docs.js';
import { bytes, when } from '../format.js';
import { removedSummary } from '../removed.js';
import { useLive, useNewest } from '../live.js';
import { PreviewDialog } from './preview.js';

/** How each status is shown: its badge, and whether a progress bar goes with it. */
const STATUS: Record<Share['status'], { label: string; bar: boolean }> = {
  exporting: { label: 'Redacting', bar: true },
  ready: { label: 'Waiting for your Send', bar: false },
  queued: { label: 'Queued', bar: true },
  uploading: { label: 'Uploading', bar: true },
  uploaded: { label: 'Uploaded', bar: true },
  failed: { label: 'Failed', bar: false },
  revoked: { label: 'Revoked', bar: false },
  cancelled: { label: 'Cancelled', bar: false },
};

interface Progress {
  phase: 'export' | 'upload';
  percent: number;
}

/**
 * What a button says, and what it asks before acting (revoking and deleting cannot be undone).
 * `send` opens the preview: consent is only ever given with the export in front of the owner.
 */
const BUTTON: Record<ShareAction, { label: string; confirm?: string }> = {
  send: { label: 'Preview and send…' },
  cancel: { label: 'Cancel', confirm: 'Confirm cancel' },
  retry: { label: 'Retry' },
  revoke: { label: 'Revoke', confirm: 'Confirm revoke' },
  delete: { label: 'Delete clip', confirm: 'Confirm delete' },
};

/** One button per action the server offers for this share; the rules themselves live on the server. */
function ActionButtons(props: { actions: ShareAction[]; onAction: (a: ShareAction) => void }) {
  const [confirming, setConfirming] = useState<ShareAction | null>(null);
  return (
    <div class="actions">
      {props.actions.map((a) => {
        const b = BUTTON[a];
        if (b.confirm && confirming === a) {
          return <button key={a} type="button" class="danger" onClick={() => props.onAction(a)}>{b.confirm}</button>;
        }
        return <button key={a} type="button" onClick={() => (b.confirm ? setConfirming(a) : props.onAction(a))}>{b.label}</button>;
      })}
    </div>
  );
}

function ShareRow(props: { share: Share; progress?: Progress; onAction: (a: ShareAction) => void }) {
  const s = props.share;
  const percent = s.status === 'uploaded' ? 100 : props.progress?.percent ?? (s.bytesTotal > 0 ? Math.round((100 * s.bytesSent) / s.bytesTotal) : 0);
  const shown = STATUS[s.status];
  return (
    <article class="share" data-share-id={s.id} data-status={s.status} aria-label={`Share of ${when(s.createdAt)}: ${shown.label}`}>
      <img class="mini" src={thumbUrl(s.clipId)} alt="" loading="lazy" />
      <div class="body">
        <div class="meta">
          <span class={`badge ${s.status}`}>{shown.label}</span>
          <span class="muted">{when(s.createdAt)}</span>
        </div>
        {s.caption && <p class="caption" data-testid="share-caption"><span class="sr">Caption: </span><q>{s.caption}</q></p>}
        {shown.bar && (
          <label class="bar">
            <progress max={100} value={percent} aria-label={`${shown.label} ${percent}%`} />
            <span>{props.progress?.phase === 'export' ? 'redacting ' : ''}{percent}%{s.bytesTotal > 0 ? ` of ${bytes(s.bytesTotal)}` : ''}</span>
          </label>
        )}
        {s.error && <p class="error">{s.error}</p>}
        <dl class="facts small">
          <dt>Removed</dt>
          <dd data-testid="share-removed">{removedSummary(s.redaction)}</dd>
          <dt>Shared file</dt>
          <dd>{s.sha256 ? <code class="hash" data-testid="share-sha256" title="SHA-256 of the redacted file that is (or will be) sent">sha256 {s.sha256}</code> : <span class="muted">{s.status === 'exporting' ? 'being made' : 'none'}</span>}</dd>
          {(s.uploadedAt || s.requestId) && <dt>Sent</dt>}
          {(s.uploadedAt || s.requestId) && <dd>{s.uploadedAt ? `uploaded ${when(s.uploadedAt)}` : ''}{s.requestId ? `${s.uploadedAt ? ' · ' : ''}for request ${s.requestId}` : ''}</dd>}
        </dl>
      </div>
      <ActionButtons actions={s.actions} onAction={props.onAction} />
    </article>
  );
}

function SharesEmpty() {
  return (
    <EmptyState title="Nothing shared yet" docs={{ href: DOCS.sharing, label: 'README: Reviewing and sharing' }}>
      <p>
        To share a clip, open it under <a href="#/queue">Review</a> and press <strong>Share…</strong>: choose what to blur, trim or keep,
        check the redacted file in the preview, then press <strong>Send</strong>. Nothing leaves this device before that. From a terminal:
        <code> clipgate clips approve ID</code>, then <code>clipgate clips send ID</code>.
      </p>
    </EmptyState>
  );
}

/** Every share with live progress and the actions the server offers for it; a ready share opens its preview for Send. */
export function SharesPage() {
  const [shares, setShares] = useState<Share[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [progress, setProgress] = useState<Record<string, Progress>>({});
  const [error, setError] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState<Share | null>(null);
  const newest = useNewest();
  const load = useCallback(() => {
    newest(api<Share[]>('GET', '/api/shares')).then((list) => {
      setShares([...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
      setLoaded(true);
    }, (e: Error) => setError(e.message));
  }, [newest]);
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
  const act = (share: Share, action: ShareAction): void => {
    const replace = (s: Share): void => setShares((old) => old.map((x) => (x.id === s.id ? s : x)));
    const fail = (e: Error): void => setError(e.message);
    if (action === 'send') setPreviewing(share);
    else if (action === 'delete') api<void>('DELETE', clipUrl(share.clipId)).then(load, fail);
    else api<Share>('POST', shareActionUrl(share.id, action)).then(replace, fail);
  };
  return (
    <section>
      <h1>Shares</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {loaded && shares.length === 0 && <SharesEmpty />}
      <div class="list">
        {shares.map((s) => <ShareRow key={s.id} share={s} progress={progress[s.id]} onAction={(a) => act(s, a)} />)}
      </div>
      {previewing && (
        <PreviewDialog share={previewing} onClose={() => { setPreviewing(null); load(); }} onSent={() => { setPreviewing(null); load(); }}
          fallbackFocus={() => document.querySelector<HTMLElement>(`[data-share-id="${CSS.escape(previewing.id)}"] button`)} />
      )}
    </section>
  );
}
