import { seconds } from '../format.js';

/** Two handles on the clip's timeline; the video jumps to the handle being moved. */
export function TrimBar(props: { durationMs: number; start: number; end: number; onChange: (start: number, end: number) => void; seek: (ms: number) => void }) {
  const step = 100;
  return (
    <fieldset class="trim">
      <legend>Trim: {seconds(props.start)} – {seconds(props.end)} ({seconds(props.end - props.start)})</legend>
      <label>
        Start
        <input type="range" name="trimStart" min={0} max={props.durationMs} step={step} value={props.start} aria-valuetext={seconds(props.start)}
          onInput={(e) => {
            const v = Math.min(Number(e.currentTarget.value), props.end - 500);
            props.onChange(Math.max(0, v), props.end);
            props.seek(v);
          }} />
      </label>
      <label>
        End
        <input type="range" name="trimEnd" min={0} max={props.durationMs} step={step} value={props.end} aria-valuetext={seconds(props.end)}
          onInput={(e) => {
            const v = Math.max(Number(e.currentTarget.value), props.start + 500);
            props.onChange(props.start, Math.min(props.durationMs, v));
            props.seek(v);
          }} />
      </label>
    </fieldset>
  );
}
