-- Onward device store, version 2: sync. Append-only: never edit a released file.

-- Changes made on this device that the server has not acknowledged yet, oldest first.
-- A document created here is queued whole.
CREATE TABLE outbox (
    entry  INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    data   BLOB NOT NULL
) STRICT;
CREATE INDEX outbox_doc ON outbox (doc_id);

-- The documents the server last said this device may hold.
CREATE TABLE sync_scope (
    doc_id TEXT PRIMARY KEY
) STRICT;
