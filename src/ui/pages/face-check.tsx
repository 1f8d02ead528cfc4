import type { RefObject } from 'preact';
import type { FaceFinding, ShareVerification } from '../../core/types.js';
import { seconds } from '../format.js';

/**
 * The face check of an export in the preview (issue 19): the faces the detector still finds in the
 * redacted file, each with its time (a button jumps the preview player there) and score. Send needs
 * the owner's explicit confirmation while any are listed (the server refuses it with FACES_REMAIN).
 */

/** Whether Send needs the owner's confirmation for this check. */
export function needsConfirmation(v: ShareVerification | undefined): boolean {
  return v !== undefined && (v.status === 'faces' || v.status === 'failed') && v.confirmedAt === undefined;
}

function Finding(props: { f: FaceFinding; onJump: () => void }) {
  const { f } = props;
  return (
    <li data-t={f.t}>
      <button type="button" class="small" onClick={props.onJump}>{seconds(f.t * 1000)}</button>
      {' '}face at {Math.round(f.x * 100)}% across, {Math.round(f.y * 100)}% down, score {f.score.toFixed(2)}
    </li>
  );
}

/** The face a finding names, outlined over the paused preview player (dashed red, like a face left unblurred). */
export function FindingMarker(props: { finding: FaceFinding }) {
  const f = props.finding;
  return (
    <svg class="track-overlay" data-testid="finding-marker" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">
      <rect class="track-box off" x={f.x} y={f.y} width={f.width} height={f.height} vector-effect="non-scaling-stroke" />
    </svg>
  );
}

export function FaceCheck(props: {
  verification: ShareVerification | undefined;
  videoRef: RefObject<HTMLVideoElement | null>;
  confirmed: boolean;
  onConfirm: (v: boolean) => void;
  /** A finding was chosen: the player shows its frame, the caller outlines the face (FindingMarker). */
  onMark?: (f: FaceFinding) => void;
}) {
  const v = props.verification;
  if (!v) return null;
  const jump = (f: FaceFinding): void => {
    const el = props.videoRef.current;
    if (!el) return;
    el.pause();
    el.currentTime = f.t;
    props.onMark?.(f);
  };
  if (v.status === 'clear') return <p class="note face-check clear" data-testid="face-check">Face check: no face found in this file (score ≥ {v.threshold}).</p>;
  if (v.status === 'off') return <p class="note face-check" data-testid="face-check">Face check: not run (on-device analysis is off or unavailable). Check the faces yourself.</p>;
  return (
    <div class="face-check warn" data-testid="face-check" role="alert">
      {v.status === 'faces' ? (
        <p>
          <strong>Faces are still visible in this file.</strong> The detector found {v.found} {v.found === 1 ? 'detection' : 'detections'} with
          score ≥ {v.threshold}. Look at each time below. To hide them, Cancel and share again with that face switched on or a blur area over it.
        </p>
      ) : (
        <p><strong>The face check could not run</strong> ({v.error ?? 'unknown error'}). Watch the whole file for faces before you send it.</p>
      )}
      {v.findings.length > 0 && <ul class="findings">{v.findings.map((f) => <Finding key={`${f.t}-${f.x}`} f={f} onJump={() => jump(f)} />)}</ul>}
      {v.confirmedAt === undefined && (
        <label class="check">
          <input type="checkbox" name="confirmFaces" checked={props.confirmed} onChange={(e) => props.onConfirm(e.currentTarget.checked)} />
          I have looked at these and want to send the file with them visible
        </label>
      )}
    </div>
  );
}
