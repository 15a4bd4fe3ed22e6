//! The device store: the source of truth on a tablet. Participant documents live in one
//! SQLCipher-encrypted SQLite file as a snapshot plus the changes appended since, written in
//! one transaction per edit and compacted in the background. Query tables (caseload, today's
//! appointments, goals due, open concerns) are derived from the documents and can be rebuilt
//! from them at any time.
//!
//! ```
//! use onward_store::{Store, StoreKey};
//! let dir = tempfile::tempdir().unwrap();
//! let key = StoreKey::from_bytes([7; 32]);
//! let store = Store::open(&dir.path().join("onward.db"), &key).unwrap();
//! assert!(store.participants().unwrap().is_empty());
//! drop(store);
//! // The wrong key is refused with a clear error, never an empty store.
//! let err = Store::open(&dir.path().join("onward.db"), &StoreKey::from_bytes([8; 32])).unwrap_err();
//! assert!(err.to_string().contains("the key is wrong"));
//! ```

mod derived;
mod error;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use onward_core::document::{Doc, DocId, Record};
use onward_core::ids::{ParticipantId, UserId};
use onward_core::model::{Notes, Plan, Restricted, Safeguarding};
use onward_core::views::ParticipantRows;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

pub use derived::DerivedTables;
pub use error::StoreError;

/// Application id written into the SQLite header ("ONWD"), to tell our files from others.
const APPLICATION_ID: i64 = 0x4f4e_5744;

/// Migrations, in order. Append-only.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_sync.sql"),
    include_str!("../migrations/0003_not_accepted.sql"),
    include_str!("../migrations/0004_overview.sql"),
    include_str!("../migrations/0005_office.sql"),
];

/// Compact a document once this many changes have been appended since its snapshot.
pub const COMPACT_AFTER: i64 = 32;

/// The 256-bit key the store is encrypted with. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A key from 64 hex digits.
    pub fn from_hex(hex_key: &str) -> Result<Self, StoreError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| StoreError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| StoreError::BadKey)?;
        Ok(Self(bytes))
    }

    /// The key as 64 hex digits (to hand to a keychain; never log it).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreKey(redacted)")
    }
}

/// One participant's part of a write: documents stored for the first time, changes appended
/// to documents already stored, and the participant's recomputed query rows (with the rows
/// last written, when known, so unchanged tables are not rewritten).
#[derive(Debug, Default)]
pub struct Write<'a> {
    pub new_docs: Vec<(DocId, Vec<u8>)>,
    pub changes: Vec<(DocId, Vec<u8>)>,
    pub rows: Option<&'a ParticipantRows>,
    pub old_rows: Option<&'a ParticipantRows>,
    /// Whether this was made on this device: its documents and changes are also queued in
    /// the outbox for the server.
    pub local: bool,
}

/// A change or new document waiting to be sent to the server.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub entry: u64,
    pub doc: DocId,
    pub data: Vec<u8>,
}

/// A change this device made that the office did not accept, kept with what it recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// The outbox entry it came from (deleted from the outbox as it is held).
    pub entry: Option<u64>,
    pub doc: DocId,
    pub preferred_name: String,
    pub label: String,
    /// Why, as JSON.
    pub why: String,
    /// What it recorded, as JSON.
    pub content: String,
    pub data: Vec<u8>,
}

/// A held change as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRow {
    pub id: i64,
    pub held_at: i64,
    pub doc: DocId,
    pub preferred_name: String,
    pub label: String,
    pub why: String,
    pub content: String,
}

/// Everything one round of sync stores, in one transaction.
#[derive(Debug, Default)]
pub struct SyncWrite<'a> {
    /// Changes the office did not accept (or can no longer accept), kept for the person.
    pub held: Vec<Held>,
    /// Office notices for coordinators, as (number, JSON).
    pub notices: Vec<(u64, String)>,
    /// When the office received changes, as (change hash, ms since epoch).
    pub receipts: Vec<([u8; 32], i64)>,
    /// When the round was stored (ms since epoch).
    pub now: i64,
    /// The sync state to remember (opaque to the store).
    pub state: String,
    /// The new scope, when it changed.
    pub scope: Option<Vec<DocId>>,
    /// Documents to delete, with their queued changes.
    pub remove: Vec<DocId>,
    /// Whole documents received, replacing any copy.
    pub replace: Vec<(DocId, Vec<u8>)>,
    /// Changes received and recomputed rows, per participant.
    pub writes: Vec<Write<'a>>,
    /// Participants left with no Plan: their rows are deleted.
    pub gone: Vec<ParticipantId>,
    /// Outbox entries the server acknowledged.
    pub acked: Vec<u64>,
    /// Settings to set in the same transaction (such as how far the clock is off).
    pub meta: Vec<(&'static str, String)>,
    /// The office's answers to commands, as (command id, why refused as JSON, a code issued).
    pub answers: Vec<(String, Option<String>, Option<String>)>,
    /// A new staff directory from the office, replacing the one held.
    pub directory: Option<DirectoryWrite>,
}

/// The staff directory as the store keeps it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DirectoryWrite {
    /// Each member of staff as (user id, JSON).
    pub staff: Vec<(UserId, String)>,
    pub assignments: Vec<(ParticipantId, UserId)>,
}

/// A command for the office made on this device.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRow {
    pub id: String,
    /// The order, as JSON.
    pub body: String,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    /// Why the office refused it, as JSON.
    pub refused: Option<String>,
    /// An enrolment code the office issued for it.
    pub code: Option<String>,
}

/// An open device store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store at `path`, unlocking it with `key`. A wrong key, a damaged
    /// file or a file that is not an Onward store is an error; an existing file never opens
    /// as an empty store.
    pub fn open(path: &Path, key: &StoreKey) -> Result<Self, StoreError> {
        let existed = path.exists()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
        let conn = Connection::open(path).map_err(StoreError::from_open)?;
        conn.execute_batch(&format!(
            "PRAGMA cipher_log_level = NONE; PRAGMA key = \"x'{}'\";",
            key.to_hex()
        ))
        .map_err(StoreError::from_open)?;
        // The first read decrypts page one: a wrong key or a damaged header fails here.
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .and_then(|id| conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(id)))
            .map_err(StoreError::from_open)?;
        if existed && app_id != APPLICATION_ID {
            return Err(StoreError::NotOnward);
        }
        conn.busy_timeout(Duration::from_secs(10))?;
        // WAL with full sync: a committed edit survives the battery dying.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;",
        )?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        // A migration that changed what the query tables hold asks for them to be rebuilt.
        if store.meta("rebuild_derived")?.is_some() {
            store.rebuild_derived()?;
            store.delete_meta("rebuild_derived")?;
        }
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: usize =
            self.conn
                .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        if version > MIGRATIONS.len() {
            return Err(StoreError::NewerVersion { found: version });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!(
                "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
                i + 1
            ))?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks every page of the file. Slow on large stores; for tests and repair tools.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Damaged(result))
        }
    }

    /// A setting or identity value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Removes a setting.
    pub fn delete_meta(&mut self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Sets and deletes settings in one transaction (one write to disk, not one each).
    pub fn update_meta(&mut self, set: &[(&str, &str)], delete: &[&str]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (key, value) in set {
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        }
        for key in delete {
            tx.prepare_cached("DELETE FROM meta WHERE key = ?1")?
                .execute([key])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Sets a setting or identity value.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Every participant with at least one document on this device.
    pub fn participants(&self) -> Result<Vec<ParticipantId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT participant_id FROM documents ORDER BY participant_id",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| {
            r?.parse()
                .map_err(|e: onward_core::ids::IdParseError| StoreError::Damaged(e.to_string()))
        })
        .collect()
    }

    /// The stored bytes of a document (snapshot followed by later changes), if present.
    pub fn load_bytes(&self, id: DocId) -> Result<Option<Vec<u8>>, StoreError> {
        let key = id.to_string();
        let snapshot: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT snapshot FROM documents WHERE doc_id = ?1")?
            .query_row([&key], |r| r.get(0))
            .optional()?;
        let Some(mut bytes) = snapshot else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM changes WHERE doc_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([&key])?;
        while let Some(row) = rows.next()? {
            bytes.extend_from_slice(row.get_ref(0)?.as_blob()?);
        }
        Ok(Some(bytes))
    }

    /// Loads one of a participant's Plan, Notes or Restricted documents, if present.
    pub fn load<T: Record>(
        &self,
        participant: ParticipantId,
    ) -> Result<Option<Doc<T>>, StoreError> {
        self.load_doc(DocId::new(participant, T::KIND))
    }

    /// Loads a participant's concern documents.
    pub fn load_concerns(
        &self,
        participant: ParticipantId,
    ) -> Result<Vec<Doc<Safeguarding>>, StoreError> {
        let mut out = Vec::new();
        for id in self.docs_of(participant)? {
            if id.kind == onward_core::vocab::DocKind::Concern
                && let Some(doc) = self.load_doc(id)?
            {
                out.push(doc);
            }
        }
        out.sort_by_key(|d: &Doc<Safeguarding>| d.id());
        Ok(out)
    }

    /// Loads a document, if present.
    pub fn load_doc<T: Record>(&self, id: DocId) -> Result<Option<Doc<T>>, StoreError> {
        match self.load_bytes(id)? {
            // SQLCipher authenticates every page it decrypts, so the bytes are ours.
            Some(bytes) => Ok(Some(Doc::load_trusted(id, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Writes edits to one or more participants in a single durable transaction: when this
    /// returns, they survive a crash or power loss. Returns the documents that are due for
    /// compaction.
    pub fn commit(&mut self, writes: &[Write<'_>]) -> Result<Vec<DocId>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let due = Self::write_all(&tx, writes)?;
        tx.commit()?;
        Ok(due)
    }

    fn write_all(tx: &Transaction<'_>, writes: &[Write<'_>]) -> Result<Vec<DocId>, StoreError> {
        let mut due = Vec::new();
        for w in writes {
            for (id, bytes) in &w.new_docs {
                tx.prepare_cached(
                    "INSERT INTO documents (doc_id, participant_id, kind, snapshot, pending_changes)
                     VALUES (?1, ?2, ?3, ?4, 0)",
                )?
                .execute(params![id.to_string(), id.participant.to_string(), id.kind.as_str(), bytes])?;
                if w.local {
                    // The server takes a new document's changes, not its saved form.
                    queue(tx, *id, &onward_core::document::changes_of_saved(bytes)?)?;
                }
            }
            for (id, bytes) in &w.changes {
                if bytes.is_empty() {
                    continue;
                }
                if w.local {
                    queue(tx, *id, bytes)?;
                }
                let key = id.to_string();
                tx.prepare_cached("INSERT INTO changes (doc_id, data) VALUES (?1, ?2)")?
                    .execute(params![key, bytes])?;
                let pending: i64 = tx
                    .prepare_cached(
                        "UPDATE documents SET pending_changes = pending_changes + 1 WHERE doc_id = ?1
                         RETURNING pending_changes",
                    )?
                    .query_row([&key], |r| r.get(0))
                    .optional()?
                    .ok_or(StoreError::MissingDocument(*id))?;
                if pending >= COMPACT_AFTER {
                    due.push(*id);
                }
            }
            if let Some(rows) = w.rows {
                derived::replace_rows(tx, rows, w.old_rows)?;
            }
        }
        Ok(due)
    }

    /// Deletes a participant's documents, queued changes and rows from this device
    /// (reassignment, erasure).
    pub fn remove_participant(&mut self, participant: ParticipantId) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let p = participant.to_string();
        tx.execute("DELETE FROM changes WHERE doc_id IN (SELECT doc_id FROM documents WHERE participant_id = ?1)", [&p])?;
        tx.execute("DELETE FROM outbox WHERE doc_id IN (SELECT doc_id FROM documents WHERE participant_id = ?1)", [&p])?;
        tx.execute("DELETE FROM documents WHERE participant_id = ?1", [&p])?;
        derived::delete_rows(&tx, &p)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes every document, queued change, scope entry and sync state: what a revoked
    /// device does. The identity stays so the person sees what happened.
    pub fn wipe_records(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DELETE FROM changes; DELETE FROM outbox; DELETE FROM documents; DELETE FROM sync_scope;
             DELETE FROM not_accepted; DELETE FROM office_notices; DELETE FROM receipts;
             DELETE FROM office_commands; DELETE FROM office_staff; DELETE FROM office_assignments;
             DELETE FROM meta WHERE key LIKE 'sync.%' OR key LIKE 'draft:%';",
        )?;
        derived::clear_all(&tx)?;
        tx.commit()?;
        // Deleted pages are overwritten so the records cannot be recovered from free space.
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")?;
        Ok(())
    }

    /// The outbox entries queued for one document, oldest first.
    pub fn outbox_for(&self, doc: DocId) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entry, data FROM outbox WHERE doc_id = ?1 ORDER BY entry")?;
        let rows = stmt.query_map([doc.to_string()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (entry, data) = row?;
            out.push(OutboxEntry {
                entry: entry as u64,
                doc,
                data,
            });
        }
        Ok(out)
    }

    /// Changes the office did not accept that no one has dealt with yet, newest first.
    pub fn not_accepted(&self) -> Result<Vec<HeldRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, held_at, doc_id, preferred_name, label, why, content FROM not_accepted
             WHERE resolved_at IS NULL ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, held_at, doc, preferred_name, label, why, content) = row?;
            out.push(HeldRow {
                id,
                held_at,
                doc: doc.parse()?,
                preferred_name,
                label,
                why,
                content,
            });
        }
        Ok(out)
    }

    /// Marks a held change as dealt with. False if there is no such unresolved change.
    pub fn resolve_not_accepted(&mut self, id: i64, now: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE not_accepted SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
            params![id, now],
        )? > 0)
    }

    /// Office notices stored for a coordinator, newest first, at most `limit`.
    pub fn office_notices(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT notice FROM office_notices ORDER BY seq DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the office received the change with `hash`, if this device has been told.
    pub fn receipt(&self, hash: &[u8; 32]) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT received_at FROM receipts WHERE hash = ?1")?
            .query_row([&hash[..]], |r| r.get(0))
            .optional()?)
    }

    /// Every document held for one participant.
    pub fn docs_of(&self, participant: ParticipantId) -> Result<Vec<DocId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id FROM documents WHERE participant_id = ?1")?;
        let rows = stmt.query_map([participant.to_string()], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.parse()?);
        }
        Ok(out)
    }

    /// Up to `limit` outbox entries, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entry, doc_id, data FROM outbox ORDER BY entry LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (entry, doc, data) = row?;
            out.push(OutboxEntry {
                entry: entry as u64,
                doc: doc.parse()?,
                data,
            });
        }
        Ok(out)
    }

    /// How many outbox entries wait for the server.
    pub fn outbox_len(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Every document held.
    pub fn held_docs(&self) -> Result<Vec<DocId>, StoreError> {
        self.doc_ids("SELECT doc_id FROM documents")
    }

    /// The documents the server last said this device may hold.
    pub fn scope(&self) -> Result<Vec<DocId>, StoreError> {
        self.doc_ids("SELECT doc_id FROM sync_scope")
    }

    fn doc_ids(&self, sql: &str) -> Result<Vec<DocId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.parse()?);
        }
        Ok(out)
    }

    /// Stores one round of sync in one durable transaction. Returns the documents due for
    /// compaction.
    pub fn sync_commit(&mut self, round: &SyncWrite<'_>) -> Result<Vec<DocId>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('sync.state', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&round.state],
        )?;
        for (key, value) in &round.meta {
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        }
        if let Some(scope) = &round.scope {
            tx.execute("DELETE FROM sync_scope", [])?;
            let mut stmt = tx.prepare_cached("INSERT INTO sync_scope (doc_id) VALUES (?1)")?;
            for d in scope {
                stmt.execute([d.to_string()])?;
            }
        }
        for entry in &round.acked {
            tx.prepare_cached("DELETE FROM outbox WHERE entry = ?1")?
                .execute([*entry as i64])?;
        }
        for h in &round.held {
            tx.prepare_cached(
                "INSERT INTO not_accepted (held_at, doc_id, participant_id, preferred_name, label, why, content, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                round.now,
                h.doc.to_string(),
                h.doc.participant.to_string(),
                h.preferred_name,
                h.label,
                h.why,
                h.content,
                h.data
            ])?;
            if let Some(entry) = h.entry {
                tx.prepare_cached("DELETE FROM outbox WHERE entry = ?1")?
                    .execute([entry as i64])?;
            }
        }
        for (hash, at) in &round.receipts {
            tx.prepare_cached(
                "INSERT INTO receipts (hash, received_at) VALUES (?1, ?2) ON CONFLICT (hash) DO NOTHING",
            )?
            .execute(params![&hash[..], at])?;
        }
        for (id, refused, code) in &round.answers {
            tx.prepare_cached(
                "UPDATE office_commands SET answered_at = ?2, refused = ?3, code = ?4
                  WHERE id = ?1 AND answered_at IS NULL",
            )?
            .execute(params![id, round.now, refused, code])?;
        }
        if let Some(d) = &round.directory {
            tx.execute_batch("DELETE FROM office_staff; DELETE FROM office_assignments;")?;
            let mut staff =
                tx.prepare_cached("INSERT INTO office_staff (user_id, body) VALUES (?1, ?2)")?;
            for (user, body) in &d.staff {
                staff.execute(params![user.to_string(), body])?;
            }
            let mut assigned = tx.prepare_cached(
                "INSERT OR IGNORE INTO office_assignments (participant_id, mentor_id) VALUES (?1, ?2)",
            )?;
            for (p, m) in &d.assignments {
                assigned.execute(params![p.to_string(), m.to_string()])?;
            }
        }
        for (seq, notice) in &round.notices {
            tx.prepare_cached(
                "INSERT INTO office_notices (seq, notice) VALUES (?1, ?2)
                 ON CONFLICT (seq) DO NOTHING",
            )?
            .execute(params![*seq as i64, notice])?;
        }
        for d in round
            .remove
            .iter()
            .chain(round.replace.iter().map(|(d, _)| d))
        {
            let key = d.to_string();
            // Queued changes of a removed document were held above by the caller; anything
            // left here would be lost, so refuse the round instead.
            let queued: i64 = tx.query_row(
                "SELECT count(*) FROM outbox WHERE doc_id = ?1",
                [&key],
                |r| r.get(0),
            )?;
            if queued > 0 {
                return Err(StoreError::Unsaved(*d));
            }
            tx.execute("DELETE FROM changes WHERE doc_id = ?1", [&key])?;
            tx.execute("DELETE FROM documents WHERE doc_id = ?1", [&key])?;
        }
        for p in &round.gone {
            derived::delete_rows(&tx, &p.to_string())?;
        }
        for (id, bytes) in &round.replace {
            tx.prepare_cached(
                "INSERT INTO documents (doc_id, participant_id, kind, snapshot, pending_changes)
                 VALUES (?1, ?2, ?3, ?4, 0)",
            )?
            .execute(params![
                id.to_string(),
                id.participant.to_string(),
                id.kind.as_str(),
                bytes
            ])?;
        }
        let due = Self::write_all(&tx, &round.writes)?;
        tx.commit()?;
        Ok(due)
    }

    /// Folds a document's appended changes into a fresh snapshot. Safe to run on a second
    /// connection while edits continue: only the changes it read are removed.
    pub fn compact(&mut self, id: DocId) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key = id.to_string();
        let Some(mut bytes): Option<Vec<u8>> = tx
            .query_row(
                "SELECT snapshot FROM documents WHERE doc_id = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()?
        else {
            return Ok(());
        };
        let mut max_seq = 0i64;
        {
            let mut stmt =
                tx.prepare_cached("SELECT seq, data FROM changes WHERE doc_id = ?1 ORDER BY seq")?;
            let mut rows = stmt.query([&key])?;
            while let Some(row) = rows.next()? {
                max_seq = row.get(0)?;
                bytes.extend_from_slice(row.get_ref(1)?.as_blob()?);
            }
        }
        if max_seq == 0 {
            return Ok(());
        }
        let snapshot = onward_core::document::compact_bytes(&bytes)?;
        tx.execute(
            "UPDATE documents SET snapshot = ?2, pending_changes = 0 WHERE doc_id = ?1",
            params![key, snapshot],
        )?;
        tx.execute(
            "DELETE FROM changes WHERE doc_id = ?1 AND seq <= ?2",
            params![key, max_seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Recomputes every derived query table from the documents.
    pub fn rebuild_derived(&mut self) -> Result<(), StoreError> {
        let mut all = Vec::new();
        for p in self.participants()? {
            all.push(self.rows_from_documents(p)?);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        derived::clear_all(&tx)?;
        for rows in all.iter().flatten() {
            derived::replace_rows(&tx, rows, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A participant's rows, computed from the stored documents.
    pub fn rows_from_documents(
        &self,
        p: ParticipantId,
    ) -> Result<Option<ParticipantRows>, StoreError> {
        let Some(plan) = self.load::<Plan>(p)? else {
            return Ok(None);
        };
        let notes = self.load::<Notes>(p)?;
        let restricted = self.load::<Restricted>(p)?;
        let concerns = self.load_concerns(p)?;
        let concerns: Vec<&Safeguarding> = concerns.iter().map(|d| d.read()).collect();
        Ok(Some(onward_core::views::participant_rows(
            plan.read(),
            notes.as_ref().map(|d| d.read()),
            restricted.as_ref().map(|d| d.read()),
            &concerns,
        )))
    }

    /// Queues a command for the office, sent at the next sync.
    pub fn queue_command(&mut self, id: &str, body: &str, now: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO office_commands (id, body, created_at) VALUES (?1, ?2, ?3)",
            params![id, body, now],
        )?;
        Ok(())
    }

    /// Commands the office has not answered yet, oldest first.
    pub fn pending_commands(&self) -> Result<Vec<CommandRow>, StoreError> {
        self.command_rows("WHERE answered_at IS NULL ORDER BY created_at, id", [])
    }

    /// The latest `limit` commands, newest first.
    pub fn commands(&self, limit: u32) -> Result<Vec<CommandRow>, StoreError> {
        self.command_rows("ORDER BY created_at DESC, id DESC LIMIT ?1", [limit])
    }

    fn command_rows(
        &self,
        tail: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<CommandRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, body, created_at, answered_at, refused, code FROM office_commands {tail}"
        ))?;
        let rows = stmt.query_map(p, |r| {
            Ok(CommandRow {
                id: r.get(0)?,
                body: r.get(1)?,
                created_at: r.get(2)?,
                answered_at: r.get(3)?,
                refused: r.get(4)?,
                code: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The staff directory the office last sent: each member's JSON.
    pub fn staff(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM office_staff ORDER BY user_id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many participants held here no one is assigned to, as the office last said.
    pub fn unassigned_count(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM q_caseload c
                  WHERE NOT EXISTS (SELECT 1 FROM office_assignments a
                                     WHERE a.participant_id = c.participant_id)",
            )?
            .query_row([], |r| r.get(0))?)
    }

    /// Whether the office has sent a staff directory yet.
    pub fn has_directory(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM office_staff)")?
            .query_row([], |r| r.get(0))?)
    }

    /// Who is assigned to a participant, as the office last said.
    pub fn assigned_to(&self, participant: ParticipantId) -> Result<Vec<UserId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT mentor_id FROM office_assignments WHERE participant_id = ?1 ORDER BY mentor_id",
        )?;
        let rows = stmt.query_map([participant.to_string()], |r| r.get::<_, String>(0))?;
        rows.map(|r| {
            r.map_err(StoreError::from)?
                .parse()
                .map_err(|_| StoreError::Damaged("an assignment".into()))
        })
        .collect()
    }

    /// Participants held here that no one is assigned to, as the office last said (only
    /// meaningful once the office has sent a directory).
    pub fn unassigned(&self) -> Result<Vec<ParticipantId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT participant_id FROM q_caseload
              WHERE participant_id NOT IN (SELECT participant_id FROM office_assignments)
              ORDER BY preferred_name COLLATE NOCASE, participant_id",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| {
            r.map_err(StoreError::from)?
                .parse()
                .map_err(|_| StoreError::Damaged("a participant id".into()))
        })
        .collect()
    }

    /// How many appended changes are waiting to be folded into snapshots.
    pub fn pending_changes(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?)
    }

    /// Size of the database file and its WAL, in bytes.
    pub fn size_on_disk(&self) -> u64 {
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        [&self.path, &wal]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    /// The connection, for the derived-table queries in this crate.
    fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Queues a local change (or a document created here) for the server.
fn queue(tx: &Transaction<'_>, id: DocId, bytes: &[u8]) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO outbox (doc_id, data) VALUES (?1, ?2)")?
        .execute(params![id.to_string(), bytes])?;
    Ok(())
}
