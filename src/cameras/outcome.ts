import type { RunEnd } from '../media/supervisor.js';
import type { StreamOutcome } from './types.js';

/** ffmpeg's RTSP client: `Server returned 401 Unauthorized (authorization failed)`, `403 Forbidden (access denied)`. */
const UNAUTHORIZED = /\b40[13] (Unauthori[sz]ed|Forbidden)\b|authorization failed|access denied/i;
/** `method DESCRIBE failed: 404 Not Found`, `Server returned 404 Not Found`. */
const NOT_FOUND = /\b404 Not Found\b/i;

/**
 * What an ended recorder or detector run says about the streams it was given: the camera
 * refused the credentials, does not know the path, or failed some other way. A run that never
 * started (the streams could not even be resolved) says nothing about them: undefined.
 */
export function streamOutcome(end: Pick<RunEnd, 'reason' | 'spawned'>): StreamOutcome | undefined {
  if (!end.spawned) return undefined;
  if (UNAUTHORIZED.test(end.reason)) return 'unauthorized';
  if (NOT_FOUND.test(end.reason)) return 'not-found';
  return 'failed';
}
