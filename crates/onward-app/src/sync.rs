//! The device's side of sync: enrolment, one sync run over any [`Transport`] (the HTTP one is
//! in `transport.rs`), and the status the UI shows. The protocol itself (what to send, what a
//! reply means) is `onward-sync`'s [`ClientSync`]; this module stores what each round brings in
//! one transaction and keeps the outbox, the derived rows and the in-memory copies in step.

use std::collections::BTreeMap;
use std::path::Path;

use onward_api::{ApiError, ErrorKind, GetOverview, Identity, SyncReport, SyncStatus};
use onward_core::document::{Doc, DocId};
use onward_core::ids::ParticipantId;
use onward_core::model::{Notes, Plan, Restricted, Safeguarding};
use onward_core::policy::Refused;
use onward_core::time::Timestamp;
use onward_core::vocab::{DocKind, Urgency};
use onward_store::{StoreKey, SyncWrite, Write};
use onward_sync::client::{ClientSync, Round, SyncState};
use onward_sync::codec;
use onward_sync::message::{
    Account, ClientMessage, Enrol, Enrolled, ErrorCode, Login, Pushed, ServerError, ServerMessage,
};
use onward_sync::scope::Scope;

use crate::transport::Transport;
use crate::{App, Loaded, Origin, held, rows_of, storage};

pub(crate) const SERVER: &str = "sync.server";
const TOKEN: &str = "sync.token";
const STATE: &str = "sync.state";
const LAST_SYNCED: &str = "sync.last_synced";
const LAST_ERROR: &str = "sync.last_error";
const LAST_FAILURE: &str = "sync.last_failure";
const CLOCK_AHEAD: &str = "sync.clock_ahead_ms";
/// The digest of the staff directory held (hex), for coordinators.
const DIRECTORY_DIGEST: &str = "sync.directory_digest";

/// Outbox entries read per round: as many as one message may push (the protocol batches them
/// further by size).
const OUTBOX_BATCH: usize = onward_sync::client::MAX_PUSH;

/// How a person proves who they are when enrolling a tablet.
#[derive(Clone)]
pub enum Credentials {
    /// A one-time enrolment code from the charity's admin.
    Code(String),
    /// A username and password.
    Password { username: String, password: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(redacted)")
    }
}

fn server_error(e: ServerError) -> ApiError {
    let kind = match e.code {
        ErrorCode::Revoked | ErrorCode::BadCredentials => ErrorKind::Forbidden,
        ErrorCode::Unauthorized => ErrorKind::NotEnrolled,
        ErrorCode::Malformed | ErrorCode::TooLarge | ErrorCode::UnsupportedVersion => {
            ErrorKind::BadRequest
        }
        ErrorCode::RateLimited => ErrorKind::RateLimited,
        ErrorCode::Unavailable => ErrorKind::Offline,
    };
    ApiError::new(kind, e.message)
}

fn unreachable(reason: String) -> ApiError {
    ApiError::new(ErrorKind::Offline, reason)
}

fn out_of_turn() -> ApiError {
    ApiError::new(ErrorKind::Conflict, "the server answered out of turn")
}

fn decode_reply(reply: &[u8]) -> Result<ServerMessage, ApiError> {
    codec::decode::<ServerMessage>(reply).map_err(|e| {
        ApiError::new(
            ErrorKind::Conflict,
            format!("the server's answer could not be read: {e}"),
        )
    })
}

/// One sync run in progress: the protocol's state and what it has done so far.
pub struct SyncRun {
    client: ClientSync,
    token: String,
    report: SyncReport,
    pushed: u64,
}

impl std::fmt::Debug for SyncRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncRun")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl SyncRun {
    /// What the run has done so far.
    pub fn report(&self) -> &SyncReport {
        &self.report
    }

    /// Records still to fetch whole (for a progress bar on a first sync).
    pub fn remaining(&self) -> usize {
        self.client.wanted()
    }
}

fn send(transport: &mut dyn Transport, msg: &ClientMessage) -> Result<ServerMessage, ApiError> {
    let reply = transport
        .exchange(&codec::encode(msg))
        .map_err(unreachable)?;
    decode_reply(&reply)
}

impl App {
    /// Enrols this tablet with the server at `server` and creates its profile in `dir`.
    pub fn enrol(
        dir: &Path,
        key: &StoreKey,
        server: &str,
        credentials: Credentials,
        device_name: &str,
        transport: &mut dyn Transport,
    ) -> Result<App, ApiError> {
        let device_name = device_name.trim();
        if device_name.is_empty() {
            return Err(ApiError::invalid("device name", "cannot be empty"));
        }
        let msg = match credentials {
            Credentials::Code(code) => ClientMessage::Enrol(Enrol {
                code: code.trim().to_string(),
                device_name: device_name.to_string(),
            }),
            Credentials::Password { username, password } => ClientMessage::Login(Login {
                username: username.trim().to_string(),
                password,
                device_name: device_name.to_string(),
            }),
        };
        let enrolled: Enrolled = match send(transport, &msg)? {
            ServerMessage::Enrolled(e) => e,
            ServerMessage::Error(e) => return Err(server_error(e)),
            ServerMessage::Synced(_) => return Err(out_of_turn()),
        };
        let identity = Identity {
            user: enrolled.user,
            device: enrolled.device,
            role: enrolled.role,
            display_name: enrolled.display_name.clone(),
            cleared: enrolled.cleared,
        };
        let mut app = App::create(dir, key, identity)?;
        app.store
            .set_meta(SERVER, server.trim().trim_end_matches('/'))
            .map_err(storage)?;
        app.store
            .set_meta(TOKEN, &enrolled.token)
            .map_err(storage)?;
        Ok(app)
    }

    /// How this tablet stands with the server.
    pub fn sync_status(&self) -> Result<SyncStatus, ApiError> {
        let meta = |k| self.store.meta(k).map_err(storage);
        Ok(SyncStatus {
            enrolled: meta(TOKEN)?.is_some(),
            server: meta(SERVER)?,
            last_synced: meta(LAST_SYNCED)?
                .and_then(|t| t.parse::<i64>().ok())
                .map(Timestamp::from_millis),
            waiting: self.store.outbox_len().map_err(storage)?,
            last_error: meta(LAST_ERROR)?,
            last_failure: meta(LAST_FAILURE)?.and_then(|j| serde_json::from_str(&j).ok()),
            not_accepted: self.store.not_accepted().map_err(storage)?.len() as u64,
            clock_ahead_seconds: meta(CLOCK_AHEAD)?
                .and_then(|t| t.parse::<i64>().ok())
                .map(|ms| ms / 1000),
            urgent_concerns: if crate::access::check::<GetOverview>(&self.me).is_ok() {
                let urgent: Vec<Urgency> = Urgency::ALL
                    .iter()
                    .copied()
                    .filter(|u| onward_core::overview::is_urgent(*u))
                    .collect();
                Some(self.store.open_concerns_of(&urgent).map_err(storage)?)
            } else {
                None
            },
        })
    }

    /// Syncs over HTTP with the server this tablet is enrolled with (plain HTTP only as the
    /// profile allows).
    pub fn sync_now(&mut self) -> Result<SyncReport, ApiError> {
        let mut transport = self.http_transport()?;
        self.sync_with(&mut transport)
    }

    /// Syncs over `transport` until nothing is left to send or fetch. Each round is stored in
    /// one transaction, so a sync cut off at any point loses nothing and resumes where it
    /// stopped. A failure is remembered for [`App::sync_status`].
    pub fn sync_with(&mut self, transport: &mut dyn Transport) -> Result<SyncReport, ApiError> {
        let mut run = match self.begin_sync() {
            Ok(run) => run,
            Err(e) => return self.end_sync(Err(e)),
        };
        loop {
            let step = self.next_frame(&mut run).and_then(|frame| {
                let reply = transport.exchange(&frame);
                self.take_reply(&mut run, frame.len(), reply, transport.authenticated())
            });
            match step {
                Ok(true) => return self.end_sync(Ok(run.report)),
                Ok(false) => {}
                Err(e) => return self.end_sync(Err(e)),
            }
        }
    }

    /// Starts a sync run from what the store holds. Drive it with [`App::next_frame`] and
    /// [`App::take_reply`] (the network exchange in between needs no access to the app), then
    /// finish with [`App::end_sync`].
    pub fn begin_sync(&mut self) -> Result<SyncRun, ApiError> {
        let token = self
            .store
            .meta(TOKEN)
            .map_err(storage)?
            .ok_or_else(not_enrolled)?;
        let state: SyncState = match self.store.meta(STATE).map_err(storage)? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => SyncState::default(),
        };
        let scope = Scope::from_docs(self.store.scope().map_err(storage)?);
        let held = self.store.held_docs().map_err(storage)?;
        let mut client = ClientSync::new(state, &scope, held);
        // A coordinator's orders for the office go with the sync, and the staff directory
        // comes back when it changed.
        if crate::access::check::<onward_api::GetOverview>(&self.me).is_ok() {
            let commands = self
                .store
                .pending_commands()
                .map_err(storage)?
                .into_iter()
                .filter_map(|c| {
                    Some(onward_sync::message::Command {
                        id: c.id.parse().ok()?,
                        order: serde_json::from_str(&c.body).ok()?,
                    })
                })
                .collect();
            let digest = self
                .store
                .meta(DIRECTORY_DIGEST)
                .map_err(storage)?
                .and_then(|h| hex::decode(h).ok())
                .and_then(|b| b.try_into().ok())
                .unwrap_or([0; 32]);
            client = client.with_office(commands, digest);
        }
        Ok(SyncRun {
            client,
            token,
            report: SyncReport::default(),
            pushed: 0,
        })
    }

    /// The next request frame of a run.
    pub fn next_frame(&mut self, run: &mut SyncRun) -> Result<Vec<u8>, ApiError> {
        let outbox = self
            .store
            .outbox(OUTBOX_BATCH)
            .map_err(storage)?
            .into_iter()
            .map(|e| Pushed {
                entry: e.entry,
                doc: e.doc,
                data: e.data,
            })
            .collect();
        let request = run
            .client
            .request(&run.token, outbox)
            .map_err(|e| ApiError::new(ErrorKind::Conflict, e.to_string()))?;
        run.pushed = request.push.len() as u64;
        Ok(codec::encode(&ClientMessage::Sync(request)))
    }

    /// Stores the reply to the last frame. `Ok(true)` when the run is complete.
    /// `authenticated` is [`Transport::authenticated`] of the channel it came over: only then
    /// is a claim that this tablet was withdrawn believed.
    pub fn take_reply(
        &mut self,
        run: &mut SyncRun,
        sent: usize,
        reply: Result<Vec<u8>, String>,
        authenticated: bool,
    ) -> Result<bool, ApiError> {
        let reply = reply.map_err(unreachable)?;
        run.report.rounds += 1;
        run.report.bytes_sent += sent as u64;
        run.report.bytes_received += reply.len() as u64;
        let resp = match decode_reply(&reply)? {
            ServerMessage::Synced(r) => r,
            ServerMessage::Error(e) if e.code == ErrorCode::Revoked => {
                if !authenticated {
                    // Anyone on a plain-HTTP network could say this: keep everything.
                    return Err(crate::transport::unverified_withdrawal());
                }
                self.loaded.clear();
                self.store.wipe_records().map_err(storage)?;
                self.store.delete_meta(TOKEN).map_err(storage)?;
                self.notify(Vec::new(), Origin::Sync);
                return Err(server_error(e));
            }
            ServerMessage::Error(e) => return Err(server_error(e)),
            ServerMessage::Enrolled(_) => return Err(out_of_turn()),
        };
        let round = run
            .client
            .receive(resp)
            .map_err(|e| ApiError::new(ErrorKind::Conflict, e.to_string()))?;
        run.report.sent += run.pushed.saturating_sub(round.refused.len() as u64);
        self.store_round(round, &mut run.report)?;
        Ok(run
            .client
            .is_done(self.store.outbox_len().map_err(storage)? == 0))
    }

    /// Records how a run ended (last synced, or the error in plain words) and passes its
    /// result on.
    pub fn end_sync(
        &mut self,
        result: Result<SyncReport, ApiError>,
    ) -> Result<SyncReport, ApiError> {
        let outcome = match &result {
            Ok(_) => {
                let now = self.now().millis().to_string();
                self.store
                    .update_meta(&[(LAST_SYNCED, &now)], &[LAST_ERROR, LAST_FAILURE])
            }
            Err(e) => {
                let json = serde_json::to_string(e).unwrap_or_default();
                self.store
                    .update_meta(&[(LAST_ERROR, &e.message), (LAST_FAILURE, &json)], &[])
            }
        };
        outcome.map_err(storage)?;
        self.notify(Vec::new(), Origin::Sync);
        result
    }

    /// Stores what one round brought, in one transaction.
    fn store_round(&mut self, round: Round, report: &mut SyncReport) -> Result<(), ApiError> {
        let Round {
            state,
            scope,
            remove,
            docs,
            changes,
            mut acked,
            refused,
            account,
            server_time,
            notices,
            answers,
            directory,
        } = round;
        report.removed += remove.len() as u64;
        report.fetched += docs.len() as u64;
        report.received += changes.len() as u64;
        report.refused.extend(refused.iter().map(|r| r.why.clone()));

        // When the office received what it stored: this device's acknowledged changes (at
        // the server's time of answering) and others' changes from the log.
        let mut receipts: Vec<([u8; 32], i64)> = changes
            .iter()
            .flat_map(|c| {
                onward_sync::check::changes_in(&c.data)
                    .into_iter()
                    .map(move |ch| (ch.hash().0, c.received_at))
            })
            .collect();
        let outbox = if acked.is_empty() {
            Vec::new()
        } else {
            self.store.outbox(OUTBOX_BATCH).map_err(storage)?
        };
        for entry in outbox {
            if acked.contains(&entry.entry) && !refused.iter().any(|r| r.entry == entry.entry) {
                receipts.extend(
                    onward_sync::check::changes_in(&entry.data)
                        .iter()
                        .map(|ch| (ch.hash().0, server_time)),
                );
            }
        }

        // Nothing recorded here is lost: a refused change, the changes made on top of it, and
        // changes to records leaving this caseload are held, with what they recorded.
        let mut held = Vec::new();
        let stored: std::collections::BTreeSet<u64> = acked
            .iter()
            .copied()
            .filter(|a| !refused.iter().any(|r| r.entry == *a))
            .collect();
        let unsent = |doc: DocId, from: u64, held: &[onward_store::Held]| {
            self.store.outbox_for(doc).map(|entries| {
                entries
                    .into_iter()
                    .filter(|e| e.entry >= from && !stored.contains(&e.entry))
                    .filter(|e| !held.iter().any(|h| h.entry == Some(e.entry)))
                    .collect::<Vec<_>>()
            })
        };
        for r in &refused {
            let entries = unsent(r.doc, r.entry, &held).map_err(storage)?;
            held::hold(&self.store, &entries, &r.why, &mut held)?;
        }
        for d in &remove {
            let entries = unsent(*d, 0, &held).map_err(storage)?;
            held::hold(&self.store, &entries, &Refused::NotOnCaseload, &mut held)?;
        }
        acked.retain(|a| !held.iter().any(|h| h.entry == Some(*a)));

        // Every participant this round touches is rebuilt from disk plus what arrived.
        let mut touched: BTreeMap<ParticipantId, Incoming> = BTreeMap::new();
        for d in &remove {
            touched.entry(d.participant).or_default().removed.push(*d);
        }
        for d in docs {
            touched
                .entry(d.doc.participant)
                .or_default()
                .whole
                .push((d.doc, d.data));
        }
        for c in changes {
            touched
                .entry(c.doc.participant)
                .or_default()
                .changes
                .push((c.doc, c.data));
        }

        let mut replace = Vec::new();
        let mut remove_docs = remove.clone();
        let mut gone = Vec::new();
        let mut rebuilt: Vec<Rebuilt> = Vec::new();
        for (p, incoming) in touched {
            self.loaded.remove(&p);
            match self.rebuild(p, incoming, &mut replace)? {
                Some(built) => rebuilt.push(built),
                None => {
                    gone.push(p);
                    for id in self.store.docs_of(p).map_err(storage)? {
                        if !remove_docs.contains(&id) {
                            let entries = unsent(id, 0, &held).map_err(storage)?;
                            held::hold(&self.store, &entries, &Refused::NotOnCaseload, &mut held)?;
                            remove_docs.push(id);
                        }
                    }
                    replace.retain(|(d, _): &(DocId, Vec<u8>)| d.participant != p);
                }
            }
        }
        let rows: Vec<_> = rebuilt
            .iter()
            .map(|(l, _)| rows_of(l))
            .collect::<Result<_, _>>()?;
        let writes = rebuilt
            .iter()
            .zip(&rows)
            .map(|((_, changes), rows)| Write {
                changes: changes.clone(),
                rows: Some(rows),
                ..Write::default()
            })
            .collect();
        let mut participants: Vec<ParticipantId> = rebuilt
            .iter()
            .map(|(l, _)| l.plan.id().participant)
            .chain(gone.iter().copied())
            .collect();
        participants.extend(held.iter().map(|h| h.doc.participant));
        participants.sort();
        participants.dedup();
        let clock_ahead = (server_time != 0)
            .then(|| self.now().millis() - server_time)
            .filter(|ahead| {
                self.clock_noted
                    .is_none_or(|noted| (noted - ahead).abs() > 1000)
            });
        let write = SyncWrite {
            held,
            notices: notices
                .iter()
                .map(|n| (n.seq, held::notice_json(n)))
                .collect(),
            now: self.now().millis(),
            receipts,
            state: serde_json::to_string(&state).expect("sync state serialises"),
            scope: scope.map(|s| s.docs().collect()),
            remove: remove_docs,
            replace,
            writes,
            gone,
            acked,
            // How far this tablet's clock is from the office's, in the same transaction, when
            // it moved by more than a second; and the digest of a new staff directory.
            meta: clock_ahead
                .map(|ahead| (CLOCK_AHEAD, ahead.to_string()))
                .into_iter()
                .chain(
                    directory
                        .as_ref()
                        .map(|d| (DIRECTORY_DIGEST, hex::encode(d.digest()))),
                )
                .collect(),
            answers: answers
                .iter()
                .map(|a| {
                    (
                        a.id.to_string(),
                        a.refused
                            .as_ref()
                            .map(|r| serde_json::to_string(r).unwrap_or_default()),
                        a.code.clone(),
                    )
                })
                .collect(),
            directory: directory.as_ref().map(|d| onward_store::DirectoryWrite {
                staff: d
                    .staff
                    .iter()
                    .map(|m| (m.user, serde_json::to_string(m).unwrap_or_default()))
                    .collect(),
                assignments: d
                    .assignments
                    .iter()
                    .map(|a| (a.participant, a.mentor))
                    .collect(),
            }),
        };
        let due = self.store.sync_commit(&write).map_err(storage)?;
        if clock_ahead.is_some() {
            self.clock_noted = clock_ahead;
        }
        if let Some(c) = &self.compactor {
            c.request(due);
        }
        if let Some(account) = account {
            self.update_account(account)?;
        }
        if !participants.is_empty()
            || !notices.is_empty()
            || !answers.is_empty()
            || directory.is_some()
        {
            self.notify(participants, Origin::Sync);
        }
        Ok(())
    }

    /// Takes the role, clearance and name the office now holds for this person.
    fn update_account(&mut self, account: Account) -> Result<(), ApiError> {
        let me = &self.me;
        let now = (me.role, me.cleared, me.display_name.as_str());
        if now == (account.role, account.cleared, account.display_name.as_str()) {
            return Ok(());
        }
        let mut updated = me.clone();
        updated.role = account.role;
        updated.cleared = account.cleared;
        updated.display_name = account.display_name;
        let json = serde_json::to_string(&updated)
            .map_err(|e| ApiError::new(ErrorKind::Storage, e.to_string()))?;
        self.store.set_meta("identity", &json).map_err(storage)?;
        self.me = updated;
        self.loaded.clear();
        Ok(())
    }

    /// A participant's documents after a round: whole documents received replace ours,
    /// removed documents are dropped, and changes are applied. `None` if no Plan is left.
    fn rebuild(
        &self,
        p: ParticipantId,
        incoming: Incoming,
        replace: &mut Vec<(DocId, Vec<u8>)>,
    ) -> Result<Option<Rebuilt>, ApiError> {
        fn open<T: onward_core::document::Record>(
            app: &App,
            id: DocId,
            incoming: &Incoming,
            replace: &mut Vec<(DocId, Vec<u8>)>,
        ) -> Result<Option<Doc<T>>, ApiError> {
            if let Some((_, bytes)) = incoming.whole.iter().find(|(d, _)| *d == id) {
                // From the server: verified on load.
                let doc = Doc::<T>::load(id, bytes)?;
                replace.push((id, bytes.clone()));
                return Ok(Some(doc));
            }
            if incoming.removed.contains(&id) {
                return Ok(None);
            }
            app.store.load_doc::<T>(id).map_err(storage)
        }
        let id = |kind| DocId::new(p, kind);
        let plan = open::<Plan>(self, id(DocKind::Plan), &incoming, replace)?;
        let notes = open::<Notes>(self, id(DocKind::Notes), &incoming, replace)?;
        let restricted = open::<Restricted>(self, id(DocKind::Restricted), &incoming, replace)?;
        let mut concern_ids: Vec<DocId> = self
            .store
            .docs_of(p)
            .map_err(storage)?
            .into_iter()
            .chain(incoming.whole.iter().map(|(d, _)| *d))
            .filter(|d| d.kind == DocKind::Concern)
            .collect();
        concern_ids.sort();
        concern_ids.dedup();
        let mut concerns = Vec::new();
        for cid in concern_ids {
            if let Some(doc) = open::<Safeguarding>(self, cid, &incoming, replace)? {
                concerns.push(doc);
            }
        }
        let Some(plan) = plan else {
            return Ok(None);
        };
        let mut l = Loaded {
            plan,
            notes,
            restricted,
            concerns,
            rows: None,
        };
        for (doc, data) in &incoming.changes {
            match doc.kind {
                DocKind::Plan => l.plan.apply(data)?,
                DocKind::Notes => {
                    if let Some(n) = l.notes.as_mut() {
                        n.apply(data)?;
                    }
                }
                DocKind::Restricted => {
                    if let Some(r) = l.restricted.as_mut() {
                        r.apply(data)?;
                    }
                }
                DocKind::Concern => {
                    if let Some(c) = l.concerns.iter_mut().find(|c| c.id() == *doc) {
                        c.apply(data)?;
                    }
                }
            }
        }
        let changes = Self::pending_changes(&mut l).unwrap_or_default();
        Ok(Some((l, changes)))
    }
}

/// A participant's documents after a round, with the changes to append to storage.
type Rebuilt = (Loaded, Vec<(DocId, Vec<u8>)>);

/// What one round brought for one participant.
#[derive(Default)]
struct Incoming {
    removed: Vec<DocId>,
    whole: Vec<(DocId, Vec<u8>)>,
    changes: Vec<(DocId, Vec<u8>)>,
}

pub(crate) fn not_enrolled() -> ApiError {
    ApiError::new(
        ErrorKind::NotEnrolled,
        "this tablet is not enrolled with a server yet: enrol it with the code from your coordinator",
    )
}
