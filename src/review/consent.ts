import { c2paActions, redactionOf } from '../core/redaction.js';
import type { Repos } from '../db/index.js';
import type { ClipRecord } from '../db/repos/clips.js';
import { parseVerification, type ShareRecord } from '../db/repos/shares.js';
import type { Ledger } from '../ledger/index.js';
import { parseStoredOptions } from './options.js';

/** How consent was given: after watching the export (Send), or in one step (`review.preview: false`, `clips approve --send`). */
export type ConsentMode = 'preview' | 'one-step';

/**
 * The owner's consent, recorded: the `approved` ledger entry naming the export's SHA-256 (the
 * exact bytes that will leave), the share moved to `queued` and the entry's seq kept with it.
 * Runs inside the caller's Ledger.write() transaction; false when the share is no longer in
 * `expect` (a Cancel, or another Send, came first).
 */
export function recordConsent(deps: { repos: Repos; ledger: Ledger }, share: ShareRecord, clip: ClipRecord, expect: 'ready', mode: ConsentMode, at: string, confirmFaces = false): boolean {
  const { repos, ledger } = deps;
  if (!share.sha256 || !share.exportPath) return false;
  const options = parseStoredOptions(share.optionsJson);
  const check = parseVerification(share.verificationJson);
  // The owner's word that the faces the check still found may leave (FACES_REMAIN otherwise); kept with the check and in the entry.
  const confirmed = confirmFaces && check !== undefined && (check.status === 'faces' || check.status === 'failed');
  const verification = confirmed && check ? { ...check, confirmedAt: at } : check;
  const entry = ledger.append({
    action: 'approved',
    clipId: clip.id,
    shareId: share.id,
    sha256: clip.sha256,
    exportSha256: share.sha256,
    requestId: share.requestId ?? null,
    options: {
      ...options,
      // C2PA vocabulary for what the export did (core/redaction.ts documents the mapping).
      actions: c2paActions(redactionOf(options)),
      consent: mode,
      export: { bytes: share.bytesTotal, durationMs: share.durationMs ?? null },
      ...(options.faces ? { faces: { ...options.faces, tracked: options.faces.tracks.length } } : {}),
      ...(check
        ? { faceCheck: { status: check.status, threshold: check.threshold, found: check.found, confirmedByOwner: confirmed, ...(check.error ? { error: check.error } : {}) } }
        : {}),
    },
  }, at);
  const patch = { status: 'queued' as const, consentSeq: entry.seq, error: null, attempts: 0, nextAttemptAt: null, ...(confirmed ? { verificationJson: JSON.stringify(verification) } : {}) };
  // The entry and the status change commit together or not at all (the caller's transaction).
  if (!repos.shares.update(share.id, patch, at, expect)) {
    throw new ConsentRaceError();
  }
  return true;
}

/** Thrown inside the transaction to roll the entry back when the share moved on meanwhile. */
export class ConsentRaceError extends Error {
  constructor() {
    super('the share changed while consent was being recorded');
    this.name = 'ConsentRaceError';
  }
}
