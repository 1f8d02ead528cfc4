import type { Redaction } from './types.js';

/**
 * What an export removes, derived from the stored approval options in one place: the share view
 * (the preview's plain list) and the ledger's `approved` entry (its C2PA-style `actions`) both
 * come from here, so what the owner was shown and what the ledger says were done cannot differ.
 */

/** The stored options' fields this needs (src/review/options.ts StoredOptions has them all). */
export interface RedactionSource {
  stripAudio?: boolean;
  blur?: unknown[];
  privacyMasks?: unknown[];
  trim?: { startMs: number; endMs: number } | null;
  faces?: { tracks?: unknown[] } | null;
}

export function redactionOf(o: RedactionSource): Redaction {
  const trim = o.trim && typeof o.trim.startMs === 'number' && typeof o.trim.endMs === 'number' ? { startMs: o.trim.startMs, endMs: o.trim.endMs } : null;
  return {
    audioRemoved: o.stripAudio !== false,
    blurredAreas: Array.isArray(o.blur) ? o.blur.length : 0,
    privacyMasks: Array.isArray(o.privacyMasks) ? o.privacyMasks.length : 0,
    trackedFaces: Array.isArray(o.faces?.tracks) ? o.faces.tracks.length : 0,
    trim,
    metadataRemoved: true,
  };
}

/** redactionOf for a shares.options_json text; a damaged one reads as "everything removed, nothing blurred". */
export function redactionOfJson(json: string): Redaction {
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object') return redactionOf(parsed);
  } catch {
    // fall through
  }
  return redactionOf({});
}

/** The caption stored with a share's approval options (shown with the share), if there is one. */
export function captionOfJson(json: string): string | undefined {
  try {
    const parsed = JSON.parse(json) as { caption?: unknown } | null;
    return typeof parsed?.caption === 'string' && parsed.caption !== '' ? parsed.caption : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The C2PA action names (C2PA 2.x `c2pa.actions` assertion vocabulary) for what the export did,
 * in the order they are applied, so a C2PA manifest can be written from the ledger later:
 * - `c2pa.trimmed`: only part of the clip's time span is kept;
 * - `c2pa.filtered`: areas blurred (the regions themselves are in the entry's `options.blur`) or
 *   faces blurred along their tracks (the track ids in `options.faces.tracks`, their count in
 *   `options.faces.tracked`);
 * - `c2pa.deleted`: the audio track removed;
 * - `c2pa.edited.metadata`: container/stream metadata, encoder tags and SEI removed;
 * - `c2pa.transcoded` is not listed: whether the video was re-encoded or stream-copied is in the
 *   entry's `exportMode`.
 */
export function c2paActions(r: Redaction): string[] {
  const out: string[] = [];
  if (r.trim) out.push('c2pa.trimmed');
  if (r.blurredAreas > 0 || r.trackedFaces > 0) out.push('c2pa.filtered');
  if (r.audioRemoved) out.push('c2pa.deleted');
  out.push('c2pa.edited.metadata');
  return out;
}
