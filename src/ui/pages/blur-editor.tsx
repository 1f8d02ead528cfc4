import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { Region } from '../../core/types.js';

/** A rectangle being dragged, in frame fractions. */
interface Drag {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Keyboard steps, in frame fractions: an arrow moves or resizes by 1%, with Ctrl by 10%. */
const STEP = 0.01;
const BIG_STEP = 0.1;
const MIN_SIZE = 0.02;
const NEW_SIZE = 0.2;

const clamp = (v: number, lo = 0, hi = 1): number => Math.min(hi, Math.max(lo, v));
const round = (v: number): number => Math.round(v * 10_000) / 10_000;
const pct = (v: number): number => Math.round(v * 100);

function toRegion(d: Drag): Region {
  return { x: Math.min(d.x0, d.x1), y: Math.min(d.y0, d.y1), width: Math.abs(d.x1 - d.x0), height: Math.abs(d.y1 - d.y0) };
}

function tidy(r: Region): Region {
  return { x: round(r.x), y: round(r.y), width: round(r.width), height: round(r.height) };
}

/** What a screen reader hears, and what the list shows: position and size in % of the frame. */
export function describeArea(r: Region, i: number): string {
  return `Area ${i + 1}: left ${pct(r.x)}%, top ${pct(r.y)}%, ${pct(r.width)}% wide, ${pct(r.height)}% high`;
}

/** Moved by (dx, dy) and kept inside the frame. */
export function moveArea(r: Region, dx: number, dy: number): Region {
  return tidy({ ...r, x: clamp(r.x + dx, 0, 1 - r.width), y: clamp(r.y + dy, 0, 1 - r.height) });
}

/** Resized by (dw, dh) from its top-left corner, kept inside the frame and at least 2% a side. */
export function resizeArea(r: Region, dw: number, dh: number): Region {
  return tidy({ ...r, width: clamp(r.width + dw, MIN_SIZE, 1 - r.x), height: clamp(r.height + dh, MIN_SIZE, 1 - r.y) });
}

/** A new area, centred, each further one a little lower and to the right so they do not hide each other. */
function newArea(count: number): Region {
  const offset = (count % 5) * 0.05;
  return tidy({ x: 0.4 + offset - 0.1, y: 0.4 + offset - 0.1, width: NEW_SIZE, height: NEW_SIZE });
}

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/**
 * Blur rectangles on a frame, drawn with mouse, pen or finger, or with the keyboard alone: "Add
 * area", then on the picture the arrows move the selected area, Shift+arrows resize it (Ctrl: 10%
 * steps), 1–9 / PageUp / PageDown select one, Delete or Backspace removes it. Every change is
 * announced in a live region, and the list names each area's position and size in %.
 * Coordinates are fractions of the frame (what the export expects); the SVG overlay uses a 0..1
 * viewBox so no inline style is needed (the CSP forbids inline styles). `layers` draws more in the
 * same coordinates, under the owner's areas (e.g. what detection found).
 */
export function BlurEditor(props: { frameSrc: string; regions: Region[]; onChange: (r: Region[]) => void; tools?: ComponentChildren; layers?: ComponentChildren }) {
  const svg = useRef<SVGSVGElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [said, setSaid] = useState('');
  const { regions } = props;
  const current = selected !== null && selected < regions.length ? selected : null;

  const change = (next: Region[], select: number | null, message: string): void => {
    props.onChange(next);
    setSelected(select);
    setSaid(message);
  };
  const add = (): void => {
    const r = newArea(regions.length);
    change([...regions, r], regions.length, `${describeArea(r, regions.length)} added. Arrows move it, Shift+arrows resize it, Delete removes it.`);
    frame.current?.focus();
  };
  const select = (i: number): void => {
    const r = regions[i];
    if (!r) return;
    setSelected(i);
    setSaid(`${describeArea(r, i)} selected`);
  };
  const remove = (i: number): void => {
    const next = regions.filter((_, j) => j !== i);
    const left = next.length === 0 ? 'No areas left.' : `${next.length} ${next.length === 1 ? 'area' : 'areas'} left.`;
    change(next, next.length === 0 ? null : Math.min(i, next.length - 1), `Area ${i + 1} removed. ${left}`);
  };

  const keyDown = (e: KeyboardEvent): void => {
    if (e.altKey) return;
    const arrow = ARROWS[e.key];
    if (arrow && current !== null) {
      const r = regions[current];
      if (!r) return;
      e.preventDefault();
      const step = e.ctrlKey || e.metaKey ? BIG_STEP : STEP;
      const next = e.shiftKey ? resizeArea(r, arrow[0] * step, arrow[1] * step) : moveArea(r, arrow[0] * step, arrow[1] * step);
      change(regions.map((x, j) => (j === current ? next : x)), current, describeArea(next, current));
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && current !== null) {
      e.preventDefault();
      remove(current);
    } else if (e.key === 'PageDown' || e.key === 'PageUp') {
      if (regions.length === 0) return;
      e.preventDefault();
      const by = e.key === 'PageDown' ? 1 : -1;
      select(((current ?? (by > 0 ? -1 : 0)) + by + regions.length) % regions.length);
    } else if (/^[1-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      select(Number(e.key) - 1);
    } else if (e.key === 'a' && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      add();
    } else if (arrow && regions.length > 0) {
      e.preventDefault();
      setSaid('No area selected: press 1 for the first one, or PageDown.');
    }
  };

  const point = (e: PointerEvent): { x: number; y: number } => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return { x: 0, y: 0 };
    return { x: clamp((e.clientX - box.left) / box.width), y: clamp((e.clientY - box.top) / box.height) };
  };
  const down = (e: PointerEvent): void => {
    e.preventDefault();
    svg.current?.setPointerCapture(e.pointerId);
    // Keyboard editing continues where the pointer drew; the picture must not scroll under the pointer.
    frame.current?.focus({ preventScroll: true });
    const p = point(e);
    setDrag({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
  };
  const move = (e: PointerEvent): void => {
    if (!drag) return;
    const p = point(e);
    setDrag({ ...drag, x1: p.x, y1: p.y });
  };
  const up = (): void => {
    if (!drag) return;
    const r = toRegion(drag);
    setDrag(null);
    // A tap without a drag is not a region.
    if (r.width < 0.01 || r.height < 0.01) return;
    const next = tidy(r);
    change([...regions, next], regions.length, `${describeArea(next, regions.length)} added`);
  };

  const label = `Picture with ${regions.length} blur ${regions.length === 1 ? 'area' : 'areas'}${current !== null && regions[current] ? `; selected ${describeArea(regions[current], current)}` : ''}`;
  return (
    <div class="blur-editor">
      <div ref={frame} class="frame" tabIndex={0} role="group" aria-roledescription="blur area editor" aria-label={label} aria-describedby="blur-help" onKeyDown={keyDown}>
        <img src={props.frameSrc} alt="" draggable={false} />
        <svg ref={svg} class="overlay" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true" onPointerDown={down} onPointerMove={move} onPointerUp={up}
          onPointerCancel={() => setDrag(null)} data-testid="blur-canvas">
          {props.layers}
          {regions.map((r, i) => <rect key={i} x={r.x} y={r.y} width={r.width} height={r.height} class={`blur-rect${i === current ? ' selected' : ''}`} />)}
          {drag && <rect x={toRegion(drag).x} y={toRegion(drag).y} width={toRegion(drag).width} height={toRegion(drag).height} class="blur-rect drawing" />}
        </svg>
      </div>
      <div class="tools">
        <button type="button" class="small" onClick={add}>Add area</button>
        {props.tools}
      </div>
      <p id="blur-help" class="muted small">
        Drag on the picture to cover faces, plates or windows. With the keyboard: <strong>Add area</strong>, then on the picture the arrow keys
        move the selected area, Shift+arrows resize it (with Ctrl in steps of 10%), 1–9 or PageUp/PageDown select an area, Delete removes it.
      </p>
      <p class="sr" role="status" data-testid="blur-announce">{said}</p>
      <p class="muted small">{regions.length} {regions.length === 1 ? 'area' : 'areas'} will be blurred.</p>
      {regions.length > 0 && (
        <ul class="areas" aria-label="Blur areas">
          {regions.map((r, i) => (
            <li key={i} class={i === current ? 'selected' : ''}>
              <button type="button" class="link" aria-pressed={i === current} onClick={() => { select(i); frame.current?.focus(); }}>{describeArea(r, i)}</button>
              <button type="button" class="link" aria-label={`Remove area ${i + 1}`} onClick={() => remove(i)}>✕</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
