import { useRef, useState } from 'preact/hooks';
import type { Region } from '../../core/types.js';

/** A rectangle being dragged, in frame fractions. */
interface Drag {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function toRegion(d: Drag): Region {
  return { x: Math.min(d.x0, d.x1), y: Math.min(d.y0, d.y1), width: Math.abs(d.x1 - d.x0), height: Math.abs(d.y1 - d.y0) };
}

const clamp = (v: number): number => Math.min(1, Math.max(0, v));
const round = (v: number): number => Math.round(v * 10_000) / 10_000;

/**
 * Draw blur rectangles on a frame with mouse, pen or finger. Coordinates are fractions of the
 * frame (what the export expects); the SVG overlay uses a 0..1 viewBox so no inline style is
 * needed (the CSP forbids inline styles).
 */
export function BlurEditor(props: { frameSrc: string; regions: Region[]; onChange: (r: Region[]) => void }) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);

  const point = (e: PointerEvent): { x: number; y: number } => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return { x: 0, y: 0 };
    return { x: clamp((e.clientX - box.left) / box.width), y: clamp((e.clientY - box.top) / box.height) };
  };
  const down = (e: PointerEvent): void => {
    e.preventDefault();
    svg.current?.setPointerCapture(e.pointerId);
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
    props.onChange([...props.regions, { x: round(r.x), y: round(r.y), width: round(r.width), height: round(r.height) }]);
  };

  const shown = drag ? [...props.regions, toRegion(drag)] : props.regions;
  return (
    <div class="blur-editor">
      <div class="frame">
        <img src={props.frameSrc} alt="Frame to draw blur areas on" draggable={false} />
        <svg ref={svg} class="overlay" viewBox="0 0 1 1" preserveAspectRatio="none" onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={() => setDrag(null)} data-testid="blur-canvas">
          {shown.map((r, i) => <rect key={i} x={r.x} y={r.y} width={r.width} height={r.height} class="blur-rect" />)}
        </svg>
      </div>
      <p class="muted">Drag on the picture to cover faces, plates or windows. {props.regions.length} area(s) will be blurred.</p>
      {props.regions.length > 0 && (
        <ul class="chips">
          {props.regions.map((r, i) => (
            <li key={i}>
              Area {i + 1} ({Math.round(r.width * 100)}×{Math.round(r.height * 100)}%)
              <button type="button" class="link" aria-label={`Remove area ${i + 1}`} onClick={() => props.onChange(props.regions.filter((_, j) => j !== i))}>✕</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
