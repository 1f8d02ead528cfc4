/**
 * On-device analysis (issue 19).
 *
 * clips.analysis: where the clip's analysis stands — `pending` (not analysed yet, or killed
 * mid-analysis: the daemon queues it at start), `done`, `failed` (the file could not be analysed;
 * only an on-demand analysis retries it) or `off` (detection was off or unavailable when the clip
 * arrived; queued again once detection works). Existing clips start `pending`.
 *
 * clip_labels: the clip's labels at or above the label threshold, best score per label. started_at
 * is the clip's, copied so that a label filter walks one index in the listing order (keyset paging
 * by started_at, id), never the whole clips table.
 *
 * shares.verification_json: the face check of the redacted export (status, threshold, findings,
 * the owner's confirmation), shown in the preview; Send waits on it.
 */
export const analysis = `
ALTER TABLE clips ADD COLUMN analysis TEXT NOT NULL DEFAULT 'pending' CHECK (analysis IN ('pending','done','failed','off'));
CREATE INDEX clips_analysis ON clips (analysis, status, started_at DESC, id DESC) WHERE deleted_at IS NULL AND analysis <> 'done';

CREATE TABLE clip_labels (
  clip_id    TEXT NOT NULL REFERENCES clips (id),
  label      TEXT NOT NULL CHECK (label IN ('person','vehicle','animal','other')),
  score      REAL NOT NULL,
  started_at TEXT NOT NULL,
  PRIMARY KEY (clip_id, label)
) WITHOUT ROWID;
CREATE INDEX clip_labels_list ON clip_labels (label, started_at DESC, clip_id DESC);

ALTER TABLE shares ADD COLUMN verification_json TEXT;
`;
