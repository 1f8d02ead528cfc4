/**
 * Informed consent and the signed ledger (issue 18).
 *
 * shares: two new statuses — `ready` (exported, waiting for the owner's Send) and `cancelled`
 * (withdrawn before the platform acknowledged a byte) — and the consent bookkeeping:
 *  - send_on_export: the owner chose one step (`review.preview: false`, `clips approve --send`):
 *    the exporter records the `approved` entry and queues as soon as the export is done;
 *  - cancel_requested_at: a withdrawal asked for by another process (the CLI); the upload side
 *    never picks such a share up again and the daemon carries the withdrawal out;
 *  - consent_seq: the seq of the `approved` ledger entry Send appended (ledger verify checks
 *    that it exists and names this share's export hash);
 *  - legacy_consent: the upload began under the old one-step flow, whose `approved` entry was
 *    written at approval time, before the export existed, so it names no export hash.
 * One live share per clip instead of one share per clip: a cancelled share keeps its row (and,
 * after Send, its ledger history) and the clip can be approved again.
 *
 * Existing shares keep their history. A share whose upload never began (queued, uploading without
 * an upload URL, or failed after its export) goes to `ready`: its owner approved blind, so it now
 * waits for the preview and Send like any new share. One whose upload began (an upload URL
 * exists: bytes may be on the platform) carries on with legacy_consent = 1.
 *
 * ledger: the `withdrawn` action and the Ed25519 `signature` of each entry. Existing entries are
 * signed when the device key is created (src/ledger/ledger.ts); SQL cannot sign.
 */
export const consent = `
CREATE TABLE shares_new (
  id            TEXT PRIMARY KEY,
  clip_id       TEXT NOT NULL REFERENCES clips (id),
  status        TEXT NOT NULL CHECK (status IN ('exporting','ready','queued','uploading','uploaded','failed','revoked','cancelled')),
  options_json  TEXT NOT NULL,
  export_path   TEXT,
  sha256        TEXT,
  duration_ms   INTEGER,
  recorded_at   TEXT,
  bytes_sent    INTEGER NOT NULL DEFAULT 0,
  bytes_total   INTEGER NOT NULL DEFAULT 0,
  upload_url    TEXT,
  remote_url    TEXT,
  request_id    TEXT,
  error         TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  uploaded_at   TEXT,
  revoked_at    TEXT,
  revoke_response TEXT,
  send_on_export INTEGER NOT NULL DEFAULT 0,
  cancel_requested_at TEXT,
  cancelled_at  TEXT,
  consent_seq   INTEGER,
  legacy_consent INTEGER NOT NULL DEFAULT 0
);
INSERT INTO shares_new (id, clip_id, status, options_json, export_path, sha256, duration_ms, recorded_at, bytes_sent, bytes_total,
  upload_url, remote_url, request_id, error, attempts, next_attempt_at, created_at, updated_at, uploaded_at, revoked_at, revoke_response,
  legacy_consent)
SELECT id, clip_id, status, options_json, export_path, sha256, duration_ms, recorded_at, bytes_sent, bytes_total,
  upload_url, remote_url, request_id, error, attempts, next_attempt_at, created_at, updated_at, uploaded_at, revoked_at, revoke_response,
  CASE WHEN status IN ('queued', 'uploading', 'failed') AND upload_url IS NOT NULL THEN 1 ELSE 0 END
FROM shares;
UPDATE shares_new SET status = 'ready', error = NULL, attempts = 0, next_attempt_at = NULL, bytes_sent = 0
  WHERE upload_url IS NULL AND sha256 IS NOT NULL AND export_path IS NOT NULL AND status IN ('queued', 'uploading', 'failed');
DROP TABLE shares;
ALTER TABLE shares_new RENAME TO shares;
CREATE INDEX shares_status ON shares (status);
CREATE INDEX shares_clip ON shares (clip_id, created_at);
CREATE UNIQUE INDEX shares_one_live_per_clip ON shares (clip_id) WHERE status <> 'cancelled';

CREATE TABLE ledger_new (
  seq            INTEGER PRIMARY KEY,
  at             TEXT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('approved','uploaded','withdrawn','revoked','deleted','rejected')),
  clip_id        TEXT NOT NULL,
  share_id       TEXT,
  sha256         TEXT,
  export_sha256  TEXT,
  request_id     TEXT,
  options_json   TEXT,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL,
  signature      TEXT
);
INSERT INTO ledger_new (seq, at, action, clip_id, share_id, sha256, export_sha256, request_id, options_json, prev_hash, hash)
SELECT seq, at, action, clip_id, share_id, sha256, export_sha256, request_id, options_json, prev_hash, hash FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_share ON ledger (share_id, action);
CREATE INDEX ledger_clip ON ledger (clip_id, action);
`;
