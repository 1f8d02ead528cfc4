import { useEffect, useState } from 'preact/hooks';
import { api, clipsUrl, thumbUrl, type CameraView, type ClipPage, type ClipView } from '../api.js';
import { when } from '../format.js';
import { dayStart, localDay, nextDayStart } from './queue-filters.js';

/** The most clips one camera row asks for; a busier day says how many more there are. */
const PER_CAMERA = 200;
const HOURS = Array.from({ length: 24 }, (_, h) => h);

interface Row {
  camera: CameraView;
  clips: ClipView[];
  more: boolean;
}

/** One camera's day: 24 hour slots, each with that hour's thumbnails (lazy: only those scrolled into view load). */
function CameraRow(props: { row: Row }) {
  const { camera, clips, more } = props.row;
  const byHour = HOURS.map((h) => clips.filter((c) => new Date(c.startedAt).getHours() === h));
  return (
    <li class="strip-row" data-camera-id={camera.id}>
      <h2>{camera.name} <span class="muted small">{clips.length}{more ? '+' : ''} {clips.length === 1 ? 'clip' : 'clips'}</span></h2>
      <div class="hours" role="group" aria-label={`${camera.name}, clips by hour`} tabIndex={0}>
        {HOURS.map((h) => (
          <div key={h} class="hour">
            <span class="hour-label" aria-hidden="true">{String(h).padStart(2, '0')}</span>
            {byHour[h]?.map((c) => (
              <a key={c.id} href={`#/clips/${encodeURIComponent(c.id)}`} class="strip-thumb" data-clip-id={c.id}>
                <img src={thumbUrl(c.id)} alt="" loading="lazy" width={64} height={36} />
                <span class="sr">{camera.name} at {when(c.startedAt)}, {c.status}</span>
              </a>
            ))}
          </div>
        ))}
      </div>
    </li>
  );
}

/**
 * A day at a glance: one row per camera, its clips' thumbnails along the day's 24 hours (local
 * time); a thumbnail opens that clip. Loaded only while open, with the queue's status and trigger
 * filters; one request per camera.
 */
export function DayStrip(props: { cameras: CameraView[]; status: string; trigger: string; initialDay: string }) {
  const [open, setOpen] = useState(false);
  const [day, setDay] = useState(props.initialDay || localDay(new Date()));
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
    let current = true;
    const range = { from: dayStart(day).toISOString(), to: nextDayStart(day).toISOString() };
    Promise.all(
      props.cameras.map((camera) =>
        api<ClipPage>('GET', clipsUrl({ camera: camera.id, status: props.status, trigger: props.trigger, ...range, limit: PER_CAMERA })).then(
          (p): Row => ({ camera, clips: p.items, more: p.nextCursor !== null }),
        ),
      ),
    ).then(
      (r) => {
        if (current) {
          setRows(r);
          setError(null);
        }
      },
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [open, day, props.cameras, props.status, props.trigger]);

  return (
    <details class="day-strip" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Day at a glance</summary>
      <div class="filter">
        <label for="strip-day">Day</label>
        <input id="strip-day" type="date" name="stripDay" value={day} onChange={(e) => setDay(e.currentTarget.value)} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {rows && rows.length === 0 && <p class="muted">No cameras configured.</p>}
      {rows && <ul class="strip">{rows.map((r) => <CameraRow key={r.camera.id} row={r} />)}</ul>}
    </details>
  );
}
