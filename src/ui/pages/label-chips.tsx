import type { AnalysisState, ClipLabel, ClipLabels } from '../../core/types.js';

/** The queue's Content filter: any of the labels in a choice (the API's `label=a,b`). */
export const LABEL_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'Any content' },
  { value: 'person,vehicle', label: 'Person or vehicle' },
  { value: 'person', label: 'Person' },
  { value: 'vehicle', label: 'Vehicle' },
  { value: 'animal', label: 'Animal' },
];

const NAMES: Record<ClipLabel, string> = { person: 'Person', vehicle: 'Vehicle', animal: 'Animal', other: 'Other object' };
const ORDER: ClipLabel[] = ['person', 'vehicle', 'animal', 'other'];

/** What the on-device analysis saw in a clip, as small chips (score in the tooltip); nothing is decided by them. */
export function LabelChips(props: { labels: ClipLabels; analysis: AnalysisState }) {
  const present = ORDER.filter((l) => props.labels[l] !== undefined);
  if (props.analysis === 'pending') return <span class="chip muted" data-testid="labels">analysing…</span>;
  if (props.analysis !== 'done') return null;
  if (present.length === 0) return <span class="chip muted" data-testid="labels">nothing recognised</span>;
  return (
    <span class="chips" data-testid="labels">
      {present.map((l) => (
        <span key={l} class={`chip ${l}`} data-label={l} title={`${NAMES[l]}: score ${(props.labels[l] ?? 0).toFixed(2)}`}>{NAMES[l]}</span>
      ))}
    </span>
  );
}
