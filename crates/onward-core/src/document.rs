//! Participant documents: an automerge document per (participant, kind), typed by the record
//! it holds. Every change is made through [`Doc::change`], which validates first, commits one
//! automerge change whose actor id names the user and device, and rolls back on error so a
//! refused operation leaves no trace.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use automerge::transaction::CommitOptions;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, Value, ROOT};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::OpError;
use crate::ids::{DeviceId, ParticipantId, UserId};
use crate::model::{Author, Notes, Plan, Restricted, SCHEMA_VERSION};
use crate::time::Timestamp;
use crate::vocab::DocKind;

/// Names one document: whose it is and which kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DocId {
    pub participant: ParticipantId,
    pub kind: DocKind,
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.participant, self.kind)
    }
}

impl FromStr for DocId {
    type Err = OpError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || OpError::invalid("document id", "must look like PARTICIPANT-ID/plan");
        let (p, k) = s.split_once('/').ok_or_else(bad)?;
        Ok(DocId {
            participant: p.parse().map_err(|_| bad())?,
            kind: k.parse().map_err(|_| bad())?,
        })
    }
}

/// The record type a document holds.
pub trait Record: Reconcile + Hydrate + Clone {
    /// Which of the three documents this is.
    const KIND: DocKind;
    /// An empty record with every collection created, so later concurrent additions on
    /// different devices land in the same containers.
    fn empty(participant: ParticipantId, created: crate::model::Stamp) -> Self;
}

/// The context of one operation: who does it, and when.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub author: Author,
    pub now: Timestamp,
}

impl Ctx {
    /// A context for `author` at `now`.
    pub fn new(author: Author, now: Timestamp) -> Self {
        Self { author, now }
    }

    /// The stamp for records made in this context.
    pub fn stamp(&self) -> crate::model::Stamp {
        crate::model::Stamp { at: self.now, by: self.author.user }
    }
}

/// The actor id for an author: the user's id followed by the device's id (32 bytes), so the
/// history says who changed what, on which tablet.
pub fn actor_for(author: &Author) -> ActorId {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(author.user.uuid().as_bytes());
    bytes.extend_from_slice(author.device.uuid().as_bytes());
    ActorId::from(bytes)
}

/// The author an actor id names, if it was made by [`actor_for`].
pub fn author_of(actor: &ActorId) -> Option<Author> {
    let b = actor.to_bytes();
    if b.len() != 32 {
        return None;
    }
    Some(Author {
        user: UserId(uuid::Uuid::from_slice(&b[..16]).ok()?),
        device: DeviceId(uuid::Uuid::from_slice(&b[16..]).ok()?),
    })
}

/// One entry of a document's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub author: Option<Author>,
    pub at: Timestamp,
    /// The operation's name, such as `log_session`.
    pub operation: String,
}

/// A participant document holding a `T`.
pub struct Doc<T: Record> {
    id: DocId,
    am: AutoCommit,
    _record: PhantomData<T>,
}

impl<T: Record> fmt::Debug for Doc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Doc").field("id", &self.id).finish_non_exhaustive()
    }
}

impl<T: Record> Clone for Doc<T> {
    fn clone(&self) -> Self {
        Self { id: self.id, am: self.am.clone(), _record: PhantomData }
    }
}

impl<T: Record> Doc<T> {
    /// A new document for `participant`, with every container created in its first change;
    /// `init` fills in the first values.
    pub fn create(
        participant: ParticipantId,
        ctx: &Ctx,
        init: impl FnOnce(&mut T),
    ) -> Result<Self, OpError> {
        let mut doc = Self {
            id: DocId { participant, kind: T::KIND },
            am: AutoCommit::new(),
            _record: PhantomData,
        };
        let mut record = T::empty(participant, ctx.stamp());
        init(&mut record);
        doc.change(ctx, "create", |am| {
            autosurgeon::reconcile(am, &record)?;
            am.put(ROOT, "kind", T::KIND.as_str())?;
            Ok(())
        })?;
        Ok(doc)
    }

    /// Loads a saved document (or a concatenation of saved chunks and changes), checking its
    /// kind, participant and schema version.
    pub fn load(id: DocId, bytes: &[u8]) -> Result<Self, OpError> {
        let am = AutoCommit::load(bytes).map_err(|e| OpError::Corrupt(e.to_string()))?;
        let doc = Self { id, am, _record: PhantomData };
        doc.check()?;
        Ok(doc)
    }

    /// Checks the document says what it is supposed to be.
    fn check(&self) -> Result<(), OpError> {
        let kind: Option<String> = autosurgeon::hydrate_prop(&self.am, ROOT, "kind")?;
        let kind = kind.ok_or_else(|| OpError::Corrupt("the document has no kind".into()))?;
        if kind != T::KIND.as_str() {
            return Err(OpError::WrongKind { expected: T::KIND.as_str(), found: kind });
        }
        let schema: Option<u64> = autosurgeon::hydrate_prop(&self.am, ROOT, "schema")?;
        let schema = schema.ok_or_else(|| OpError::Corrupt("the document has no schema".into()))?;
        if schema > SCHEMA_VERSION {
            return Err(OpError::NewerSchema { found: schema });
        }
        let participant: Option<ParticipantId> =
            autosurgeon::hydrate_prop(&self.am, ROOT, "participant")?;
        if participant != Some(self.id.participant) {
            return Err(OpError::Corrupt("the document belongs to another participant".into()));
        }
        Ok(())
    }

    /// The document's id.
    pub fn id(&self) -> DocId {
        self.id
    }

    /// Reads the whole record.
    pub fn read(&self) -> Result<T, OpError> {
        Ok(autosurgeon::hydrate(&self.am)?)
    }

    /// Reads one entry of a top-level map, such as one goal.
    pub fn entry<V: Hydrate>(&self, map: &str, key: &str) -> Result<Option<V>, OpError> {
        let obj = self.container(map)?;
        Ok(autosurgeon::hydrate_prop(&self.am, &obj, key)?)
    }

    /// The object id of a top-level map created by [`Record::empty`].
    fn container(&self, name: &str) -> Result<ObjId, OpError> {
        match self.am.get(ROOT, name)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(OpError::Corrupt(format!("the document has no {name} section"))),
        }
    }

    /// Writes one entry of a top-level map (adding it or updating only what changed).
    pub(crate) fn put_entry<V: Reconcile>(
        am: &mut AutoCommit,
        map: &str,
        key: &str,
        value: &V,
    ) -> Result<(), OpError> {
        let obj = match am.get(ROOT, map)? {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => return Err(OpError::Corrupt(format!("the document has no {map} section"))),
        };
        autosurgeon::reconcile_prop(am, &obj, key, value)?;
        Ok(())
    }

    /// Reads one entry of a top-level map, lets `f` change it (and refuse), and writes back
    /// only what changed, as one change named `operation`.
    pub(crate) fn update_entry<V: Hydrate + Reconcile, R>(
        &mut self,
        ctx: &Ctx,
        operation: &str,
        map: &str,
        key: &str,
        what: &'static str,
        f: impl FnOnce(&mut V) -> Result<R, OpError>,
    ) -> Result<R, OpError> {
        let mut value: V = self.entry(map, key)?.ok_or(OpError::NotFound(what))?;
        let r = f(&mut value)?;
        self.change(ctx, operation, |am| Self::put_entry(am, map, key, &value))?;
        Ok(r)
    }

    /// Adds a new entry to a top-level map as one change named `operation`.
    pub(crate) fn insert_entry<V: Reconcile>(
        &mut self,
        ctx: &Ctx,
        operation: &str,
        map: &str,
        key: &str,
        value: &V,
    ) -> Result<(), OpError> {
        self.change(ctx, operation, |am| Self::put_entry(am, map, key, value))
    }

    /// Runs `f` as one change by `ctx.author`, named `operation`. On error everything `f` did
    /// is rolled back.
    pub fn change<R>(
        &mut self,
        ctx: &Ctx,
        operation: &str,
        f: impl FnOnce(&mut AutoCommit) -> Result<R, OpError>,
    ) -> Result<R, OpError> {
        self.am.set_actor(actor_for(&ctx.author));
        match f(&mut self.am) {
            Ok(r) => {
                self.am.commit_with(
                    CommitOptions::default()
                        .with_message(operation)
                        .with_time(ctx.now.millis()),
                );
                Ok(r)
            }
            Err(e) => {
                self.am.rollback();
                Err(e)
            }
        }
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.am.save()
    }

    /// The changes made since the last `save` or `take_changes` (empty if none), for appending
    /// to storage.
    pub fn take_changes(&mut self) -> Vec<u8> {
        self.am.save_incremental()
    }

    /// Applies saved bytes or changes from elsewhere (another device, storage). Duplicates are
    /// ignored; changes whose dependencies are missing wait until they arrive.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<(), OpError> {
        let before = self.am.get_heads();
        self.am.load_incremental(bytes)?;
        if let Err(e) = self.check() {
            // Undo by reloading the state before the merge.
            let mut restored = self.am.fork_at(&before)?;
            restored.update_diff_cursor();
            self.am = restored;
            return Err(e);
        }
        Ok(())
    }

    /// Merges another copy of this document.
    pub fn merge(&mut self, other: &mut Doc<T>) -> Result<(), OpError> {
        self.am.merge(&mut other.am)?;
        Ok(())
    }

    /// The current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.am.get_heads()
    }

    /// Encoded changes this document has that are not in `have` (the heads of another copy).
    pub fn changes_since(&mut self, have: &[ChangeHash]) -> Vec<Vec<u8>> {
        self.am.get_changes(have).into_iter().map(|mut c| c.bytes().to_vec()).collect()
    }

    /// Who changed the document, when, and with which operation, oldest first.
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        self.am
            .get_changes(&[])
            .into_iter()
            .map(|c| HistoryEntry {
                author: author_of(c.actor_id()),
                at: Timestamp::from_millis(c.timestamp()),
                operation: c.message().unwrap_or_default().to_string(),
            })
            .collect()
    }

    /// The underlying automerge document (for sync and tests).
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.am
    }
}

impl Record for Plan {
    const KIND: DocKind = DocKind::Plan;
    fn empty(participant: ParticipantId, created: crate::model::Stamp) -> Self {
        Plan {
            schema: SCHEMA_VERSION,
            participant,
            profile: crate::model::Profile {
                preferred_name: String::new(),
                programme: String::new(),
                status: crate::vocab::ParticipantStatus::Referred,
                pathways: Vec::new(),
                created,
            },
            goals: Default::default(),
            appointments: Default::default(),
            achievements: Default::default(),
            progressions: Default::default(),
            summaries: Default::default(),
            checkins: Default::default(),
            disclosure: None,
        }
    }
}

impl Record for Notes {
    const KIND: DocKind = DocKind::Notes;
    fn empty(participant: ParticipantId, _created: crate::model::Stamp) -> Self {
        Notes { schema: SCHEMA_VERSION, participant, sessions: Default::default() }
    }
}

impl Record for Restricted {
    const KIND: DocKind = DocKind::Restricted;
    fn empty(participant: ParticipantId, _created: crate::model::Stamp) -> Self {
        Restricted {
            schema: SCHEMA_VERSION,
            participant,
            referral: None,
            consents: Default::default(),
            contacts: Default::default(),
            concerns: Default::default(),
        }
    }
}
