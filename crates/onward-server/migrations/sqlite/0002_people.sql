-- Onward server, SQLite, version 2: people can be stopped, codes can be listed and cancelled,
-- and every admin action is recorded. Append-only: never edit a released file.

-- When an admin turned the account off (NULL: it is on). A disabled user cannot sign in or
-- enrol, and disabling revokes every device they had.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- A short id to list and cancel a code by: the code itself is never stored or shown again.
ALTER TABLE enrolment_codes ADD COLUMN short_id TEXT;
-- When an admin cancelled the code (its expiry is then set in the past).
ALTER TABLE enrolment_codes ADD COLUMN cancelled_at INTEGER;
UPDATE enrolment_codes SET short_id = lower(hex(randomblob(4))) WHERE short_id IS NULL;
CREATE UNIQUE INDEX enrolment_codes_short_id ON enrolment_codes (short_id);
CREATE INDEX enrolment_codes_user ON enrolment_codes (user_id);
CREATE INDEX devices_user ON devices (user_id);

-- What admins did, to whom and when. Never updated or deleted.
CREATE TABLE admin_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,              -- milliseconds since the epoch (UTC)
    org_id  TEXT,                          -- the organisation acted in, when there is one
    action  TEXT NOT NULL,                 -- e.g. disable-user, set-role, revoke
    subject TEXT,                          -- the id acted on: user, device, code, participant
    detail  TEXT NOT NULL DEFAULT '',      -- what changed, without names, secrets or notes
    by_whom TEXT NOT NULL DEFAULT ''       -- the operating-system user who ran the command
) STRICT;
CREATE INDEX admin_log_org ON admin_log (org_id, id);

CREATE TRIGGER admin_log_no_update BEFORE UPDATE ON admin_log
BEGIN
    SELECT RAISE(ABORT, 'the admin log is append-only');
END;
CREATE TRIGGER admin_log_no_delete BEFORE DELETE ON admin_log
BEGIN
    SELECT RAISE(ABORT, 'the admin log is append-only');
END;
