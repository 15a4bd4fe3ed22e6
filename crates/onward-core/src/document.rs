//! Participant documents: an automerge document per (participant, kind), typed by the record
//! it holds. Every change is made through [`Doc::change`], which validates first, commits one
//! automerge change whose actor id names the user and device, and rolls back on error so a
//! refused operation leaves no trace.

use std::fmt;
use std::str::FromStr;

use automerge::transaction::CommitOptions;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};
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
    /// Brings `self` up to date with `am` after a change that wrote only `touched`.
    fn refresh(&mut self, am: &AutoCommit, touched: &[Touched]) -> Result<(), OpError>;
}

/// What a local change wrote: a top-level field, or one entry of a top-level map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    Field(&'static str),
    Entry(&'static str, String),
    Everything,
}

/// Writes to a document inside [`Doc::change`], remembering what it touched so the
/// in-memory record can be refreshed without reading the whole document again.
pub struct Writer<'a> {
    am: &'a mut AutoCommit,
    touched: &'a mut Vec<Touched>,
}

impl Writer<'_> {
    /// Writes one entry of a top-level map (adding it, or updating only what changed).
    pub fn put_entry<V: Reconcile>(
        &mut self,
        map: &'static str,
        key: &str,
        value: &V,
    ) -> Result<(), OpError> {
        let obj = container(self.am, map)?;
        autosurgeon::reconcile_prop(&mut *self.am, &obj, key, value)?;
        self.touched.push(Touched::Entry(map, key.to_string()));
        Ok(())
    }

    /// Writes a top-level field.
    pub fn put_field<V: Reconcile>(
        &mut self,
        field: &'static str,
        value: &V,
    ) -> Result<(), OpError> {
        autosurgeon::reconcile_prop(&mut *self.am, ROOT, field, value)?;
        self.touched.push(Touched::Field(field));
        Ok(())
    }
}

/// The object id of a top-level map created by [`Record::empty`].
fn container(am: &AutoCommit, name: &str) -> Result<ObjId, OpError> {
    match am.get(ROOT, name)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(OpError::Corrupt(format!(
            "the document has no {name} section"
        ))),
    }
}

/// Reads a document for hydration, answering each map lookup from one pass over that map's
/// entries. autosurgeon looks fields up one at a time, and each lookup in automerge seeks
/// through the op set; walking a map once is an order of magnitude cheaper.
/// One map's entries: key to (winning value, its id).
type MapEntries = std::collections::HashMap<String, (Value<'static>, ObjId)>;

struct CachedRead<'a> {
    am: &'a AutoCommit,
    maps: std::cell::RefCell<std::collections::HashMap<ObjId, MapEntries>>,
}

impl<'a> CachedRead<'a> {
    fn new(am: &'a AutoCommit) -> Self {
        Self {
            am,
            maps: Default::default(),
        }
    }
}

impl autosurgeon::ReadDoc for CachedRead<'_> {
    type Parents<'b>
        = automerge::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<ChangeHash> {
        autosurgeon::ReadDoc::get_heads(self.am)
    }

    fn get<P: Into<automerge::Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, automerge::AutomergeError> {
        let key = match prop.into() {
            automerge::Prop::Map(key) => key,
            seq => {
                return Ok(
                    automerge::ReadDoc::get(self.am, obj, seq)?.map(|(v, id)| (v.into_owned(), id))
                );
            }
        };
        let mut maps = self.maps.borrow_mut();
        let entries = maps.entry(obj.clone()).or_insert_with(|| {
            automerge::ReadDoc::map_range(self.am, obj, ..)
                .map(|item| {
                    let id = item.id();
                    (item.key.to_string(), (item.value.into_value(), id))
                })
                .collect()
        });
        Ok(entries.get(&key).cloned())
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        autosurgeon::ReadDoc::object_type(self.am, obj)
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> automerge::iter::MapRange<'b>
    where
        R: std::ops::RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        autosurgeon::ReadDoc::map_range(self.am, obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: std::ops::RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        autosurgeon::ReadDoc::list_range(self.am, obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        autosurgeon::ReadDoc::length(self.am, obj)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, automerge::AutomergeError> {
        autosurgeon::ReadDoc::text(self.am, obj)
    }

    fn parents<O: AsRef<ObjId>>(
        &self,
        obj: O,
    ) -> Result<Self::Parents<'_>, automerge::AutomergeError> {
        autosurgeon::ReadDoc::parents(self.am, obj)
    }

    fn is_empty(&self) -> bool {
        autosurgeon::ReadDoc::is_empty(self.am)
    }
}

/// Reads the whole record from a document.
fn read_all<T: Hydrate>(am: &AutoCommit) -> Result<T, OpError> {
    Ok(autosurgeon::hydrate(&CachedRead::new(am))?)
}

/// Reads a map whose values are sealed records by walking its entries once, instead of
/// looking each key up (an order of magnitude faster on long histories).
pub(crate) fn hydrate_sealed_map<D: autosurgeon::ReadDoc, V: Hydrate>(
    doc: &D,
    obj: &ObjId,
    prop: autosurgeon::Prop<'_>,
) -> Result<std::collections::BTreeMap<String, V>, autosurgeon::HydrateError> {
    let map = match doc.get(obj, &prop)? {
        Some((Value::Object(ObjType::Map), id)) => id,
        Some(_) => {
            return Err(autosurgeon::HydrateError::unexpected(
                "a map",
                "something else".into(),
            ));
        }
        None => return Ok(Default::default()),
    };
    let mut out = std::collections::BTreeMap::new();
    for item in doc.map_range(&map, ..) {
        let value = match item.value.into_value() {
            Value::Scalar(s) => V::hydrate_scalar(s)?,
            Value::Object(_) => V::hydrate(doc, &map, item.key.as_ref().into())?,
        };
        out.insert(item.key.to_string(), value);
    }
    Ok(out)
}

/// Implements [`Record::refresh`] from the record's maps and fields.
macro_rules! refresh {
    ($t:ty, maps[$($m:ident),*], fields[$($f:ident),*]) => {
        fn refresh(&mut self, am: &AutoCommit, touched: &[Touched]) -> Result<(), OpError> {
            for t in touched {
                match t {
                    $(Touched::Entry(stringify!($m), key) => {
                        let obj = container(am, stringify!($m))?;
                        match autosurgeon::hydrate_prop(am, &obj, key.as_str())? {
                            Some(v) => { self.$m.insert(key.clone(), v); }
                            None => { self.$m.remove(key); }
                        }
                    })*
                    $(Touched::Field(stringify!($f)) => {
                        self.$f = autosurgeon::hydrate_prop(am, ROOT, stringify!($f))?;
                    })*
                    _ => {
                        *self = autosurgeon::hydrate(am)?;
                        return Ok(());
                    }
                }
            }
            Ok(())
        }
    };
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
        crate::model::Stamp {
            at: self.now,
            by: self.author.user,
        }
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

/// Checks a document says what it is supposed to be.
fn check<T: Record>(am: &AutoCommit, id: DocId) -> Result<(), OpError> {
    let kind: Option<String> = autosurgeon::hydrate_prop(am, ROOT, "kind")?;
    let kind = kind.ok_or_else(|| OpError::Corrupt("the document has no kind".into()))?;
    if kind != T::KIND.as_str() {
        return Err(OpError::WrongKind {
            expected: T::KIND.as_str(),
            found: kind,
        });
    }
    let schema: Option<u64> = autosurgeon::hydrate_prop(am, ROOT, "schema")?;
    let schema = schema.ok_or_else(|| OpError::Corrupt("the document has no schema".into()))?;
    if schema > SCHEMA_VERSION {
        return Err(OpError::NewerSchema { found: schema });
    }
    let participant: Option<ParticipantId> = autosurgeon::hydrate_prop(am, ROOT, "participant")?;
    if participant != Some(id.participant) {
        return Err(OpError::Corrupt(
            "the document belongs to another participant".into(),
        ));
    }
    Ok(())
}

/// Folds a saved document and the changes appended after it into one compact save, without
/// reading the record (storage compaction).
pub fn compact_bytes(bytes: &[u8]) -> Result<Vec<u8>, OpError> {
    let mut am = AutoCommit::load(bytes).map_err(|e| OpError::Corrupt(e.to_string()))?;
    Ok(am.save())
}

/// One entry of a document's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub author: Option<Author>,
    pub at: Timestamp,
    /// The operation's name, such as `log_session`.
    pub operation: String,
}

/// A participant document holding a `T`. The hydrated record is kept in step with the
/// automerge document, so reading is free and each change re-reads only what it wrote.
pub struct Doc<T: Record> {
    id: DocId,
    am: AutoCommit,
    state: T,
    /// The heads as last saved to storage: [`Doc::take_changes`] returns what came after.
    saved: Vec<ChangeHash>,
}

impl<T: Record> fmt::Debug for Doc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Doc")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<T: Record> Clone for Doc<T> {
    fn clone(&self) -> Self {
        Self {
            id: self.id,
            am: self.am.clone(),
            state: self.state.clone(),
            saved: self.saved.clone(),
        }
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
        let mut record = T::empty(participant, ctx.stamp());
        init(&mut record);
        let mut doc = Self {
            id: DocId {
                participant,
                kind: T::KIND,
            },
            am: AutoCommit::new(),
            state: record.clone(),
            saved: Vec::new(),
        };
        doc.change(ctx, "create", |w| {
            autosurgeon::reconcile(&mut *w.am, &record)?;
            w.am.put(ROOT, "kind", T::KIND.as_str())?;
            w.touched.push(Touched::Everything);
            Ok(())
        })?;
        Ok(doc)
    }

    /// Loads a saved document (or a concatenation of saved chunks and changes), checking its
    /// kind, participant and schema version.
    pub fn load(id: DocId, bytes: &[u8]) -> Result<Self, OpError> {
        Self::load_with(id, AutoCommit::load(bytes))
    }

    /// Loads a document from storage that authenticates what it returns (the device store's
    /// SQLCipher pages carry an HMAC), skipping automerge's re-verification of the heads.
    /// Bytes from anywhere else go through [`Doc::load`].
    pub fn load_trusted(id: DocId, bytes: &[u8]) -> Result<Self, OpError> {
        Self::load_with(id, AutoCommit::load_unverified_heads(bytes))
    }

    fn load_with(
        id: DocId,
        loaded: Result<AutoCommit, automerge::AutomergeError>,
    ) -> Result<Self, OpError> {
        let mut am = loaded.map_err(|e| OpError::Corrupt(e.to_string()))?;
        check::<T>(&am, id)?;
        let state = read_all(&am)?;
        let saved = am.get_heads();
        Ok(Self {
            id,
            am,
            state,
            saved,
        })
    }

    /// The document's id.
    pub fn id(&self) -> DocId {
        self.id
    }

    /// The record.
    pub fn read(&self) -> &T {
        &self.state
    }

    /// Reads one entry of a top-level map, such as one goal.
    pub fn entry<V: Hydrate>(&self, map: &str, key: &str) -> Result<Option<V>, OpError> {
        let obj = container(&self.am, map)?;
        Ok(autosurgeon::hydrate_prop(&self.am, &obj, key)?)
    }

    /// Reads one entry of a top-level map, lets `f` change it (and refuse), and writes back
    /// only what changed, as one change named `operation`.
    pub(crate) fn update_entry<V: Hydrate + Reconcile, R>(
        &mut self,
        ctx: &Ctx,
        operation: &str,
        map: &'static str,
        key: &str,
        what: &'static str,
        f: impl FnOnce(&mut V) -> Result<R, OpError>,
    ) -> Result<R, OpError> {
        let mut value: V = self.entry(map, key)?.ok_or(OpError::NotFound(what))?;
        let r = f(&mut value)?;
        self.change(ctx, operation, |w| w.put_entry(map, key, &value))?;
        Ok(r)
    }

    /// Adds a new entry to a top-level map as one change named `operation`.
    pub(crate) fn insert_entry<V: Reconcile>(
        &mut self,
        ctx: &Ctx,
        operation: &str,
        map: &'static str,
        key: &str,
        value: &V,
    ) -> Result<(), OpError> {
        self.change(ctx, operation, |w| w.put_entry(map, key, value))
    }

    /// Runs `f` as one change by `ctx.author`, named `operation`. On error everything `f` did
    /// is rolled back.
    pub fn change<R>(
        &mut self,
        ctx: &Ctx,
        operation: &str,
        f: impl FnOnce(&mut Writer<'_>) -> Result<R, OpError>,
    ) -> Result<R, OpError> {
        self.am.set_actor(actor_for(&ctx.author));
        let mut touched = Vec::new();
        let result = f(&mut Writer {
            am: &mut self.am,
            touched: &mut touched,
        });
        match result {
            Ok(r) => {
                self.am.commit_with(
                    CommitOptions::default()
                        .with_message(operation)
                        .with_time(ctx.now.millis()),
                );
                self.state.refresh(&self.am, &touched)?;
                Ok(r)
            }
            Err(e) => {
                self.am.rollback();
                Err(e)
            }
        }
    }

    /// The whole document, compacted. Marks everything as saved.
    pub fn save(&mut self) -> Vec<u8> {
        self.saved = self.am.get_heads();
        self.am.save()
    }

    /// The changes made or received since the document was loaded, last saved, or last asked
    /// (empty if none), for appending to storage.
    pub fn take_changes(&mut self) -> Vec<u8> {
        let heads = self.am.get_heads();
        if heads == self.saved {
            return Vec::new();
        }
        let bytes = self.am.save_after(&self.saved);
        self.saved = heads;
        bytes
    }

    /// Applies saved bytes or changes from elsewhere (another device, storage). Duplicates are
    /// ignored; changes whose dependencies are missing wait until they arrive.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<(), OpError> {
        let before = self.am.get_heads();
        self.am.load_incremental(bytes)?;
        let refreshed =
            check::<T>(&self.am, self.id).and_then(|()| Ok(autosurgeon::hydrate(&self.am)?));
        match refreshed {
            Ok(state) => {
                self.state = state;
                Ok(())
            }
            Err(e) => {
                // Undo: go back to the document as it was before.
                self.am = self.am.fork_at(&before)?;
                Err(e)
            }
        }
    }

    /// Merges another copy of this document.
    pub fn merge(&mut self, other: &mut Doc<T>) -> Result<(), OpError> {
        self.am.merge(&mut other.am)?;
        self.state = read_all(&self.am)?;
        Ok(())
    }

    /// The current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.am.get_heads()
    }

    /// Encoded changes this document has that are not in `have` (the heads of another copy).
    pub fn changes_since(&mut self, have: &[ChangeHash]) -> Vec<Vec<u8>> {
        self.am
            .get_changes(have)
            .into_iter()
            .map(|mut c| c.bytes().to_vec())
            .collect()
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
    refresh!(Plan, maps[goals, appointments, achievements, progressions, summaries, checkins], fields[profile, disclosure]);
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
    refresh!(Notes, maps[revisions, sign_offs, addenda], fields[]);
    fn empty(participant: ParticipantId, _created: crate::model::Stamp) -> Self {
        Notes {
            schema: SCHEMA_VERSION,
            participant,
            revisions: Default::default(),
            sign_offs: Default::default(),
            addenda: Default::default(),
        }
    }
}

impl Record for Restricted {
    const KIND: DocKind = DocKind::Restricted;
    refresh!(Restricted, maps[consents, contacts, concerns], fields[referral]);
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
