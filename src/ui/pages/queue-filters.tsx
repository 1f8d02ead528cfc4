import type { ComponentChildren } from 'preact';
import { CLIP_TRIGGERS } from '../../core/types.js';
import type { CameraView, ClipQuery } from '../api.js';
import { LABEL_FILTERS } from './label-chips.js';

/** The queue's filters as the owner sets them; days are local calendar days (YYYY-MM-DD). */
export interface Filters {
  status: string;
  camera: string;
  trigger: string;
  label: string;
  fromDay: string;
  toDay: string;
}

export const NO_FILTERS: Filters = { status: 'pending', camera: '', trigger: '', label: '', fromDay: '', toDay: '' };

const STATUSES = [
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
  { value: '', label: 'All' },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Local midnight at the start of `day` (YYYY-MM-DD), as the UTC instant the API compares with. */
export function dayStart(day: string): Date {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

/** YYYY-MM-DD of a date in local time. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The day after `day`, at local midnight (a DST day has 23 or 25 hours: the calendar decides, not 24 h). */
export function nextDayStart(day: string): Date {
  const d = dayStart(day);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
}

/** The days as the API's range: `from` is the first day's local midnight, `to` the midnight after the last day (exclusive). */
export function rangeOf(f: Pick<Filters, 'fromDay' | 'toDay'>): { from?: string; to?: string; error?: string } {
  const from = DAY.test(f.fromDay) ? dayStart(f.fromDay) : undefined;
  const to = DAY.test(f.toDay) ? nextDayStart(f.toDay) : undefined;
  if (from && to && to <= from) return { error: 'The last day is before the first day.' };
  return { ...(from && { from: from.toISOString() }), ...(to && { to: to.toISOString() }) };
}

/**
 * The API query for these filters. `hideUnlabelled` (review.hideUnlabelled) applies to the pending
 * queue without a label choice: analysed clips labelled neither person nor vehicle are left out.
 */
export function queryOf(f: Filters, hideUnlabelled = false): ClipQuery {
  const range = rangeOf(f);
  return {
    status: f.status, camera: f.camera, trigger: f.trigger, label: f.label,
    hideUnlabelled: hideUnlabelled && f.status === 'pending' && f.label === '',
    ...(range.from && { from: range.from }), ...(range.to && { to: range.to }),
  };
}

/** Filters live in the address (`#/queue?status=all&from=2026-11-29`): reload, back and a bookmark keep them. */
export function filtersFromHash(hash: string): Filters {
  const query = hash.split('?')[1] ?? '';
  const p = new URLSearchParams(query);
  const status = p.get('status');
  return {
    status: status === null ? NO_FILTERS.status : status === 'all' ? '' : status,
    camera: p.get('camera') ?? '',
    trigger: p.get('trigger') ?? '',
    label: p.get('label') ?? '',
    fromDay: p.get('from') ?? '',
    toDay: p.get('to') ?? '',
  };
}

export function hashOf(f: Filters): string {
  const p = new URLSearchParams();
  if (f.status !== NO_FILTERS.status) p.set('status', f.status === '' ? 'all' : f.status);
  if (f.camera) p.set('camera', f.camera);
  if (f.trigger) p.set('trigger', f.trigger);
  if (f.label) p.set('label', f.label);
  if (f.fromDay) p.set('from', f.fromDay);
  if (f.toDay) p.set('to', f.toDay);
  const q = p.toString();
  return q ? `#/queue?${q}` : '#/queue';
}

let lastQueue = '#/queue';

/** The queue as the owner last left it (filters included), for the clip page's way back. */
export function queueHref(): string {
  return lastQueue;
}

export function rememberQueue(f: Filters): void {
  lastQueue = hashOf(f);
}

export const isFiltered = (f: Filters): boolean => hashOf(f) !== hashOf(NO_FILTERS);

/** A labelled control; the label is the control's whole name (a label wrapping a select would add its value to it). */
function Field(props: { label: string; id: string; children: ComponentChildren }) {
  return (
    <div class="filter">
      <label for={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

function Select(props: { label: string; name: string; value: string; onChange: (v: string) => void; options: { value: string; label: string }[] }) {
  return (
    <Field label={props.label} id={`filter-${props.name}`}>
      <select id={`filter-${props.name}`} name={props.name} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </Field>
  );
}

/** Status, camera, trigger, content (the labels on-device analysis gave), first and last day. */
export function FilterBar(props: { filters: Filters; cameras: CameraView[]; onChange: (patch: Partial<Filters>) => void }) {
  const f = props.filters;
  // Each control reports only what it changed: two changes before the next render must both count.
  const set = (patch: Partial<Filters>): void => props.onChange(patch);
  // An address may name a label choice the list does not offer (`label=other`): keep it selectable.
  const labels = LABEL_FILTERS.some((o) => o.value === f.label) ? LABEL_FILTERS : [...LABEL_FILTERS, { value: f.label, label: f.label }];
  return (
    <fieldset class="filters">
      <legend class="sr">Filters</legend>
      <Select label="Status" name="status" value={f.status} onChange={(status) => set({ status })} options={STATUSES} />
      <Select label="Camera" name="camera" value={f.camera} onChange={(camera) => set({ camera })}
        options={[{ value: '', label: 'All cameras' }, ...props.cameras.map((c) => ({ value: c.id, label: c.name }))]} />
      <Select label="Trigger" name="trigger" value={f.trigger} onChange={(trigger) => set({ trigger })}
        options={[{ value: '', label: 'Any trigger' }, ...CLIP_TRIGGERS.map((t) => ({ value: t, label: t }))]} />
      <Select label="Content" name="label" value={f.label} onChange={(label) => set({ label })} options={labels} />
      <Field label="From" id="filter-from">
        <input id="filter-from" type="date" name="fromDay" value={f.fromDay} max={f.toDay || undefined} onChange={(e) => set({ fromDay: e.currentTarget.value })} />
      </Field>
      <Field label="To" id="filter-to">
        <input id="filter-to" type="date" name="toDay" value={f.toDay} min={f.fromDay || undefined} onChange={(e) => set({ toDay: e.currentTarget.value })} />
      </Field>
      {isFiltered(f) && <button type="button" class="small" onClick={() => props.onChange(NO_FILTERS)}>Clear filters</button>}
    </fieldset>
  );
}
