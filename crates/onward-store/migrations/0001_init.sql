-- Onward device store, version 1. Migrations are append-only: never edit a released file.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per participant document: the last compacted snapshot.
CREATE TABLE documents (
    doc_id          TEXT PRIMARY KEY,          -- PARTICIPANT/kind
    participant_id  TEXT NOT NULL,
    kind            TEXT NOT NULL,
    snapshot        BLOB NOT NULL,
    pending_changes INTEGER NOT NULL DEFAULT 0 -- change rows since the snapshot
) STRICT;
CREATE INDEX documents_participant ON documents (participant_id);

-- Changes appended since each document's snapshot, in order.
CREATE TABLE changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    data   BLOB NOT NULL
) STRICT;
CREATE INDEX changes_doc ON changes (doc_id, seq);

-- Derived query tables. Rebuilt from the documents at any time; never the source of truth.
CREATE TABLE q_caseload (
    participant_id    TEXT PRIMARY KEY,
    preferred_name    TEXT NOT NULL,
    programme         TEXT NOT NULL,
    status            TEXT NOT NULL,
    pathways          TEXT NOT NULL,           -- JSON array of pathway names
    last_contact      INTEGER,                 -- ms since epoch
    open_goals        INTEGER NOT NULL,
    unsigned_sessions INTEGER NOT NULL,
    open_concerns     INTEGER NOT NULL
) STRICT;

CREATE TABLE q_appointments (
    appointment_id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL,
    starts_at      INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    with_whom      TEXT NOT NULL,
    accompanied_by TEXT
) STRICT;
CREATE INDEX q_appointments_time ON q_appointments (starts_at);
CREATE INDEX q_appointments_participant ON q_appointments (participant_id);

CREATE TABLE q_goals (
    goal_id        TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL,
    title          TEXT NOT NULL,
    pathway        TEXT NOT NULL,
    target_date    TEXT,
    review_due     TEXT
) STRICT;
CREATE INDEX q_goals_participant ON q_goals (participant_id);

CREATE TABLE q_follow_ups (
    appointment_id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL,
    text           TEXT NOT NULL,
    due            TEXT
) STRICT;
CREATE INDEX q_follow_ups_participant ON q_follow_ups (participant_id);

CREATE TABLE q_unsigned_sessions (
    session_id     TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL,
    started_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX q_unsigned_participant ON q_unsigned_sessions (participant_id);

CREATE TABLE q_concerns (
    concern_id     TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL,
    category       TEXT NOT NULL,
    urgency        TEXT NOT NULL,
    status         TEXT NOT NULL,
    raised_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX q_concerns_participant ON q_concerns (participant_id);
