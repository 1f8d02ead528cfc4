/** The first schema: clips, shares, the ledger and the daemon's own tables. Times are ISO 8601 UTC strings with ms. */
export const initial = `
CREATE TABLE cameras (
  id          TEXT PRIMARY KEY,
  privacy     INTEGER NOT NULL DEFAULT 0,
  status      TEXT NOT NULL DEFAULT 'offline' CHECK (status IN ('online','offline','privacy')),
  last_error  TEXT,
  updated_at  TEXT NOT NULL
);

CREATE TABLE clips (
  id           TEXT PRIMARY KEY,
  camera_id    TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),
  trigger      TEXT NOT NULL CHECK (trigger IN ('motion','doorbell','manual','inbox','detect')),
  started_at   TEXT NOT NULL,
  ended_at     TEXT NOT NULL,
  duration_ms  INTEGER NOT NULL,
  size_bytes   INTEGER NOT NULL,
  width        INTEGER NOT NULL,
  height       INTEGER NOT NULL,
  has_audio    INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  file_path    TEXT NOT NULL,
  thumb_path   TEXT,
  created_at   TEXT NOT NULL,
  reviewed_at  TEXT,
  file_deleted_at TEXT,
  deleted_at   TEXT
);
CREATE INDEX clips_started ON clips (started_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX clips_status_started ON clips (status, started_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX clips_camera_started ON clips (camera_id, started_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX clips_sha256 ON clips (sha256);

CREATE TABLE shares (
  id            TEXT PRIMARY KEY,
  clip_id       TEXT NOT NULL REFERENCES clips (id),
  status        TEXT NOT NULL CHECK (status IN ('exporting','queued','uploading','uploaded','failed','revoked')),
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
  revoke_response TEXT
);
CREATE INDEX shares_status ON shares (status);
CREATE UNIQUE INDEX shares_one_per_clip ON shares (clip_id);

CREATE TABLE ledger (
  seq            INTEGER PRIMARY KEY,
  at             TEXT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('approved','uploaded','revoked','deleted','rejected')),
  clip_id        TEXT NOT NULL,
  share_id       TEXT,
  sha256         TEXT,
  export_sha256  TEXT,
  request_id     TEXT,
  options_json   TEXT,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);

CREATE TABLE requests (
  id             TEXT PRIMARY KEY,
  agency         TEXT NOT NULL,
  case_number    TEXT NOT NULL,
  title          TEXT NOT NULL,
  description    TEXT NOT NULL,
  starts_at      TEXT NOT NULL,
  ends_at        TEXT NOT NULL,
  latitude       REAL,
  longitude      REAL,
  radius_meters  REAL,
  received_at    TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  open           INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE api_tokens (
  name          TEXT PRIMARY KEY,
  hash          TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL,
  last_used_at  TEXT
);

CREATE TABLE sessions (
  id_hash       TEXT PRIMARY KEY,
  csrf_token    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  client        TEXT
);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

CREATE TABLE job_runs (
  name              TEXT PRIMARY KEY,
  last_started_at   TEXT,
  last_finished_at  TEXT,
  last_status       TEXT,
  last_error        TEXT,
  duration_ms       INTEGER
);
`;
