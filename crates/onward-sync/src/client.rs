//! The device's side of sync as a state machine with no IO: it builds each request from what
//! the device holds and turns each response into one [`Round`] for the device to store in a
//! single transaction. Drive it with any transport; a lost or repeated message only costs a
//! repeated round.

use std::collections::BTreeSet;

use onward_core::document::DocId;
use serde::{Deserialize, Serialize};

use crate::codec::TARGET_BATCH_BYTES;
use crate::message::{
    Account, Command, CommandAnswer, Directory, DirectoryDigest, DocChanges, Notice, Pushed,
    Refusal, SyncRequest, SyncResponse, WholeDoc,
};
use crate::scope::{Scope, ScopeDigest};

/// The most rounds one sync runs before it stops and reports that it is not finishing.
pub const MAX_ROUNDS: u32 = 100_000;

/// The most documents asked for whole in one request. The server refuses a request asking
/// for more.
pub const MAX_WANT: usize = 1_000;

/// The most outbox entries pushed in one request. The server refuses a request carrying more.
pub const MAX_PUSH: usize = 500;

/// The most commands for the office sent in one request. The server refuses a request
/// carrying more.
pub const MAX_COMMANDS: usize = 100;

/// What a device remembers between syncs, stored with its documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub cursor: u64,
    pub scope_seq: u64,
    pub scope_digest: ScopeDigest,
    /// The last office notice stored (coordinators).
    #[serde(default)]
    pub notices_after: u64,
}

impl Default for SyncState {
    fn default() -> Self {
        SyncState {
            cursor: 0,
            scope_seq: 0,
            scope_digest: Scope::default().digest(),
            notices_after: 0,
        }
    }
}

/// What one response asks the device to store, all in one transaction.
#[derive(Debug, Default, PartialEq)]
pub struct Round {
    pub state: SyncState,
    /// The new scope, when it changed: store it.
    pub scope: Option<Scope>,
    /// Documents to delete from the device (out of scope, or refused and fetched again).
    pub remove: Vec<DocId>,
    /// Whole documents to store, replacing any copy.
    pub docs: Vec<WholeDoc>,
    /// Changes for documents the device holds. Changes for documents it does not hold are
    /// left out: those arrive whole.
    pub changes: Vec<DocChanges>,
    /// Outbox entries to delete.
    pub acked: Vec<u64>,
    /// Refused entries: what they recorded stays on the device, shown with the reason.
    pub refused: Vec<Refusal>,
    /// The account as the server knows it now.
    pub account: Option<Account>,
    /// The server's clock when it answered.
    pub server_time: i64,
    /// Office notices for coordinators.
    pub notices: Vec<Notice>,
    /// The office's answers to commands: store each with its command.
    pub answers: Vec<CommandAnswer>,
    /// The staff directory, when the server sent a new one.
    pub directory: Option<Directory>,
}

/// Why a sync could not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("the server sent a scope that is not in order; try again later")]
    BadScope,
    #[error("sync did not finish after {MAX_ROUNDS} rounds; try again later")]
    TooManyRounds,
}

/// One sync run, from the first request until nothing is left to send or fetch.
#[derive(Debug)]
pub struct ClientSync {
    state: SyncState,
    /// Documents in scope the device does not hold.
    want: BTreeSet<DocId>,
    /// Documents the device holds.
    held: BTreeSet<DocId>,
    rounds: u32,
    more: bool,
    /// Commands not yet answered.
    commands: Vec<Command>,
    /// The digest of the directory held, when the device asks for the directory.
    directory: Option<DirectoryDigest>,
}

impl ClientSync {
    /// Starts a run from the stored state, the stored scope and the documents held.
    pub fn new(state: SyncState, scope: &Scope, held: impl IntoIterator<Item = DocId>) -> Self {
        let held: BTreeSet<DocId> = held.into_iter().collect();
        let want = scope.docs().filter(|d| !held.contains(d)).collect();
        ClientSync {
            state,
            want,
            held,
            rounds: 0,
            more: true,
            commands: Vec::new(),
            directory: None,
        }
    }

    /// For coordinators: the commands to send (sent in every round until answered, after the
    /// outbox has gone, so a command about a participant made here finds them at the office)
    /// and the digest of the directory held (asked for in the first round).
    pub fn with_office(mut self, commands: Vec<Command>, directory: DirectoryDigest) -> Self {
        self.commands = commands;
        self.directory = Some(directory);
        self
    }

    /// Commands still waiting for an answer.
    pub fn commands_waiting(&self) -> usize {
        self.commands.len()
    }

    /// The state to store after the last round.
    pub fn state(&self) -> &SyncState {
        &self.state
    }

    /// Documents still to fetch whole.
    pub fn wanted(&self) -> usize {
        self.want.len()
    }

    /// The next request. `outbox` is the device's unacknowledged entries, oldest first; as
    /// many are sent as fit in one batch (at least one, at most [`MAX_PUSH`]).
    pub fn request(
        &mut self,
        token: &str,
        outbox: Vec<Pushed>,
    ) -> Result<SyncRequest, ClientError> {
        self.rounds += 1;
        if self.rounds > MAX_ROUNDS {
            return Err(ClientError::TooManyRounds);
        }
        let mut push = Vec::new();
        let mut size = 0;
        for entry in outbox {
            if push.len() >= MAX_PUSH
                || (!push.is_empty() && size + entry.data.len() > TARGET_BATCH_BYTES)
            {
                break;
            }
            size += entry.data.len();
            push.push(entry);
        }
        Ok(SyncRequest {
            token: token.to_string(),
            cursor: self.state.cursor,
            scope_seq: self.state.scope_seq,
            scope_digest: self.state.scope_digest,
            want: self.want.iter().take(MAX_WANT).copied().collect(),
            notices_after: self.state.notices_after,
            commands: if push.is_empty() {
                self.commands.iter().take(MAX_COMMANDS).cloned().collect()
            } else {
                Vec::new()
            },
            directory: if self.rounds == 1 {
                self.directory
            } else {
                None
            },
            push,
        })
    }

    /// Turns a response into what the device stores.
    pub fn receive(&mut self, resp: SyncResponse) -> Result<Round, ClientError> {
        let mut round = Round::default();
        self.state.cursor = resp.cursor;
        self.state.scope_seq = resp.scope_seq;
        if let Some(scope) = resp.scope {
            if !scope.is_well_formed() {
                return Err(ClientError::BadScope);
            }
            self.state.scope_digest = scope.digest();
            round.remove = self
                .held
                .iter()
                .filter(|d| !scope.contains(**d))
                .copied()
                .collect();
            for d in &round.remove {
                self.held.remove(d);
            }
            self.want = scope.docs().filter(|d| !self.held.contains(d)).collect();
            round.scope = Some(scope);
        }
        for r in &resp.refused {
            // The server's copy wins: drop ours and fetch it again.
            if self.held.remove(&r.doc) {
                round.remove.push(r.doc);
            }
            self.want.insert(r.doc);
        }
        for d in &resp.gone {
            self.want.remove(d);
        }
        for doc in resp.docs {
            self.want.remove(&doc.doc);
            self.held.insert(doc.doc);
            round.docs.push(doc);
        }
        round.changes = resp
            .changes
            .into_iter()
            .filter(|c| self.held.contains(&c.doc))
            .collect();
        round.acked = resp.acked;
        round.refused = resp.refused;
        round.account = Some(resp.account);
        round.server_time = resp.server_time;
        if let Some(last) = resp.notices.iter().map(|n| n.seq).max() {
            self.state.notices_after = self.state.notices_after.max(last);
        }
        round.notices = resp.notices;
        self.commands
            .retain(|c| !resp.answers.iter().any(|a| a.id == c.id));
        round.answers = resp.answers;
        round.directory = resp.directory;
        round.state = self.state.clone();
        self.more = resp.more;
        Ok(round)
    }

    /// Whether the run is over: nothing is left in the outbox, nothing is wanted, every
    /// command is answered and the server has nothing more.
    pub fn is_done(&self, outbox_empty: bool) -> bool {
        self.rounds > 0
            && outbox_empty
            && !self.more
            && self.want.is_empty()
            && self.commands.is_empty()
    }
}
