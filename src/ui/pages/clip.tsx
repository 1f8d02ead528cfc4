import { useCallback, useEffect, useState } from 'preact/hooks';
import { prefersReducedMotion } from '../a11y.js';
import { api, clipUrl, rejectUrl, type ClipView } from '../api.js';
import { cameraName, useCameras } from '../cameras.js';
import { useLive } from '../live.js';
import { ApproveDialog } from './approve.js';
import { ClipCard } from './clip-card.js';
import { queueHref } from './queue-filters.js';

/**
 * One clip opened from a link (`#/clips/<id>`: a phone notification, the day strip): playing,
 * whatever its status — unless the owner asked the system for reduced motion (nothing starts by itself).
 */
export function ClipPage(props: { id: string }) {
  const [clip, setClip] = useState<ClipView | null>(null);
  const cameras = useCameras();
  const [approving, setApproving] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<ClipView>('GET', clipUrl(props.id)).then((c) => {
      setClip(c);
      setError(null);
    }, (e: Error) => setError(e.message));
  }, [props.id]);
  useEffect(load, [load]);
  useLive((type, data) => {
    const changed = data as { clip?: { id: string }; clipId?: string } | null;
    if (type === 'resync' || (type.startsWith('clip.') && (changed?.clip?.id ?? changed?.clipId) === props.id)) load();
  }, [load, props.id]);

  const reject = (): void => {
    setConfirming(false);
    api('POST', rejectUrl(props.id)).then(load, (e: Error) => setError(e.message));
  };
  const camera = clip ? cameraName(cameras, clip.cameraId) : '';

  return (
    <section>
      <div class="toolbar">
        <h1 tabIndex={-1}>Clip</h1>
        <a href={queueHref()}>All clips</a>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {!clip && !error && <p class="empty">Loading…</p>}
      {clip && (
        <div class="grid single">
          <ClipCard key={clip.id} clip={clip} camera={camera} open autoPlay={!prefersReducedMotion()} confirming={confirming} onConfirming={setConfirming}
            onOpen={() => undefined} onShare={() => setApproving(true)} onReject={reject} />
        </div>
      )}
      {clip && approving && (
        <ApproveDialog clip={clip} cameraName={camera} onClose={() => setApproving(false)} onDone={() => { setApproving(false); load(); }}
          fallbackFocus={() => document.querySelector<HTMLElement>('main h1')} />
      )}
    </section>
  );
}
