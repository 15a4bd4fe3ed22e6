-- Onward server, PostgreSQL, version 1. Migrations are append-only: never edit a released file.

CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    seq        BIGINT NOT NULL DEFAULT 0,   -- the last change number in the org's log
    scope_seq  BIGINT NOT NULL DEFAULT 0,   -- bumped whenever who-may-hold-what changes
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    role          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    username      TEXT UNIQUE,
    password_hash TEXT,
    cleared       BIGINT NOT NULL DEFAULT 0,
    participant_id TEXT,                     -- a participant's own record
    created_at    BIGINT NOT NULL
);

CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,         -- SHA-256 of the token; the token is never stored
    created_at BIGINT NOT NULL,
    last_seen  BIGINT,
    revoked_at BIGINT
);

CREATE TABLE enrolment_codes (
    code_hash  BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE participants (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE assignments (
    participant_id TEXT NOT NULL REFERENCES participants (id),
    mentor_id      TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (participant_id, mentor_id)
);
CREATE INDEX assignments_mentor ON assignments (mentor_id);

-- Each document saved whole, as of its last change.
CREATE TABLE documents (
    doc_id         TEXT PRIMARY KEY,          -- PARTICIPANT/kind
    org_id         TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    kind           TEXT NOT NULL,
    data           BYTEA NOT NULL,
    seq            BIGINT NOT NULL           -- the log number of its last change
);
CREATE INDEX documents_participant ON documents (participant_id);

-- The organisation's change log: every change stored, numbered in commit order.
CREATE TABLE changes (
    org_id         TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    doc_id         TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    kind           TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    data           BYTEA NOT NULL,
    PRIMARY KEY (org_id, seq)
);
