import { thumbUrl, videoUrl, type ClipView } from '../api.js';
import { bytes, seconds, when } from '../format.js';
import { LabelChips } from './label-chips.js';

export interface ClipCardProps {
  clip: ClipView;
  camera: string;
  open: boolean;
  /** Start playing when opened: the owner asked for it (reduced motion turns off only what starts by itself). */
  autoPlay: boolean;
  /** In the queue: the selection checkbox (the event carries shiftKey for a range). */
  selected?: boolean;
  onSelect?: (e: MouseEvent) => void;
  /** Reject asks once more before acting; the queue's `r` shortcut arms it too. */
  confirming: boolean;
  onConfirming: (on: boolean) => void;
  onOpen: () => void;
  onShare: () => void;
  onReject: () => void;
}

/** How a clip is named to a screen reader: camera and time (the checkbox, the play button, the card). */
export function clipName(camera: string, clip: ClipView): string {
  return `${camera} at ${when(clip.startedAt)}`;
}

/**
 * One clip: its thumbnail (or, open, its player), what it is, and Share/Reject while pending. The
 * card itself takes focus for the queue's keyboard shortcuts (j/k move between cards).
 */
export function ClipCard(props: ClipCardProps) {
  const { clip } = props;
  const name = clipName(props.camera, clip);
  return (
    <article class={`clip${props.open ? ' open' : ''}${props.selected ? ' selected' : ''}`} data-clip-id={clip.id} data-status={clip.status} tabIndex={-1}
      aria-label={`Clip from ${name}, ${clip.status}`}>
      {props.onSelect && (
        <input type="checkbox" class="pick" checked={props.selected === true} onClick={props.onSelect} aria-label={`Select clip from ${name}`} />
      )}
      {props.open ? (
        <video class="player" src={videoUrl(clip.id)} controls autoplay={props.autoPlay} muted playsInline preload="metadata" aria-label={`Clip from ${name}`} />
      ) : (
        <button type="button" class="thumb" onClick={props.onOpen}>
          <img src={thumbUrl(clip.id)} alt="" loading="lazy" />
          <span class="sr">Play clip from {name}, </span>
          <span class="play" aria-hidden="true">▶</span>
          <span class="duration">{seconds(clip.durationMs)}</span>
        </button>
      )}
      <div class="meta">
        <strong>{props.camera}</strong>
        <span class={`badge ${clip.status}`}>{clip.status}</span>
        <span class="muted">{when(clip.startedAt)} · {clip.trigger} · {bytes(clip.sizeBytes)}</span>
        <LabelChips labels={clip.labels} analysis={clip.analysis} />
      </div>
      {clip.status === 'pending' && (
        <div class="actions">
          <button type="button" class="primary" onClick={props.onShare}>Share…</button>
          {props.confirming ? (
            <button type="button" class="danger confirm-reject" onClick={props.onReject} onBlur={() => props.onConfirming(false)}>Confirm reject</button>
          ) : (
            <button type="button" onClick={() => props.onConfirming(true)}>Reject</button>
          )}
        </div>
      )}
    </article>
  );
}
