//! The messages devices and the server exchange. Every message is one request and one reply;
//! the server keeps no per-connection state, so any message may be repeated or lost.

use onward_core::document::DocId;
use onward_core::ids::{CommandId, DeviceId, ParticipantId, UserId};
use onward_core::policy::Refused;
use onward_core::vocab::{DocKind, Role};
use serde::{Deserialize, Serialize};

use crate::scope::{Scope, ScopeDigest};

pub use onward_core::overview::{Assignment, StaffDevice, StaffMember};

/// What a device sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClientMessage {
    /// Redeem a one-time enrolment code for a device token.
    Enrol(Enrol),
    /// Sign in with a username and password for a device token.
    Login(Login),
    /// One round of sync.
    Sync(SyncRequest),
}

/// What the server answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServerMessage {
    Enrolled(Enrolled),
    Synced(SyncResponse),
    Error(ServerError),
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrol {
    pub code: String,
    /// A name for the tablet that the charity's admin will recognise ("Blue tablet").
    pub device_name: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
    pub device_name: String,
}

impl std::fmt::Debug for Enrol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrol").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").finish_non_exhaustive()
    }
}

/// A device token and who it belongs to.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrolled {
    pub device: DeviceId,
    /// The secret the device presents in every sync. Shown once; the server keeps a hash.
    pub token: String,
    pub user: UserId,
    pub role: Role,
    pub display_name: String,
    /// Whether a mentor may hold Restricted documents.
    pub cleared: bool,
    /// For a participant's own sign-in: their record.
    pub participant: Option<ParticipantId>,
    pub organisation: String,
}

impl std::fmt::Debug for Enrolled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolled")
            .field("device", &self.device)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// One round of sync: the device's position and what it sends.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub token: String,
    /// The highest change number of the organisation's log the device has stored.
    pub cursor: u64,
    /// The scope generation and digest of the documents the device holds.
    pub scope_seq: u64,
    /// The digest of the scope the device last received.
    pub scope_digest: ScopeDigest,
    /// Local changes not yet acknowledged, oldest first.
    pub push: Vec<Pushed>,
    /// Documents in scope the device does not hold yet: send them whole.
    pub want: Vec<DocId>,
    /// For coordinators: the last office notice the device has stored.
    pub notices_after: u64,
    /// For coordinators: orders for the office not yet answered, oldest first.
    pub commands: Vec<Command>,
    /// For coordinators, on a sync's first round: the digest of the staff directory the
    /// device holds (zeros for none). The server sends the directory when its own differs.
    pub directory: Option<DirectoryDigest>,
}

impl std::fmt::Debug for SyncRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncRequest")
            .field("cursor", &self.cursor)
            .field("scope_seq", &self.scope_seq)
            .field("push", &self.push.len())
            .field("want", &self.want.len())
            .field("commands", &self.commands.len())
            .finish_non_exhaustive()
    }
}

/// Changes made on the device to one document: an outbox entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pushed {
    /// The device's own number for this entry, echoed in the acknowledgement.
    pub entry: u64,
    pub doc: DocId,
    /// Automerge changes (or a whole saved document for one created on the device).
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

/// The server's answer to one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// The server's clock when it answered (ms since the epoch), so a device can tell when its
    /// own clock is wrong.
    pub server_time: i64,
    /// Who the token's owner is now (role and clearance can change at the office).
    pub account: Account,
    /// The device's new cursor: store it with everything below, in one transaction.
    pub cursor: u64,
    /// More changes wait beyond `cursor`: ask again.
    pub more: bool,
    /// The organisation's scope generation now.
    pub scope_seq: u64,
    /// The documents the device may hold, when they differ from what it said it holds.
    pub scope: Option<Scope>,
    /// Outbox entries the server has dealt with (stored, or refused below).
    pub acked: Vec<u64>,
    /// Entries refused, with the reason to show.
    pub refused: Vec<Refusal>,
    /// Changes to documents the device holds, in log order.
    pub changes: Vec<DocChanges>,
    /// Whole documents the device asked for.
    pub docs: Vec<WholeDoc>,
    /// Documents the device asked for that it may not hold.
    pub gone: Vec<DocId>,
    /// For coordinators: changes the office refused from anyone's device, after
    /// `notices_after`.
    pub notices: Vec<Notice>,
    /// The answer to every command the request carried.
    pub answers: Vec<CommandAnswer>,
    /// For coordinators who asked: the staff directory, when it differs from theirs.
    pub directory: Option<Directory>,
}

/// A coordinator's order for the office, made on the device (perhaps offline) and sent at the
/// next sync. The server carries it out at most once: a repeated id gets the first answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub id: CommandId,
    pub order: Order,
}

/// What the office is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// Put a participant on a mentor's caseload.
    Assign {
        participant: ParticipantId,
        mentor: UserId,
    },
    /// Take a participant off a mentor's caseload.
    Unassign {
        participant: ParticipantId,
        mentor: UserId,
    },
    /// A one-time enrolment code for a member of staff's new tablet (valid 72 hours).
    IssueCode { user: UserId },
    /// Withdraw a tablet: it deletes its records at its next contact.
    RevokeDevice { device: DeviceId },
    /// Turn a person's account off (every device revoked, unused codes cancelled) or on.
    SetEnabled { user: UserId, enabled: bool },
}

/// The office's answer to a command: done, or refused and why (nothing was changed).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandAnswer {
    pub id: CommandId,
    pub refused: Option<Refused>,
    /// For `IssueCode`, the code, in the first answer only (the server keeps only its hash).
    pub code: Option<String>,
}

impl std::fmt::Debug for CommandAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandAnswer")
            .field("id", &self.id)
            .field("refused", &self.refused)
            .field("code", &self.code.as_ref().map(|_| "redacted"))
            .finish()
    }
}

/// The digest of a [`Directory`].
pub type DirectoryDigest = [u8; 32];

/// For coordinators: the organisation's staff and who is assigned to whom, as the server
/// decides them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// Every user but participants, by name.
    pub staff: Vec<StaffMember>,
    /// Every assignment, by participant then mentor.
    pub assignments: Vec<Assignment>,
}

impl Directory {
    /// A digest of the whole directory, to tell whether a device's copy is current.
    pub fn digest(&self) -> DirectoryDigest {
        use sha2::{Digest, Sha256};
        let bytes = postcard::to_allocvec(self).unwrap_or_default();
        Sha256::digest(bytes).into()
    }
}

/// The account a device belongs to, as the server knows it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub role: Role,
    pub cleared: bool,
    pub display_name: String,
}

/// A pushed entry the server would not store, and why. The device keeps what it recorded,
/// shown as not accepted by the office, and fetches the server's copy of the document again,
/// so both agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    pub entry: u64,
    pub doc: DocId,
    pub why: Refused,
}

/// For coordinators: a change the office refused (who, which record, what kind of change,
/// why); never the change's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// The notice's number, for `notices_after`.
    pub seq: u64,
    /// When the office refused it (ms since the epoch).
    pub at: i64,
    pub user: UserId,
    pub user_name: String,
    pub device: DeviceId,
    pub participant: ParticipantId,
    pub kind: DocKind,
    /// The label the change carried (an operation's name), at most 40 characters.
    pub label: String,
    pub why: Refused,
}

/// Changes to one document from the organisation's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocChanges {
    pub doc: DocId,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
    /// When the office received them (ms since the epoch).
    pub received_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WholeDoc {
    pub doc: DocId,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

/// Why the server would not answer a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ServerError {
    pub code: ErrorCode,
    /// Plain words fit to show the person.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The message could not be read.
    Malformed,
    /// The message is larger than the limit.
    TooLarge,
    /// The device speaks a protocol version the server does not.
    UnsupportedVersion,
    /// The token is not known: the device is not enrolled with this server.
    Unauthorized,
    /// The device was revoked: it must delete every record it holds.
    Revoked,
    /// The enrolment code or password was wrong, used or expired.
    BadCredentials,
    /// Too many attempts: wait and try again.
    RateLimited,
    /// The server could not do it now (storage trouble): try again later.
    Unavailable,
}

impl ServerError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status that carries this error.
    pub fn http_status(&self) -> u16 {
        match self.code {
            ErrorCode::Malformed | ErrorCode::UnsupportedVersion => 400,
            ErrorCode::TooLarge => 413,
            ErrorCode::Unauthorized | ErrorCode::BadCredentials => 401,
            ErrorCode::Revoked => 403,
            ErrorCode::RateLimited => 429,
            ErrorCode::Unavailable => 503,
        }
    }
}
