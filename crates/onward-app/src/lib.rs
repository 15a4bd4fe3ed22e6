//! The app core: the one place that touches the device store. It owns the store and the
//! loaded documents, answers every typed request in `onward-api` (checking what the signed-in
//! role may do), makes each edit durable before it returns, and tells subscribers what
//! changed. The Tauri shell, the browser shell and the CLI are thin adapters over it.
//!
//! ```
//! use onward_api::{Handle, CreateParticipant, Caseload, Identity};
//! use onward_core::{ids::*, input::NewParticipant, vocab::Role};
//! use onward_store::StoreKey;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let me = Identity { user: UserId::new(), device: DeviceId::new(), role: Role::Mentor, display_name: "Demo mentor".into(), cleared: true };
//! let mut app = onward_app::App::create(dir.path(), &StoreKey::from_bytes([1; 32]), me).unwrap();
//! let id = app.handle(CreateParticipant { input: NewParticipant {
//!     preferred_name: "Robin".into(), programme: "Next Steps".into(), pathways: vec![] } }).unwrap();
//! let caseload = app.handle(Caseload::default()).unwrap();
//! assert_eq!(caseload[0].participant, id);
//! ```

mod access;
mod background;
mod calendar;
mod handlers;
mod held;
pub mod host;
mod import;
mod report_pdf;
mod sync;
mod transport;

pub use background::{BackgroundSync, Backoff, Timing, sync_shared, sync_shared_reporting};
pub use host::Host;
pub use sync::{Credentials, SyncRun};
pub use transport::{Channel, HttpTransport, ServerAddress, Timeouts, Transport};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use onward_api::{ApiError, ErrorKind, Identity};
use onward_core::OpError;
use onward_core::document::{Ctx, Doc, DocId};
use onward_core::ids::{ConcernId, ParticipantId};
use onward_core::model::{Author, Notes, Plan, Restricted, Safeguarding};
use onward_core::ops::ParticipantDocs;
use onward_core::time::Timestamp;
use onward_core::vocab::DocKind;
use onward_store::{Store, StoreError, Write};

pub use onward_store::StoreKey;
use serde::{Deserialize, Serialize};

/// The file name of the store inside a data directory.
pub const STORE_FILE: &str = "onward.db";

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Made on this device.
    Local,
    /// Arrived from the server.
    Sync,
}

/// Tells subscribers which participants' records changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub participants: Vec<ParticipantId>,
    pub origin: Origin,
}

/// A participant's documents as held in memory, with the query rows last written for them.
struct Loaded {
    plan: Doc<Plan>,
    notes: Option<Doc<Notes>>,
    restricted: Option<Doc<Restricted>>,
    /// One document per safeguarding concern held, sorted by id.
    concerns: Vec<Doc<Safeguarding>>,
    rows: Option<onward_core::views::ParticipantRows>,
}

impl Loaded {
    /// The concern document of `concern`, if held.
    fn concern_mut(&mut self, concern: ConcernId) -> Option<&mut Doc<Safeguarding>> {
        self.concerns
            .iter_mut()
            .find(|d| d.id().concern == Some(concern))
    }
}

/// The clock the app reads; replaceable in tests.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The app core for one signed-in user on one device.
pub struct App {
    store: Store,
    loaded: HashMap<ParticipantId, Loaded>,
    me: Identity,
    clock: Clock,
    key: StoreKey,
    listeners: Vec<Sender<ChangeEvent>>,
    compactor: Option<Compactor>,
    /// How far ahead of the office's clock this tablet's was when last written down (ms).
    clock_noted: Option<i64>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store)
            .field("role", &self.me.role)
            .finish_non_exhaustive()
    }
}

/// Converts store errors into errors fit to show a person.
pub(crate) fn storage(e: StoreError) -> ApiError {
    match e {
        StoreError::Document(op) => op.into(),
        other => ApiError::new(ErrorKind::Storage, other.to_string()),
    }
}

impl App {
    /// Creates a new profile in `dir` for `identity`, encrypted with `key`.
    pub fn create(dir: &Path, key: &StoreKey, identity: Identity) -> Result<Self, ApiError> {
        if identity.display_name.trim().is_empty() {
            return Err(ApiError::invalid("name", "cannot be empty"));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            ApiError::new(
                ErrorKind::Storage,
                format!("could not create the data folder: {e}"),
            )
        })?;
        let path = dir.join(STORE_FILE);
        if path.exists() {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "this data folder already holds a profile: open it instead, or choose another folder",
            ));
        }
        let mut store = Store::open(&path, key).map_err(storage)?;
        let json = serde_json::to_string(&identity)
            .map_err(|e| ApiError::new(ErrorKind::Storage, e.to_string()))?;
        store.set_meta("identity", &json).map_err(storage)?;
        Self::with_store(store, key, identity)
    }

    /// Opens the profile in `dir`.
    pub fn open(dir: &Path, key: &StoreKey) -> Result<Self, ApiError> {
        let path = dir.join(STORE_FILE);
        if !path.exists() {
            return Err(ApiError::new(
                ErrorKind::NotFound,
                format!(
                    "there is no Onward profile in {}: create one first",
                    dir.display()
                ),
            ));
        }
        let store = Store::open(&path, key).map_err(storage)?;
        let json = store.meta("identity").map_err(storage)?.ok_or_else(|| {
            ApiError::new(
                ErrorKind::Storage,
                "this profile has no signed-in user: create it again",
            )
        })?;
        let identity: Identity = serde_json::from_str(&json).map_err(|_| {
            ApiError::new(ErrorKind::Storage, "this profile's user record is damaged")
        })?;
        Self::with_store(store, key, identity)
    }

    fn with_store(store: Store, key: &StoreKey, me: Identity) -> Result<Self, ApiError> {
        let compactor = Compactor::start(store.path().to_path_buf(), key.clone());
        Ok(App {
            store,
            loaded: HashMap::new(),
            me,
            clock: Arc::new(Timestamp::now),
            key: key.clone(),
            listeners: Vec::new(),
            compactor: Some(compactor),
            clock_noted: None,
        })
    }

    /// Replaces the clock (tests, demo data).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// The current time by the app's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// Who is signed in.
    pub fn identity(&self) -> &Identity {
        &self.me
    }

    /// Receives an event after every durable change.
    pub fn subscribe(&mut self) -> Receiver<ChangeEvent> {
        let (tx, rx) = mpsc::channel();
        self.listeners.push(tx);
        rx
    }

    fn notify(&mut self, participants: Vec<ParticipantId>, origin: Origin) {
        let event = ChangeEvent {
            participants,
            origin,
        };
        self.listeners.retain(|l| l.send(event.clone()).is_ok());
    }

    fn ctx(&self) -> Ctx {
        Ctx::new(
            Author {
                user: self.me.user,
                device: self.me.device,
            },
            self.now(),
        )
    }

    /// The store, read-only (for benchmarks and checks).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Loads a participant's documents into memory if they are not already.
    fn load(&mut self, p: ParticipantId) -> Result<&mut Loaded, ApiError> {
        if !self.loaded.contains_key(&p) {
            let loaded = self.read_participant(p)?;
            self.loaded.insert(p, loaded);
        }
        Ok(self.loaded.get_mut(&p).expect("just loaded"))
    }

    /// Reads a participant's documents from the store. The three are independent, so they are
    /// decoded on both cores: the Plan here, the Notes and Restricted documents alongside.
    fn read_participant(&self, p: ParticipantId) -> Result<Loaded, ApiError> {
        let id = |kind| DocId::new(p, kind);
        let bytes = |kind| self.store.load_bytes(id(kind)).map_err(storage);
        let plan_bytes = bytes(DocKind::Plan)?
            .ok_or_else(|| ApiError::from(OpError::NotFound("participant")))?;
        let notes_bytes = bytes(DocKind::Notes)?;
        let restricted_bytes = bytes(DocKind::Restricted)?;
        let (plan, others) = std::thread::scope(|s| {
            let others = s.spawn(|| {
                let notes = notes_bytes
                    .map(|b| Doc::<Notes>::load_trusted(id(DocKind::Notes), &b))
                    .transpose();
                let restricted = restricted_bytes
                    .map(|b| Doc::<Restricted>::load_trusted(id(DocKind::Restricted), &b))
                    .transpose();
                (notes, restricted)
            });
            let plan = Doc::<Plan>::load_trusted(id(DocKind::Plan), &plan_bytes);
            (plan, others.join())
        });
        let (notes, restricted) = others
            .map_err(|_| ApiError::new(ErrorKind::Storage, "the record could not be read"))?;
        Ok(Loaded {
            plan: plan?,
            notes: notes?,
            restricted: restricted?,
            concerns: self.store.load_concerns(p).map_err(storage)?,
            rows: None,
        })
    }

    /// Runs an edit on one participant's documents and makes it durable: the changes and the
    /// recomputed query rows are committed in one transaction before this returns. If the
    /// edit is refused or the write fails, the in-memory copy is dropped, so memory never
    /// holds what the disk does not.
    fn edit<R>(
        &mut self,
        p: ParticipantId,
        f: impl FnOnce(&mut Loaded, &Ctx) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let ctx = self.ctx();
        self.load(p)?;
        let (store, loaded) = (
            &mut self.store,
            self.loaded.get_mut(&p).expect("just loaded"),
        );
        let result = f(loaded, &ctx);
        if result.is_err() {
            self.loaded.remove(&p);
            return result;
        }
        let Some(changes) = Self::pending_changes(loaded) else {
            return result;
        };
        let committed = rows_of(loaded).and_then(|rows| {
            let write = Write {
                new_docs: vec![],
                changes,
                rows: Some(&rows),
                old_rows: loaded.rows.as_ref(),
                local: true,
            };
            let due = store.commit(&[write]).map_err(storage)?;
            loaded.rows = Some(rows);
            Ok(due)
        });
        match committed {
            Ok(due) => {
                if let Some(c) = &self.compactor {
                    c.request(due);
                }
                self.notify(vec![p], Origin::Local);
                result
            }
            Err(e) => {
                self.loaded.remove(&p);
                Err(e)
            }
        }
    }

    /// The unsaved changes of a participant's documents, if any.
    fn pending_changes(l: &mut Loaded) -> Option<Vec<(DocId, Vec<u8>)>> {
        let mut changes = vec![(l.plan.id(), l.plan.take_changes())];
        if let Some(n) = l.notes.as_mut() {
            changes.push((n.id(), n.take_changes()));
        }
        if let Some(r) = l.restricted.as_mut() {
            changes.push((r.id(), r.take_changes()));
        }
        for c in l.concerns.iter_mut() {
            changes.push((c.id(), c.take_changes()));
        }
        changes.retain(|(_, c)| !c.is_empty());
        (!changes.is_empty()).then_some(changes)
    }

    /// Stores a participant's new documents (created here, or received whole).
    fn insert_new(
        &mut self,
        mut docs: ParticipantDocs,
        origin: Origin,
    ) -> Result<ParticipantId, ApiError> {
        let p = docs.plan.id().participant;
        let mut new_docs: Vec<(DocId, Vec<u8>)> = vec![
            (docs.plan.id(), docs.plan.save()),
            (docs.notes.id(), docs.notes.save()),
            (docs.restricted.id(), docs.restricted.save()),
        ];
        new_docs.extend(docs.concerns.iter_mut().map(|c| (c.id(), c.save())));
        docs.concerns.sort_by_key(|c| c.id());
        let mut loaded = Loaded {
            plan: docs.plan,
            notes: Some(docs.notes),
            restricted: Some(docs.restricted),
            concerns: docs.concerns,
            rows: None,
        };
        let rows = rows_of(&loaded)?;
        self.store
            .commit(&[Write {
                new_docs,
                changes: vec![],
                rows: Some(&rows),
                old_rows: None,
                local: origin == Origin::Local,
            }])
            .map_err(storage)?;
        loaded.rows = Some(rows);
        self.loaded.insert(p, loaded);
        self.notify(vec![p], origin);
        Ok(p)
    }

    /// Stores many participants' new documents, made on this device, in one transaction: all
    /// of them or, if the write fails, none. They are not kept loaded (an import can be large).
    fn insert_many_local(
        &mut self,
        docs: Vec<ParticipantDocs>,
    ) -> Result<Vec<ParticipantId>, ApiError> {
        let mut ids = Vec::with_capacity(docs.len());
        let mut rows = Vec::with_capacity(docs.len());
        let mut new_docs = Vec::with_capacity(docs.len());
        for mut d in docs {
            let concerns: Vec<&Safeguarding> = d.concerns.iter().map(|c| c.read()).collect();
            rows.push(onward_core::views::participant_rows(
                d.plan.read(),
                Some(d.notes.read()),
                Some(d.restricted.read()),
                &concerns,
            ));
            ids.push(d.plan.id().participant);
            let mut saved = vec![
                (d.plan.id(), d.plan.save()),
                (d.notes.id(), d.notes.save()),
                (d.restricted.id(), d.restricted.save()),
            ];
            saved.extend(d.concerns.iter_mut().map(|c| (c.id(), c.save())));
            new_docs.push(saved);
        }
        let writes: Vec<Write<'_>> = new_docs
            .into_iter()
            .zip(&rows)
            .map(|(new_docs, rows)| Write {
                new_docs,
                changes: vec![],
                rows: Some(rows),
                old_rows: None,
                local: true,
            })
            .collect();
        self.store.commit(&writes).map_err(storage)?;
        self.notify(ids.clone(), Origin::Local);
        Ok(ids)
    }

    /// Stores a concern document raised on this device for a participant held here, with the
    /// participant's recomputed rows, in one transaction.
    fn insert_concern(
        &mut self,
        p: ParticipantId,
        mut doc: Doc<Safeguarding>,
    ) -> Result<ConcernId, ApiError> {
        let concern = doc.read().concern.id;
        self.load(p)?;
        let loaded = self.loaded.get_mut(&p).expect("just loaded");
        let new_docs = vec![(doc.id(), doc.save())];
        loaded.concerns.push(doc);
        loaded.concerns.sort_by_key(|c| c.id());
        let committed = rows_of(loaded).and_then(|rows| {
            self.store
                .commit(&[Write {
                    new_docs,
                    changes: vec![],
                    rows: Some(&rows),
                    old_rows: loaded.rows.as_ref(),
                    local: true,
                }])
                .map_err(storage)?;
            loaded.rows = Some(rows);
            Ok(())
        });
        if let Err(e) = committed {
            self.loaded.remove(&p);
            return Err(e);
        }
        self.notify(vec![p], Origin::Local);
        Ok(concern)
    }

    /// Imports a participant's documents created elsewhere (demo data, imports).
    pub fn import(&mut self, docs: ParticipantDocs) -> Result<ParticipantId, ApiError> {
        self.insert_new(docs, Origin::Sync)
    }

    /// Drops documents held in memory (they reload from disk on next use).
    pub fn forget_loaded(&mut self) {
        self.loaded.clear();
    }

    /// Waits for background compaction to finish what it was asked to do.
    pub fn flush_compaction(&mut self) {
        if let Some(c) = self.compactor.take() {
            c.finish();
        }
        self.compactor = Some(Compactor::start(
            self.store.path().to_path_buf(),
            self.key.clone(),
        ));
    }
}

/// Recomputes a participant's query rows from the documents in memory.
fn rows_of(l: &Loaded) -> Result<onward_core::views::ParticipantRows, ApiError> {
    let concerns: Vec<&Safeguarding> = l.concerns.iter().map(|d| d.read()).collect();
    Ok(onward_core::views::participant_rows(
        l.plan.read(),
        l.notes.as_ref().map(|d| d.read()),
        l.restricted.as_ref().map(|d| d.read()),
        &concerns,
    ))
}

/// Folds appended changes into snapshots on a background thread with its own connection.
struct Compactor {
    tx: Option<Sender<DocId>>,
    handle: Option<JoinHandle<()>>,
    /// The last compaction failure, for diagnostics (never contains record contents).
    last_error: Arc<Mutex<Option<String>>>,
}

impl Compactor {
    fn start(path: PathBuf, key: StoreKey) -> Self {
        let (tx, rx) = mpsc::channel::<DocId>();
        let last_error = Arc::new(Mutex::new(None));
        let errors = last_error.clone();
        let handle = std::thread::Builder::new()
            .name("onward-compactor".into())
            .spawn(move || {
                let mut store: Option<Store> = None;
                for id in rx {
                    if store.is_none() {
                        store = Store::open(&path, &key).ok();
                    }
                    if let Some(s) = store.as_mut()
                        && let Err(e) = s.compact(id)
                    {
                        *errors.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                    }
                }
            })
            .ok();
        Compactor {
            tx: Some(tx),
            handle,
            last_error,
        }
    }

    fn request(&self, due: Vec<DocId>) {
        if let Some(tx) = &self.tx {
            for id in due {
                let _ = tx.send(id);
            }
        }
    }

    fn finish(mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Compactor {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl App {
    /// The last background compaction error, if any.
    pub fn compaction_error(&self) -> Option<String> {
        self.compactor
            .as_ref()
            .and_then(|c| c.last_error.lock().ok().and_then(|e| e.clone()))
    }
}
