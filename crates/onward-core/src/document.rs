//! Participant documents: an automerge document per (participant, kind), typed by the record
//! it holds. Every change is made through [`Doc::change`], which validates first, commits one
//! automerge change whose actor id names the user and device, and rolls back on error so a
//! refused operation leaves no trace.

use std::fmt;
use std::str::FromStr;

use automerge::transaction::CommitOptions;
use automerge::transaction::Transactable;
use automerge::{
    ActorId, AutoCommit, Change, ChangeHash, ObjId, ObjType, Patch, PatchAction, Prop, ROOT,
    ReadDoc, Value,
};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::OpError;
use crate::ids::{ConcernId, DeviceId, ParticipantId, UserId};
use crate::model::{Author, Notes, Plan, Restricted, SCHEMA_VERSION, Safeguarding, Stamp};
use crate::time::Timestamp;
use crate::validate::{Field, Problem};
use crate::vocab::DocKind;

/// Names one document: whose it is and which kind. A participant has one Plan, Notes and
/// Restricted document; each safeguarding concern raised about them is a document of its own,
/// named by the concern's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DocId {
    pub participant: ParticipantId,
    pub kind: DocKind,
    /// For a concern document, the concern; `None` for the other kinds.
    pub concern: Option<ConcernId>,
}

impl DocId {
    /// A participant's Plan, Notes or Restricted document (use [`DocId::concern`] for a
    /// concern's).
    pub fn new(participant: ParticipantId, kind: DocKind) -> Self {
        debug_assert!(
            kind != DocKind::Concern,
            "a concern document needs its concern id"
        );
        DocId {
            participant,
            kind,
            concern: None,
        }
    }

    /// The document of one safeguarding concern.
    pub fn concern(participant: ParticipantId, concern: ConcernId) -> Self {
        DocId {
            participant,
            kind: DocKind::Concern,
            concern: Some(concern),
        }
    }

    /// The three documents every participant has.
    pub fn participant_docs(participant: ParticipantId) -> [DocId; 3] {
        [DocKind::Plan, DocKind::Notes, DocKind::Restricted].map(|k| DocId::new(participant, k))
    }

    /// Whether the id is consistent: a concern id exactly when the kind is a concern.
    pub fn is_well_formed(&self) -> bool {
        (self.kind == DocKind::Concern) == self.concern.is_some()
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.concern {
            Some(c) => write!(f, "{}/{}/{c}", self.participant, self.kind),
            None => write!(f, "{}/{}", self.participant, self.kind),
        }
    }
}

impl FromStr for DocId {
    type Err = OpError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || OpError::invalid(Field::DocumentId, Problem::Malformed);
        let mut parts = s.split('/');
        let participant = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        let kind: DocKind = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        let concern = parts
            .next()
            .map(|c| c.parse::<ConcernId>().map_err(|_| bad()))
            .transpose()?;
        let id = DocId {
            participant,
            kind,
            concern,
        };
        if parts.next().is_some() || !id.is_well_formed() {
            return Err(bad());
        }
        Ok(id)
    }
}

/// The record type a document holds.
pub trait Record: Reconcile + Hydrate + Clone + PartialEq + Serialize {
    /// Which kind of document this is.
    const KIND: DocKind;
    /// The top-level maps of records keyed by id (created in the document's first change).
    const CONTAINERS: &'static [&'static str];
    /// The other top-level fields that changes may write.
    const FIELDS: &'static [&'static str];
    /// An empty record with every collection created, so later concurrent additions on
    /// different devices land in the same containers.
    fn empty(id: DocId, created: Stamp) -> Self;
    /// The document this record belongs in (what its own fields say).
    fn doc_id(&self) -> DocId;
    /// Brings `self` up to date with `am` after a change that wrote only `touched`.
    fn refresh(&mut self, am: &AutoCommit, touched: &[Touched]) -> Result<(), OpError>;
    /// The part of the record `touched` names, written on its own into a fresh document
    /// (under the key `v` of its root) exactly as an operation writes it.
    fn canonical(&self, touched: &Touched) -> Result<AutoCommit, OpError>;
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

/// Implements [`Record::refresh`], [`Record::canonical`] and the layout constants from the
/// record's maps and fields.
macro_rules! layout {
    ($t:ty, maps[$($m:ident),*], fields[$($f:ident),*]) => {
        const CONTAINERS: &'static [&'static str] = &[$(stringify!($m)),*];
        const FIELDS: &'static [&'static str] = &[$(stringify!($f)),*];

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

        fn canonical(&self, touched: &Touched) -> Result<AutoCommit, OpError> {
            let mut fresh = AutoCommit::new();
            match touched {
                $(Touched::Entry(stringify!($m), key) => {
                    if let Some(v) = self.$m.get(key) {
                        autosurgeon::reconcile_prop(&mut fresh, ROOT, "v", v)?;
                    }
                })*
                $(Touched::Field(stringify!($f)) => {
                    autosurgeon::reconcile_prop(&mut fresh, ROOT, "v", &self.$f)?;
                })*
                _ => {
                    let mut whole = AutoCommit::new();
                    autosurgeon::reconcile(&mut whole, self)?;
                    whole.put(ROOT, "kind", Self::KIND.as_str())?;
                    return Ok(whole);
                }
            }
            Ok(fresh)
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

/// Checks a document says what kind it is and that this build can read it.
fn check<T: Record>(am: &AutoCommit) -> Result<(), OpError> {
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
    Ok(())
}

/// Checks the record read from a document belongs in the document it was loaded as.
fn belongs<T: Record>(state: &T, id: DocId) -> Result<(), OpError> {
    if state.doc_id() != id {
        return Err(OpError::Corrupt(
            "the document belongs to another record".into(),
        ));
    }
    Ok(())
}

/// How a change breaks a document's layout (what the server refuses before it even asks what
/// the change did).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Layout {
    /// The change writes a key the record does not have (or one that never changes).
    #[error("the change writes '{0}', which is not part of the record")]
    Unknown(String),
    /// The change replaces a map or list that already existed, which would hide concurrent
    /// additions to the old one.
    #[error("the change replaces part of the record's structure")]
    Replaced,
    /// A value is not stored the way the record type writes it (extra keys, other types,
    /// loose formatting, text objects).
    #[error("the change stores something the record does not hold")]
    NotCanonical,
    /// The change could not be applied or read back.
    #[error("the change could not be used: {0}")]
    Unreadable(String),
}

/// One change applied on its own: the record as it was before, and what the change touched.
#[derive(Debug)]
pub struct Applied<T> {
    pub before: T,
    pub touched: Vec<Touched>,
}

/// A value's layout in a document, for comparing what a change wrote with what an operation
/// writes.
#[derive(Debug, PartialEq)]
enum Shape {
    Scalar(automerge::ScalarValue),
    Map(Vec<(String, Shape)>),
    Table(Vec<(String, Shape)>),
    List(Vec<Shape>),
    Text(String),
    /// Nested deeper than any record is.
    TooDeep,
}

/// Records nest a few levels; anything deeper is refused without walking it.
const MAX_DEPTH: usize = 12;

fn shape_of(doc: &AutoCommit, value: Value<'_>, id: &ObjId, depth: usize) -> Shape {
    if depth > MAX_DEPTH {
        return Shape::TooDeep;
    }
    let entries = |doc: &AutoCommit| -> Vec<(String, Shape)> {
        doc.map_range(id, ..)
            .map(|i| {
                let child = i.id();
                let key = i.key.to_string();
                (key, shape_of(doc, i.value.into_value(), &child, depth + 1))
            })
            .collect()
    };
    match value {
        Value::Scalar(s) => Shape::Scalar(s.into_owned()),
        Value::Object(ObjType::Map) => Shape::Map(entries(doc)),
        Value::Object(ObjType::Table) => Shape::Table(entries(doc)),
        Value::Object(ObjType::List) => Shape::List(
            doc.list_range(id, ..)
                .map(|i| {
                    let child = i.id();
                    shape_of(doc, i.value.into_value(), &child, depth + 1)
                })
                .collect(),
        ),
        Value::Object(ObjType::Text) => Shape::Text(doc.text(id).unwrap_or_default()),
    }
}

fn shape_at(doc: &AutoCommit, obj: &ObjId, prop: &str) -> Option<Shape> {
    match doc.get(obj, prop) {
        Ok(Some((v, id))) => Some(shape_of(doc, v, &id, 0)),
        _ => None,
    }
}

/// The property an action writes, if it names one.
fn action_prop(action: &PatchAction) -> Option<Prop> {
    match action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
            Some(Prop::Map(key.clone()))
        }
        PatchAction::PutSeq { index, .. }
        | PatchAction::Insert { index, .. }
        | PatchAction::SpliceText { index, .. }
        | PatchAction::DeleteSeq { index, .. } => Some(Prop::Seq(*index)),
        PatchAction::Increment { prop, .. } | PatchAction::Conflict { prop } => Some(prop.clone()),
        PatchAction::Mark { .. } => None,
    }
}

fn unknown(what: &str) -> Layout {
    Layout::Unknown(what.chars().take(40).collect())
}

/// What the patches between `before` and now touched, refusing writes outside the record's
/// layout and replacements of maps or lists that existed.
fn touched_by<T: Record>(
    am: &AutoCommit,
    before: &[ChangeHash],
    patches: &[Patch],
) -> Result<Vec<Touched>, Layout> {
    let mut out: Vec<Touched> = Vec::new();
    for p in patches {
        let replaced = match &p.action {
            PatchAction::PutMap {
                key,
                value: (Value::Object(_), _),
                ..
            } => Some(Prop::Map(key.clone())),
            PatchAction::PutSeq {
                index,
                value: (Value::Object(_), _),
                ..
            } => Some(Prop::Seq(*index)),
            _ => None,
        };
        if let Some(prop) = replaced
            && let Ok(Some((Value::Object(_), _))) = am.get_at(&p.obj, prop, before)
        {
            return Err(Layout::Replaced);
        }
        let root = match (p.path.first(), action_prop(&p.action)) {
            (Some((_, Prop::Map(k))), _) => k.clone(),
            (None, Some(Prop::Map(k))) => k,
            _ => return Err(unknown("a list at the top of the record")),
        };
        let touched = if let Some(c) = T::CONTAINERS.iter().find(|c| **c == root) {
            let key = match (p.path.get(1), p.path.len(), action_prop(&p.action)) {
                (Some((_, Prop::Map(k))), _, _) => k.clone(),
                (None, 1, Some(Prop::Map(k))) => k,
                // Written at the top level: the container itself.
                (None, 0, _) => return Err(Layout::Replaced),
                _ => return Err(unknown(c)),
            };
            Touched::Entry(c, key)
        } else if let Some(f) = T::FIELDS.iter().find(|f| **f == root) {
            Touched::Field(f)
        } else {
            return Err(unknown(&root));
        };
        if !out.contains(&touched) {
            out.push(touched);
        }
    }
    Ok(out)
}

/// Whether what `am` holds for `touched` is exactly what the record type writes for it.
fn canonical_at<T: Record>(am: &AutoCommit, state: &T, touched: &Touched) -> Result<(), Layout> {
    let fresh = state
        .canonical(touched)
        .map_err(|e| Layout::Unreadable(e.to_string()))?;
    let (theirs, ours) = match touched {
        Touched::Entry(map, key) => {
            let obj = container(am, map).map_err(|e| Layout::Unreadable(e.to_string()))?;
            (shape_at(am, &obj, key), shape_at(&fresh, &ROOT, "v"))
        }
        Touched::Field(f) => (shape_at(am, &ROOT, f), shape_at(&fresh, &ROOT, "v")),
        Touched::Everything => (
            Some(shape_of(am, Value::Object(ObjType::Map), &ROOT, 0)),
            Some(shape_of(&fresh, Value::Object(ObjType::Map), &ROOT, 0)),
        ),
    };
    if theirs == ours {
        Ok(())
    } else {
        Err(Layout::NotCanonical)
    }
}

/// Every change of a saved document, encoded one after another: what a device sends the
/// server for a document it created (the server takes changes, never saved documents).
pub fn changes_of_saved(bytes: &[u8]) -> Result<Vec<u8>, OpError> {
    let mut am = AutoCommit::load(bytes).map_err(|e| OpError::Corrupt(e.to_string()))?;
    Ok(am
        .get_changes(&[])
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect())
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
    /// The time the device gave the change.
    pub at: Timestamp,
    /// The operation's name, such as `log_session`.
    pub operation: String,
    /// The change's hash (hex), which names it everywhere.
    #[serde(default)]
    pub hash: String,
    /// When the office received it, where the device knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<Timestamp>,
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
        id: DocId,
        ctx: &Ctx,
        label: &str,
        init: impl FnOnce(&mut T),
    ) -> Result<Self, OpError> {
        let mut record = T::empty(id, ctx.stamp());
        init(&mut record);
        let mut doc = Self {
            id,
            am: AutoCommit::new(),
            state: record.clone(),
            saved: Vec::new(),
        };
        doc.change(ctx, label, |w| {
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
        check::<T>(&am)?;
        let state: T = read_all(&am)?;
        belongs(&state, id)?;
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
        let refreshed = check::<T>(&self.am).and_then(|()| {
            let state: T = autosurgeon::hydrate(&self.am)?;
            belongs(&state, self.id)?;
            Ok(state)
        });
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

    /// Starts a document from its first change alone (a document created elsewhere). The
    /// change must hold exactly the record it says, written as an operation writes it.
    pub fn from_first_change(id: DocId, change: &Change) -> Result<Self, Layout> {
        if !change.deps().is_empty() {
            return Err(Layout::Unreadable(
                "it is not a document's first change".into(),
            ));
        }
        let mut am = AutoCommit::new();
        am.apply_changes([change.clone()])
            .map_err(|e| Layout::Unreadable(e.to_string()))?;
        let unreadable = |e: OpError| Layout::Unreadable(e.to_string());
        check::<T>(&am).map_err(unreadable)?;
        let state: T = read_all(&am).map_err(unreadable)?;
        belongs(&state, id).map_err(unreadable)?;
        canonical_at(&am, &state, &Touched::Everything)?;
        let saved = am.get_heads();
        Ok(Self {
            id,
            am,
            state,
            saved,
        })
    }

    /// Applies one change from elsewhere on its own, checks it keeps to the record's layout
    /// (no keys outside it, no replaced maps or lists, every value written as the record type
    /// writes it), and returns the record as it was before with what the change touched. On
    /// error the document is left part-way and must be discarded.
    pub fn apply_checked(&mut self, change: &Change) -> Result<Applied<T>, Layout> {
        let before_heads = self.am.get_heads();
        self.am
            .apply_changes([change.clone()])
            .map_err(|e| Layout::Unreadable(e.to_string()))?;
        let after_heads = self.am.get_heads();
        if after_heads == before_heads {
            return Err(Layout::Unreadable(
                "it depends on changes that are not here".into(),
            ));
        }
        let patches = self.am.diff(&before_heads, &after_heads);
        let touched = touched_by::<T>(&self.am, &before_heads, &patches)?;
        let before = self.state.clone();
        self.state
            .refresh(&self.am, &touched)
            .map_err(|e| Layout::Unreadable(e.to_string()))?;
        for t in &touched {
            canonical_at(&self.am, &self.state, t)?;
        }
        Ok(Applied { before, touched })
    }

    /// What one change already in this document wrote: each part it touched (`goals`,
    /// `profile`...) with the record there as the change left it. For showing a person what
    /// a change the office did not accept had recorded.
    pub fn written_by(
        &mut self,
        change: &Change,
    ) -> Result<Vec<(String, serde_json::Value)>, OpError> {
        let unreadable = |e: Layout| OpError::Corrupt(e.to_string());
        let (state, touched) = if change.deps().is_empty() {
            let doc = Self::from_first_change(self.id, change).map_err(unreadable)?;
            (doc.state, vec![Touched::Everything])
        } else {
            let base = self.am.fork_at(change.deps())?;
            let mut doc = Self::load_with(self.id, Ok(base))?;
            let applied = doc.apply_checked(change).map_err(unreadable)?;
            (doc.state, applied.touched)
        };
        let whole = serde_json::to_value(&state).map_err(|e| OpError::Corrupt(e.to_string()))?;
        Ok(touched
            .into_iter()
            .map(|t| match t {
                Touched::Entry(map, key) => (
                    map.to_string(),
                    whole[map].get(&key).cloned().unwrap_or_default(),
                ),
                Touched::Field(f) => (f.to_string(), whole[f].clone()),
                Touched::Everything => (T::KIND.as_str().to_string(), whole.clone()),
            })
            .collect())
    }

    /// Whether this document already holds the change with `hash`.
    pub fn has_change(&mut self, hash: &ChangeHash) -> bool {
        self.am.get_change_by_hash(hash).is_some()
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
                hash: c.hash().to_string(),
                received: None,
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
    layout!(Plan, maps[goals, appointments, achievements, progressions, summaries, checkins], fields[profile, disclosure]);
    fn empty(id: DocId, created: Stamp) -> Self {
        Plan {
            schema: SCHEMA_VERSION,
            participant: id.participant,
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
    fn doc_id(&self) -> DocId {
        DocId::new(self.participant, DocKind::Plan)
    }
}

impl Record for Notes {
    const KIND: DocKind = DocKind::Notes;
    layout!(Notes, maps[revisions, sign_offs, addenda], fields[]);
    fn empty(id: DocId, _created: Stamp) -> Self {
        Notes {
            schema: SCHEMA_VERSION,
            participant: id.participant,
            revisions: Default::default(),
            sign_offs: Default::default(),
            addenda: Default::default(),
        }
    }
    fn doc_id(&self) -> DocId {
        DocId::new(self.participant, DocKind::Notes)
    }
}

impl Record for Restricted {
    const KIND: DocKind = DocKind::Restricted;
    layout!(Restricted, maps[consents, contacts, concerns], fields[referral]);
    fn empty(id: DocId, _created: Stamp) -> Self {
        Restricted {
            schema: SCHEMA_VERSION,
            participant: id.participant,
            referral: None,
            consents: Default::default(),
            contacts: Default::default(),
            concerns: Default::default(),
        }
    }
    fn doc_id(&self) -> DocId {
        DocId::new(self.participant, DocKind::Restricted)
    }
}

impl Record for Safeguarding {
    const KIND: DocKind = DocKind::Concern;
    layout!(Safeguarding, maps[], fields[concern]);
    fn empty(id: DocId, created: Stamp) -> Self {
        Safeguarding {
            schema: SCHEMA_VERSION,
            participant: id.participant,
            concern: crate::model::Concern {
                id: id.concern.unwrap_or_default(),
                category: crate::vocab::ConcernCategory::Other,
                urgency: crate::vocab::Urgency::Low,
                description: String::new(),
                status: crate::vocab::ConcernStatus::Open,
                responses: Default::default(),
                raised: created,
            },
        }
    }
    fn doc_id(&self) -> DocId {
        DocId::concern(self.participant, self.concern.id)
    }
}
