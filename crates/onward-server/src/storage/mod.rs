//! The server's storage, as a trait the sync service is generic over: embedded SQLite by
//! default, PostgreSQL for larger charities (several server instances can share one). Picked
//! once from the database URL. Calls are blocking; the HTTP layer runs them on tokio's
//! blocking pool.

pub mod office;
pub mod people;
pub mod postgres;
mod sql;
pub mod sqlite;

use onward_core::document::DocId;
use onward_core::ids::{DeviceId, ParticipantId, UserId};
use onward_core::policy::{Holding, Refused};
use onward_core::vocab::{DocKind, Role};
use onward_sync::check::Accepted;
use onward_sync::message::Notice;
use uuid::Uuid;

/// An organisation's id.
pub type OrgId = Uuid;

/// Why storage failed. Messages never carry record contents.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database could not be used: {0}")]
    Database(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0} was not found")]
    NotFound(&'static str),
}

pub type Result<T> = std::result::Result<T, StorageError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub org: OrgId,
    pub role: Role,
    pub display_name: String,
    pub username: Option<String>,
    pub cleared: bool,
    pub participant: Option<ParticipantId>,
}

impl User {
    /// The person as the rules see them.
    pub fn actor(&self) -> onward_core::policy::Actor {
        onward_core::policy::Actor {
            user: self.id,
            role: self.role,
            cleared: self.cleared,
        }
    }
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub user: UserId,
    pub name: String,
    pub created_at: i64,
    pub last_seen: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// What a token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOwner {
    Active(Device, User),
    Revoked,
    Unknown,
}

/// Which documents a person may hold, as the storage queries them: the policy's
/// [`Holding`] for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub user: UserId,
    pub holding: Holding,
}

impl Rule {
    /// The rule for `user`.
    pub fn of(user: &User) -> Rule {
        Rule {
            user: user.id,
            holding: Holding::of(&user.actor(), user.participant),
        }
    }

    /// Whether the rule allows a document of `kind` (for a concern: raised by `raised_by`),
    /// for a participant within its reach.
    pub fn allows(&self, kind: DocKind, raised_by: Option<UserId>) -> bool {
        self.holding
            .allows(kind, raised_by.is_none_or(|r| r == self.user))
    }
}

/// One change from the log.
#[derive(Debug, Clone)]
pub struct LoggedChange {
    pub seq: u64,
    pub doc: DocId,
    pub data: Vec<u8>,
    /// When the server received it (ms since the epoch).
    pub received_at: i64,
}

/// A page of the log.
#[derive(Debug, Clone, Default)]
pub struct LogPage {
    pub changes: Vec<LoggedChange>,
    /// The cursor after this page.
    pub cursor: u64,
    pub more: bool,
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// Stored (possibly nothing new).
    Stored {
        new_changes: usize,
    },
    Refused(Refused),
}

/// Decides, inside the push transaction, whether the pushed bytes may be stored: given the
/// current document (if any), what of the rest of the record its judgement needs
/// ([`Related`]) and whether the participant already exists.
pub type PushCheck<'a> = dyn FnMut(Option<&[u8]>, Related<'_>, ParticipantState) -> std::result::Result<Accepted, Refused>
    + 'a;

/// What else of a participant's record a push is judged with, read in the same transaction:
/// for a Plan, the participant's Notes (signed-off sessions fix their shared summaries).
#[derive(Debug, Clone, Copy, Default)]
pub struct Related<'a> {
    pub notes: Option<&'a [u8]>,
}

/// Who is pushing, and how their push is stored.
#[derive(Debug, Clone, Copy)]
pub struct PushContext {
    pub org: OrgId,
    /// The person pushing.
    pub user: UserId,
    /// The device the changes came from (recorded in the log, so they are not sent back).
    pub device: DeviceId,
    /// What the pusher may hold.
    pub rule: Rule,
    /// Who a participant created by this push is assigned to.
    pub assign_to: Option<UserId>,
    pub now: i64,
}

/// Where a pushed document's participant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantState {
    /// Not known to the server: a push may create it.
    New,
    /// Known, and the pusher may hold this document.
    Holdable,
    /// On the pusher's caseload, but they may not hold this kind of document.
    KindNotAllowed,
    /// Another caseload's (or another organisation's).
    NotTheirs,
}

/// A change the server refused, for coordinators to see (never its content).
#[derive(Debug, Clone, PartialEq)]
pub struct RefusalRecord {
    pub org: OrgId,
    pub at: i64,
    pub user: UserId,
    pub device: DeviceId,
    pub doc: DocId,
    /// The label the change carried, at most 40 characters.
    pub label: String,
    pub why: Refused,
}

/// One stored change of a participant's record, as the server's history shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub seq: u64,
    pub doc: DocId,
    pub user: Option<UserId>,
    pub device: DeviceId,
    /// What the change did, as the server judged it.
    pub operation: Option<String>,
    /// The time the device gave the change.
    pub device_time: Option<i64>,
    /// When the server received it.
    pub received_at: Option<i64>,
}

/// A user and whether their account is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user: User,
    /// When an admin disabled the account; `None` while it is on.
    pub disabled_at: Option<i64>,
}

/// Who is making an admin change, and when: recorded with it in the admin log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminActor {
    /// The operating-system user who ran the command, as far as it is known.
    pub by: String,
    /// Milliseconds since the epoch.
    pub at: i64,
}

/// One line of the append-only admin log: what was done, to whom, when and by whom. Never
/// names, notes, passwords, tokens or codes: subjects are ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminEntry {
    /// Its place in the log (ignored when appending).
    pub id: u64,
    pub at: i64,
    pub org: Option<OrgId>,
    /// The admin command (`people::action`).
    pub action: String,
    /// The id acted on: a user, device, participant or organisation.
    pub subject: Option<String>,
    pub detail: String,
    pub by: String,
}

/// What disabling a user stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Disabled {
    pub devices_revoked: usize,
    pub codes_cancelled: usize,
}

/// An enrolment code not yet used, cancelled or expired. The code itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCode {
    pub short_id: String,
    pub user: UserId,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What cancelling a code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCancel {
    Cancelled {
        user: UserId,
    },
    /// The code was used, cancelled or expired already.
    NotPending {
        user: UserId,
    },
    Unknown,
}

/// Which devices to revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    Device(DeviceId),
    /// Every device of a user.
    User(UserId),
}

/// Everything the server stores.
pub trait Storage: Send + Sync + 'static {
    // Accounts.
    fn create_org(&self, name: &str, now: i64) -> Result<Organisation>;
    fn org_by_name(&self, name: &str) -> Result<Option<Organisation>>;
    fn organisation(&self, id: OrgId) -> Result<Option<Organisation>>;
    fn add_user(&self, user: &User, password_hash: Option<&str>, now: i64) -> Result<()>;
    fn user(&self, id: UserId) -> Result<Option<User>>;
    fn users(&self, org: OrgId) -> Result<Vec<User>>;
    fn user_by_username(&self, username: &str) -> Result<Option<(User, Option<String>)>>;
    fn set_password_hash(&self, user: UserId, hash: &str) -> Result<()>;
    /// Adds (`assigned`) or removes an assignment; changes the organisation's scope.
    fn set_assignment(
        &self,
        participant: ParticipantId,
        mentor: UserId,
        assigned: bool,
    ) -> Result<()>;
    fn assignments(&self, participant: ParticipantId) -> Result<Vec<UserId>>;
    fn participants(&self, org: OrgId) -> Result<Vec<ParticipantId>>;

    // Devices.
    fn add_enrolment_code(
        &self,
        code_hash: &[u8],
        user: UserId,
        expires_at: i64,
        now: i64,
    ) -> Result<()>;
    /// Redeems a code: if it exists, is unused and unexpired, marks it used and enrols the
    /// device for the code's user, in one transaction. `None` if the code is not good.
    fn redeem_code(
        &self,
        code_hash: &[u8],
        device: DeviceId,
        device_name: &str,
        token_hash: &[u8],
        now: i64,
    ) -> Result<Option<User>>;
    fn add_device(&self, device: &Device, token_hash: &[u8]) -> Result<()>;
    fn devices(&self, org: OrgId) -> Result<Vec<Device>>;
    /// Revokes a device; false if there is no such device.
    fn revoke_device(&self, device: DeviceId, now: i64) -> Result<bool>;
    /// Looks a token up (and notes the device was seen).
    fn token_owner(&self, token_hash: &[u8], now: i64) -> Result<TokenOwner>;

    // Sync.
    /// The organisation's log position and scope generation.
    fn position(&self, org: OrgId) -> Result<(u64, u64)>;
    /// The scope generation and the documents `rule` allows, read together.
    fn scope(&self, org: OrgId, rule: Rule) -> Result<(u64, Vec<DocId>)>;
    /// Whether `rule` allows `doc` now.
    fn holds(&self, org: OrgId, rule: Rule, doc: DocId) -> Result<bool>;
    /// Stores a push to `doc` in one transaction that serialises with every other write to
    /// the organisation: reads the document, runs `check`, and if it passes stores the
    /// document and appends its new changes to the log. A document created for a participant
    /// the server does not know creates the participant, assigned to `assign_to`.
    fn push(&self, ctx: &PushContext, doc: DocId, check: &mut PushCheck<'_>) -> Result<Pushed>;
    /// Whole documents, those that exist.
    fn documents(&self, docs: &[DocId]) -> Result<Vec<(DocId, Vec<u8>)>>;
    /// Records a refused change for coordinators.
    fn record_refusal(&self, refusal: &RefusalRecord) -> Result<()>;
    /// Refusals in the organisation after notice number `after`, oldest first, at most
    /// `limit`.
    fn notices(&self, org: OrgId, after: u64, limit: usize) -> Result<Vec<Notice>>;
    /// Every stored change of a participant's record, oldest first.
    fn history(&self, participant: ParticipantId) -> Result<Vec<HistoryRow>>;
    /// Log entries after `cursor` that `rule` allows, not made by `exclude`, up to about
    /// `max_bytes`.
    fn log_after(
        &self,
        org: OrgId,
        rule: Rule,
        cursor: u64,
        exclude: DeviceId,
        max_bytes: usize,
    ) -> Result<LogPage>;

    // People (migration 0002, SQL shared by both backends in `people.rs`). Every change is
    // recorded in the admin log in its own transaction.
    /// A user and whether their account is on.
    fn person(&self, user: UserId) -> Result<Option<Person>>;
    /// An organisation's users and whether each account is on.
    fn people(&self, org: OrgId) -> Result<Vec<Person>>;
    /// Turns an account off (revoking all its devices and cancelling its unused codes) or
    /// back on (its old devices stay revoked).
    fn set_disabled(&self, user: UserId, disabled: bool, actor: &AdminActor) -> Result<Disabled>;
    /// Changes a user's role and clearance; moves the organisation's scope generation.
    fn set_role(&self, user: UserId, role: Role, cleared: bool, actor: &AdminActor) -> Result<()>;
    /// Changes a user's clearance; moves the organisation's scope generation.
    fn set_clearance(&self, user: UserId, cleared: bool, actor: &AdminActor) -> Result<()>;
    /// Replaces the password hash of a user who has a username.
    fn reset_password(&self, user: UserId, hash: &str, actor: &AdminActor) -> Result<()>;
    /// Stores a new enrolment code's hash for an enabled user; the code's short id.
    fn issue_code(
        &self,
        code_hash: &[u8],
        user: UserId,
        expires_at: i64,
        actor: &AdminActor,
    ) -> Result<String>;
    /// Unused, uncancelled, unexpired codes of `org`, or of one of its users.
    fn pending_codes(&self, org: OrgId, user: Option<UserId>, now: i64)
    -> Result<Vec<PendingCode>>;
    /// Cancels an unused code by its short id.
    fn cancel_code(&self, short_id: &str, actor: &AdminActor) -> Result<CodeCancel>;
    /// Revokes a device or all of a user's; how many were active until now.
    fn revoke(&self, which: Revocation, actor: &AdminActor) -> Result<usize>;
    /// Enrols a device if its user's account is on (false, storing nothing, if not). Ordered
    /// with [`Storage::set_disabled`], so no device outlives a disable.
    fn add_device_if_enabled(&self, device: &Device, token_hash: &[u8]) -> Result<bool>;
    /// Appends a line to the admin log (for changes made through the older methods).
    fn record_admin(&self, entry: &AdminEntry) -> Result<()>;
    /// The last `limit` admin-log lines, of one organisation or of the whole server, oldest
    /// first.
    fn admin_log(&self, org: Option<OrgId>, limit: usize) -> Result<Vec<AdminEntry>>;

    // Coordinators' orders from their devices (`office.rs`).
    /// Carries out `command` for `by` (the sending device's owner) or refuses it, at most
    /// once per command id. `fresh` is an enrolment code made for it, used by `IssueCode`.
    fn run_command(
        &self,
        by: &User,
        command: &onward_sync::message::Command,
        now: i64,
        fresh: &office::FreshCode<'_>,
    ) -> Result<office::Outcome>;
    /// The organisation's staff and assignments, for coordinators' devices.
    fn directory(&self, org: OrgId) -> Result<onward_sync::message::Directory>;
}
