import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ClipAnalysisView, FaceTrackView, TrackKeyframeView } from '../../core/types.js';
import { api, clipAnalysisUrl } from '../api.js';
import { seconds } from '../format.js';

/**
 * Face tracks in the approve dialog (issue 19): the suggested tracks drawn over the PLAYING video,
 * each box following video.currentTime (interpolated between the analysis keyframes), each track
 * listed with a switch (on: blurred in the export, the default) and a "jump to" button.
 */

/** Gaps longer than this between keyframes mean the face was not there: no box is drawn in between. */
const MAX_GAP_S = 0.6;

/** A track's box at time t (seconds), linearly interpolated; null when the face is not in view then. */
export function boxAt(keyframes: TrackKeyframeView[], t: number, fps = 10): TrackKeyframeView | null {
  const first = keyframes[0];
  const last = keyframes.at(-1);
  if (!first || !last) return null;
  const slack = 0.5 / fps;
  if (t < first.t - slack || t > last.t + slack) return null;
  let lo = 0;
  let hi = keyframes.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (keyframes[mid]!.t <= t) lo = mid;
    else hi = mid;
  }
  const a = keyframes[lo]!;
  const b = keyframes[hi]!;
  if (t <= a.t || b.t === a.t) return a;
  if (t >= b.t) return b;
  if (b.t - a.t > MAX_GAP_S) return t - a.t < slack ? a : b.t - t < slack ? b : null;
  const f = (t - a.t) / (b.t - a.t);
  const mix = (p: number, q: number): number => p + (q - p) * f;
  return { t, x: mix(a.x, b.x), y: mix(a.y, b.y), width: mix(a.width, b.width), height: mix(a.height, b.height) };
}

export interface FaceTracksState {
  analysis: ClipAnalysisView | null;
  /** Track ids switched off by the owner (every suggested track is on by default). */
  off: Set<number>;
  toggle(id: number): void;
  /** The approve body's `tracks` (the ids left on), or nothing when the clip has no analysis. */
  body(): { tracks?: number[] };
}

/** The clip's analysis and the owner's switches; a clip without one (detection off, not analysed yet) has no tracks. */
export function useFaceTracks(clipId: string): FaceTracksState {
  const [analysis, setAnalysis] = useState<ClipAnalysisView | null>(null);
  const [off, setOff] = useState<Set<number>>(new Set());
  useEffect(() => {
    api<ClipAnalysisView>('GET', clipAnalysisUrl(clipId)).then(setAnalysis, () => setAnalysis(null));
  }, [clipId]);
  return {
    analysis,
    off,
    toggle: (id) => setOff((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    }),
    body: () => (analysis && analysis.tracks.length > 0 ? { tracks: analysis.tracks.map((t) => t.id).filter((id) => !off.has(id)) } : {}),
  };
}

/** Redraws on every animation frame while the video plays, and on seeks. */
function useVideoTime(video: RefObject<HTMLVideoElement | null>): number {
  const [t, setT] = useState(0);
  useEffect(() => {
    const v = video.current;
    if (!v) return undefined;
    let raf = 0;
    const tick = (): void => {
      setT(v.currentTime);
      if (!v.paused && !v.ended) raf = requestAnimationFrame(tick);
    };
    const start = (): void => {
      cancelAnimationFrame(raf);
      raf = requestAnimationFrame(tick);
    };
    const events = ['play', 'seeked', 'timeupdate', 'loadedmetadata'];
    for (const e of events) v.addEventListener(e, start);
    return () => {
      cancelAnimationFrame(raf);
      for (const e of events) v.removeEventListener(e, start);
    };
  }, [video]);
  return t;
}

/**
 * The face tracks drawn over the clip's player (ClipPlayer's `overlay`): solid = will be blurred,
 * dashed = left as is. Nothing without suggested tracks.
 */
export function TrackOverlay(props: { videoRef: RefObject<HTMLVideoElement | null>; faces: FaceTracksState }) {
  const t = useVideoTime(props.videoRef);
  const tracks = props.faces.analysis?.tracks ?? [];
  const fps = props.faces.analysis?.faceFps ?? 10;
  if (tracks.length === 0) return null;
  return (
    <svg class="track-overlay" data-testid="track-overlay" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">
      {tracks.map((tr) => {
        const b = boxAt(tr.keyframes, t, fps);
        if (!b) return null;
        const on = !props.faces.off.has(tr.id);
        return <rect key={tr.id} class={`track-box ${on ? 'on' : 'off'}`} data-track-id={tr.id} x={b.x} y={b.y} width={b.width} height={b.height} vector-effect="non-scaling-stroke" />;
      })}
    </svg>
  );
}

function TrackRow(props: { track: FaceTrackView; on: boolean; onToggle: () => void; onJump: () => void }) {
  const { track } = props;
  return (
    <li data-track-id={track.id} class={props.on ? 'on' : 'off'}>
      <label class="check">
        <input type="checkbox" name={`track-${track.id}`} checked={props.on} onChange={props.onToggle} />
        Face {track.id}: {seconds(track.start * 1000)} – {seconds(track.end * 1000)} {props.on ? '(blurred)' : '(NOT blurred)'}
      </label>
      <button type="button" class="small" onClick={props.onJump}>Jump to {seconds(track.start * 1000)}</button>
    </li>
  );
}

/** The list of suggested tracks with their switches; says so when there are none or no analysis. */
export function FaceTrackList(props: { faces: FaceTracksState; videoRef: RefObject<HTMLVideoElement | null>; trimStartMs: number }) {
  const { analysis, off } = props.faces;
  const jump = (t: number): void => {
    const v = props.videoRef.current;
    if (!v) return;
    v.currentTime = Math.max(t, props.trimStartMs / 1000);
    void v.play().catch(() => undefined);
  };
  // Detection off or unavailable: nothing to show here (the blur areas below work as always).
  if (!analysis) return null;
  let note: string;
  if (analysis.state === 'pending') note = 'This clip is still being analysed; face suggestions appear once it is done.';
  else if (analysis.tracks.length === 0) note = 'No faces were found in this clip. Add blur areas below for anything else to hide.';
  else note = 'Faces found in this clip follow the face frame by frame in the export. Play the video to check each box; switch off a face you want to show.';
  return (
    <fieldset class="face-tracks" data-testid="face-tracks">
      <legend>Faces {analysis.tracks.length > 0 ? `(${analysis.tracks.length - off.size} of ${analysis.tracks.length} blurred)` : ''}</legend>
      <p class="note">{note}</p>
      {analysis.tracks.length > 0 && (
        <ul class="tracks">
          {analysis.tracks.map((tr) => <TrackRow key={tr.id} track={tr} on={!off.has(tr.id)} onToggle={() => props.faces.toggle(tr.id)} onJump={() => jump(tr.start)} />)}
        </ul>
      )}
    </fieldset>
  );
}
