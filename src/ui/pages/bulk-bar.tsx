import { useEffect, useRef, useState } from 'preact/hooks';
import { api, bulkUrl, type BulkResult } from '../api.js';

export type BulkAction = 'reject' | 'delete';

const DONE: Record<BulkAction, string> = { reject: 'rejected', delete: 'deleted' };

/** What the owner reads after a bulk action: how many were done, and each refusal with the server's reason. */
export interface BulkOutcome {
  action: BulkAction;
  done: number;
  refused: { id: string; name: string; message: string }[];
}

/**
 * Reject or delete the selected clips in one request; the server does each on its own (its own
 * ledger entry) and answers per clip. Each action asks once more before it runs. Sharing is never
 * offered here: consent stays per clip, and the bar says so.
 */
export function BulkBar(props: {
  pageIds: string[];
  selected: Set<string>;
  nameOf: (id: string) => string;
  onSelectAll: (all: boolean) => void;
  onDone: (o: BulkOutcome, results: BulkResult[]) => void;
}) {
  const [confirming, setConfirming] = useState<BulkAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const all = useRef<HTMLInputElement>(null);
  const n = props.selected.size;
  const onPage = props.pageIds.filter((id) => props.selected.has(id)).length;
  const allOnPage = props.pageIds.length > 0 && onPage === props.pageIds.length;
  useEffect(() => {
    if (all.current) all.current.indeterminate = onPage > 0 && !allOnPage;
  }, [onPage, allOnPage]);
  useEffect(() => {
    setConfirming(null);
  }, [n]);

  const run = (action: BulkAction): void => {
    setBusy(true);
    setError(null);
    const ids = [...props.selected];
    api<BulkResult[]>('POST', bulkUrl(action), { ids }).then(
      (results) => {
        setBusy(false);
        setConfirming(null);
        const refused = results.filter((r) => !r.ok).map((r) => ({ id: r.id, name: props.nameOf(r.id), message: r.error?.message ?? 'refused' }));
        props.onDone({ action, done: results.length - refused.length, refused }, results);
      },
      (e: Error) => {
        setBusy(false);
        setError(e.message);
      },
    );
  };
  const button = (action: BulkAction, label: string) =>
    confirming === action ? (
      <button type="button" class="danger" disabled={busy} onClick={() => run(action)}>{busy ? 'Working…' : `Confirm: ${action} ${n} ${n === 1 ? 'clip' : 'clips'}`}</button>
    ) : (
      <button type="button" disabled={n === 0 || busy} onClick={() => setConfirming(action)}>{label}</button>
    );

  return (
    <div class="bulk" role="region" aria-label="Selected clips">
      <label class="check">
        <input ref={all} type="checkbox" name="selectAll" checked={allOnPage} disabled={props.pageIds.length === 0} onChange={(e) => props.onSelectAll(e.currentTarget.checked)} />
        Select all on this page
      </label>
      <span class="count" aria-live="polite">{n} selected</span>
      {button('reject', 'Reject selected')}
      {button('delete', 'Delete selected')}
      {n > 0 && <button type="button" class="link" onClick={() => props.onSelectAll(false)}>Clear selection</button>}
      <p class="note" id="bulk-note">
        Only rejecting and deleting work on several clips at once. Sharing never does: you approve each clip on its own, after seeing exactly what will leave.
        {confirming === 'delete' && ' Deleting removes the clips and their files for good.'}
      </p>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

export function outcomeText(o: BulkOutcome): string {
  const head = `${o.done} ${o.done === 1 ? 'clip' : 'clips'} ${DONE[o.action]}.`;
  return o.refused.length === 0 ? head : `${head} ${o.refused.length} refused:`;
}
