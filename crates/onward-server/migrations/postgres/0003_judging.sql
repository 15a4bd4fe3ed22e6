-- Onward server, PostgreSQL, version 3: changes judged by what they do. Append-only: never
-- edit a released file.

-- A concern document's raiser, decided by the server from who pushed its first change (the
-- raiser holds it; so do coordinators and cleared mentors of the participant).
ALTER TABLE documents ADD COLUMN raised_by TEXT;

-- What the server knows about each change beyond its bytes: who pushed it, what it did as
-- the server judged it, the time the device gave it, and when the server received it.
ALTER TABLE changes ADD COLUMN raised_by TEXT;
ALTER TABLE changes ADD COLUMN user_id TEXT;
ALTER TABLE changes ADD COLUMN operation TEXT;
ALTER TABLE changes ADD COLUMN device_time BIGINT;
ALTER TABLE changes ADD COLUMN received_at BIGINT;
CREATE INDEX changes_participant ON changes (participant_id, seq);

-- Changes the server refused, for coordinators: who, which record, the label the change
-- carried and why (JSON). Never the change's content.
CREATE TABLE refusals (
    org_id         TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    at             BIGINT NOT NULL,
    user_id        TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    doc_id         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    label          TEXT NOT NULL,
    why            TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
