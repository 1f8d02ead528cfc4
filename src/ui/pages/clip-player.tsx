import type { ComponentChildren, RefObject } from 'preact';
import { videoUrl, type Clip } from '../api.js';

/**
 * The approve dialog's player for the original clip. `video` gives the form the element (to seek
 * while trimming, to grab the current frame); `overlay` is drawn over the picture in the same box
 * (for example boxes that follow tracked faces), and never catches the pointer.
 */
export function ClipPlayer(props: { clip: Clip; video: RefObject<HTMLVideoElement | null>; muted: boolean; overlay?: ComponentChildren }) {
  return (
    <div class="player-box">
      <video ref={props.video} class="player" src={videoUrl(props.clip.id)} controls muted={props.muted} playsInline preload="metadata"
        aria-label="The original clip" />
      {props.overlay && <div class="player-overlay" aria-hidden="true">{props.overlay}</div>}
    </div>
  );
}
