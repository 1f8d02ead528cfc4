import type { Redaction } from './api.js';
import { seconds } from './format.js';

/** What a share's export took out, in a few words for a list row (the preview has the full sentences). */
export function removedSummary(r: Redaction): string {
  const parts: string[] = [];
  if (r.audioRemoved) parts.push('audio');
  if (r.blurredAreas > 0) parts.push(`${r.blurredAreas} blurred ${r.blurredAreas === 1 ? 'area' : 'areas'}`);
  if (r.trim) parts.push(`trimmed to ${seconds(r.trim.startMs)}–${seconds(r.trim.endMs)}`);
  parts.push('metadata');
  return parts.join(' · ');
}
