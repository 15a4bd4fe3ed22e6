-- Onward server, PostgreSQL, version 4: coordinators' orders for the office (assigning and
-- unassigning mentors) sent from their devices. Append-only: never edit a released file.

-- Every order carried out or refused, by its id, so a repeated message gets the first answer
-- and nothing is done twice.
CREATE TABLE office_commands (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL,
    user_id TEXT NOT NULL,                   -- the coordinator who sent it
    at      BIGINT NOT NULL,                 -- when the server carried it out (ms, UTC)
    refused TEXT                             -- why it was refused (JSON); NULL when done
);
