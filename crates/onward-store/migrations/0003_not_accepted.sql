-- Onward device store, version 3: nothing recorded is silently deleted. Append-only: never
-- edit a released file.

-- Changes made on this device that the office did not accept (or could no longer accept:
-- the participant left this caseload before they were sent). What they recorded stays here,
-- encrypted with everything else, until a person says they have dealt with it.
CREATE TABLE not_accepted (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    held_at        INTEGER NOT NULL,           -- ms since epoch
    doc_id         TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    preferred_name TEXT NOT NULL,              -- the participant's name when it was held
    label          TEXT NOT NULL,              -- the operation the change was
    why            TEXT NOT NULL,              -- the reason, JSON (onward_core::policy::Refused)
    content        TEXT NOT NULL,              -- what it recorded, JSON
    data           BLOB NOT NULL,              -- the change itself
    resolved_at    INTEGER
) STRICT;

-- For coordinators: changes the office refused from anyone's device (no content).
CREATE TABLE office_notices (
    seq    INTEGER PRIMARY KEY,
    notice TEXT NOT NULL                       -- JSON (onward_sync::message::Notice)
) STRICT;

-- When the office received each change this device knows the answer for (its own, once
-- acknowledged, and others' arriving from the office's log), by change hash: shown in a
-- record's history beside the time the device gave the change.
CREATE TABLE receipts (
    hash        BLOB PRIMARY KEY,
    received_at INTEGER NOT NULL
) STRICT;
