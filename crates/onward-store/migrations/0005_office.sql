-- Onward device store, version 5: a coordinator's orders for the office and the staff
-- directory the office sends them. Migrations are append-only: never edit a released file.

-- Orders made here (assign or unassign a mentor, issue an enrolment code, revoke a tablet, turn
-- an account off or on), sent at each sync until the office answers.
CREATE TABLE office_commands (
    id          TEXT PRIMARY KEY,
    body        TEXT NOT NULL,            -- the order (JSON)
    created_at  INTEGER NOT NULL,
    answered_at INTEGER,                  -- NULL until the office has answered
    refused     TEXT,                     -- why the office refused it (JSON); NULL when done
    code        TEXT                      -- an enrolment code the office issued for it
) STRICT;

-- The organisation's staff and who is assigned to whom, as the office last sent them.
CREATE TABLE office_staff (
    user_id TEXT PRIMARY KEY,
    body    TEXT NOT NULL                 -- the staff member (JSON)
) STRICT;
CREATE TABLE office_assignments (
    participant_id TEXT NOT NULL,
    mentor_id      TEXT NOT NULL,
    PRIMARY KEY (participant_id, mentor_id)
) STRICT;
CREATE INDEX office_assignments_mentor ON office_assignments (mentor_id);
