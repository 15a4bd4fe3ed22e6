-- Onward device store, version 4: what the coordinator's overview and concern inbox count.
-- Migrations are append-only: never edit a released file.

-- Who raised each open concern and when a coordinator last answered it.
ALTER TABLE q_concerns ADD COLUMN raised_by TEXT NOT NULL DEFAULT '';
ALTER TABLE q_concerns ADD COLUMN last_response_at INTEGER;

-- Every session as it stands, for sessions and contact hours in a period.
CREATE TABLE q_sessions (
    session_id     TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    minutes        INTEGER NOT NULL,
    delivered      INTEGER NOT NULL            -- 1 attended or late, 0 did not attend
) STRICT;
-- Covering the overview's sums, so a month's sessions are counted from the index alone.
CREATE INDEX q_sessions_time ON q_sessions (started_at, delivered, minutes);
CREATE INDEX q_sessions_participant ON q_sessions (participant_id);

-- The overview's other counts, each from an index rather than the whole table: goal reviews
-- overdue, this week's appointments, participants by status.
CREATE INDEX q_goals_review ON q_goals (review_due);
CREATE INDEX q_appointments_week ON q_appointments (starts_at, status, accompanied_by);
CREATE INDEX q_caseload_status ON q_caseload (status);

-- The derived tables are rebuilt from the documents when the store next opens.
INSERT OR REPLACE INTO meta (key, value) VALUES ('rebuild_derived', '1');
