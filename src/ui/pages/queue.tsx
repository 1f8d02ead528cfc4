import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, clipsUrl, detectUrl, rejectUrl, type BulkResult, type ClipPage, type ClipView } from '../api.js';
import { cameraName, useCameras } from '../cameras.js';
import { useLive, useNewest, useThrottled } from '../live.js';
import { ApproveDialog } from './approve.js';
import { BulkBar, outcomeText, type BulkOutcome } from './bulk-bar.js';
import { ClipCard, clipName } from './clip-card.js';
import { DayStrip } from './day-strip.js';
import { QueueEmpty } from './queue-empty.js';
import { FilterBar, filtersFromHash, hashOf, isFiltered, NO_FILTERS, queryOf, rangeOf, rememberQueue, type Filters } from './queue-filters.js';
import { ShortcutsDialog, useQueueKeys, type QueueCommand } from './shortcuts.js';

type Page = { items: ClipView[]; nextCursor: string | null };

const cardOf = (id: string): HTMLElement | null => document.querySelector<HTMLElement>(`article.clip[data-clip-id="${CSS.escape(id)}"]`);

/** Where focus goes when a dialog closes and its clip has left the list: the card now in its place, else the page heading. */
function near(id: string, index: number): HTMLElement | null {
  const cards = document.querySelectorAll<HTMLElement>('article.clip');
  return cardOf(id) ?? cards[Math.min(index, cards.length - 1)] ?? document.querySelector<HTMLElement>('main h1');
}

/** Selection: a set of ids, with the last one clicked as the anchor of a Shift range. */
function useSelection(items: ClipView[]) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [anchor, setAnchor] = useState<string | null>(null);
  const toggle = (id: string, range: boolean): void => {
    const ids = items.map((c) => c.id);
    const from = anchor !== null ? ids.indexOf(anchor) : -1;
    const to = ids.indexOf(id);
    setSelected((old) => {
      const next = new Set(old);
      if (range && from >= 0 && to >= 0) {
        for (const x of ids.slice(Math.min(from, to), Math.max(from, to) + 1)) next.add(x);
      } else if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
    setAnchor(id);
  };
  const setAll = (all: boolean): void => setSelected(all ? new Set(items.map((c) => c.id)) : new Set());
  const keep = (ids: string[]): void => setSelected(new Set(ids));
  return { selected, toggle, setAll, keep };
}

/**
 * The review queue: newest first, filters (kept in the address), multi-select to reject or delete
 * at once, keyboard shortcuts (`?`), a per-camera day at a glance, inline playback, and share or
 * reject clip by clip.
 */
export function QueuePage() {
  const [filters, setFilters] = useState<Filters>(() => filtersFromHash(location.hash));
  const cameras = useCameras();
  const [page, setPage] = useState<Page | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);
  const focusConfirm = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (confirmingId === null || focusConfirm.current !== confirmingId) return;
    focusConfirm.current = null;
    cardOf(confirmingId)?.querySelector<HTMLElement>('.confirm-reject')?.focus();
  }, [confirmingId]);
  const [approving, setApproving] = useState<ClipView | null>(null);
  const [help, setHelp] = useState(false);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  // review.hideUnlabelled: the default view (pending, any content) leaves out clips analysed as neither person nor vehicle.
  const [hideUnlabelled, setHideUnlabelled] = useState(false);
  const [showUnlabelled, setShowUnlabelled] = useState(false);
  const hiding = queryOf(filters, hideUnlabelled).hideUnlabelled === true;
  const items = page?.items ?? [];
  const selection = useSelection(items);
  const range = rangeOf(filters);

  // Only the newest list request may fill the page: a slow answer for filters already left behind is dropped.
  const newest = useNewest();
  const load = useCallback(() => {
    if (rangeOf(filters).error) return;
    newest(api<ClipPage>('GET', clipsUrl(queryOf(filters, hideUnlabelled && !showUnlabelled)))).then((p) => {
      setPage(p);
      setError(null);
    }, (e: Error) => setError(e.message));
  }, [filters, hideUnlabelled, showUnlabelled, newest]);
  useEffect(load, [load]);
  useEffect(() => {
    api<{ hideUnlabelled: boolean }>('GET', detectUrl()).then((d) => setHideUnlabelled(d.hideUnlabelled), () => undefined);
  }, []);
  // At most one reload a second while clip events stream in (analysis of a backlog sends one per clip).
  const reload = useThrottled(load, 1_000);
  useLive((type) => {
    if (type.startsWith('clip.') || type === 'resync') reload();
  }, [reload]);
  useEffect(() => rememberQueue(filters), [filters]);
  useEffect(() => {
    // A link or Back to another queue address (`#/queue?from=…`) while the queue is shown.
    const onHash = (): void => {
      if (/^#\/queue(\?|$)/.test(location.hash)) setFilters(filtersFromHash(location.hash));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  // The newest filters, also between a change and the render it causes (a quick From then To must keep both).
  const latest = useRef(filters);
  latest.current = filters;
  const changeFilters = (patch: Partial<Filters>): void => {
    const f = { ...latest.current, ...patch };
    latest.current = f;
    history.replaceState(null, '', hashOf(f));
    setFilters(f);
    selection.setAll(false);
  };

  const more = (): void => {
    // The next page belongs to the list on screen: if a newer list replaced it meanwhile, it is dropped.
    const shown = page;
    api<ClipPage>('GET', clipsUrl({ ...queryOf(filters, hideUnlabelled && !showUnlabelled), cursor: page?.nextCursor ?? null })).then(
      (p) => setPage((old) => (old === shown ? { items: [...(old?.items ?? []), ...p.items], nextCursor: p.nextCursor } : old)),
      (e: Error) => setError(e.message),
    );
  };
  const reject = (clip: ClipView): void => {
    setConfirmingId(null);
    api('POST', rejectUrl(clip.id)).then(load, (e: Error) => setError(e.message));
  };
  const name = (id: string): string => cameraName(cameras, id);
  const nameOfClip = (id: string): string => {
    const clip = items.find((c) => c.id === id);
    return clip ? clipName(name(clip.cameraId), clip) : id;
  };
  const bulkDone = (o: BulkOutcome, results: BulkResult[]): void => {
    setOutcome(o);
    selection.keep(results.filter((r) => !r.ok).map((r) => r.id));
    load();
  };

  const focusCard = (index: number): void => {
    const clip = items[Math.max(0, Math.min(items.length - 1, index))];
    if (clip) cardOf(clip.id)?.focus();
  };
  useQueueKeys((command: QueueCommand, cardId: string | null) => {
    const index = cardId === null ? -1 : items.findIndex((c) => c.id === cardId);
    const clip = index >= 0 ? items[index] : undefined;
    if (command === 'help') setHelp(true);
    else if (command === 'next') focusCard(index + 1);
    else if (command === 'previous') focusCard(index < 0 ? 0 : index - 1);
    else if (!clip) return;
    else if (command === 'play') togglePlay(clip);
    else if (command === 'share' && clip.status === 'pending') setApproving(clip);
    else if (command === 'reject' && clip.status === 'pending') {
      // The card re-renders with its Confirm reject button, focused as it renders (below); Enter then confirms, anything else leaves it.
      if (confirmingId === clip.id) cardOf(clip.id)?.querySelector<HTMLElement>('.confirm-reject')?.focus();
      else {
        focusConfirm.current = clip.id;
        setConfirmingId(clip.id);
      }
    } else if (command === 'select') selection.toggle(clip.id, false);
    else if (command === 'selectRange') selection.toggle(clip.id, true);
  });
  const togglePlay = (clip: ClipView): void => {
    const video = cardOf(clip.id)?.querySelector('video');
    if (!video) {
      setOpenId(clip.id);
      return;
    }
    if (video.paused) void video.play().catch(() => undefined);
    else video.pause();
  };

  return (
    <section class="queue">
      <div class="toolbar">
        <h1 tabIndex={-1}>Review</h1>
        <button type="button" class="link" onClick={() => setHelp(true)} aria-keyshortcuts="?">Keyboard shortcuts (?)</button>
      </div>
      <FilterBar filters={filters} cameras={cameras ?? []} onChange={changeFilters} />
      {hiding && (
        <p class="note" data-testid="hidden-unlabelled">
          {showUnlabelled
            ? 'Showing every clip, also those in which on-device analysis saw neither a person nor a vehicle. '
            : 'Clips in which on-device analysis saw neither a person nor a vehicle are not shown here (review.hideUnlabelled). '}
          <button type="button" class="link" onClick={() => setShowUnlabelled(!showUnlabelled)}>{showUnlabelled ? 'Hide them' : 'Show them'}</button>
        </p>
      )}
      {range.error && <p class="error" role="alert">{range.error}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {cameras && cameras.length > 0 && <DayStrip cameras={filters.camera ? cameras.filter((c) => c.id === filters.camera) : cameras} status={filters.status} trigger={filters.trigger} initialDay={filters.toDay || filters.fromDay} />}
      {items.length > 0 && (
        <BulkBar pageIds={items.map((c) => c.id)} selected={selection.selected} nameOf={nameOfClip} onSelectAll={selection.setAll} onDone={bulkDone} />
      )}
      <div role="status" class="outcome">
        {outcome && (
          <>
            <p>{outcomeText(outcome)}</p>
            {outcome.refused.length > 0 && (
              <ul class="refused">{outcome.refused.map((r) => <li key={r.id} data-clip-id={r.id}>{r.name}: {r.message}</li>)}</ul>
            )}
          </>
        )}
      </div>
      {page && items.length === 0 && !error && <QueueEmpty filtered={isFiltered(filters)} cameras={cameras} onClear={() => changeFilters(NO_FILTERS)} />}
      <div class="grid">
        {items.map((clip) => (
          <ClipCard key={clip.id} clip={clip} camera={name(clip.cameraId)} open={openId === clip.id} autoPlay selected={selection.selected.has(clip.id)}
            onSelect={(e) => selection.toggle(clip.id, e.shiftKey)} confirming={confirmingId === clip.id}
            onConfirming={(on) => setConfirmingId(on ? clip.id : null)} onOpen={() => setOpenId(clip.id)} onShare={() => setApproving(clip)} onReject={() => reject(clip)} />
        ))}
      </div>
      {page?.nextCursor && <button type="button" class="more" onClick={more}>Load older clips</button>}
      {approving && (
        <ApproveDialog clip={approving} cameraName={name(approving.cameraId)} fallbackFocus={() => near(approving.id, items.indexOf(approving))}
          onClose={() => setApproving(null)} onDone={() => { setApproving(null); load(); }} />
      )}
      {help && <ShortcutsDialog onClose={() => setHelp(false)} />}
    </section>
  );
}
