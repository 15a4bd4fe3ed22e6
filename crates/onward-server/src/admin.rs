//! What the charity's IT volunteer does from the command line: organisations, users,
//! assignments, enrolment codes, devices and revocation, stopping and changing people's
//! accounts. Every change is recorded in the server's admin log with the operating-system
//! user who made it. Also used by tests and the demo.

use onward_core::document::{Doc, DocId};
use onward_core::ids::{DeviceId, ParticipantId, UserId};
use onward_core::policy::{Holding, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::Role;
use onward_sync::check::{Accepted, NewChange};

use crate::service::{enrolment_code, hash_password, hash_secret, normalise_code, now_millis};
use crate::storage::people::action;
use crate::storage::{
    AdminActor, AdminEntry, CodeCancel, Disabled, OrgId, Organisation, PendingCode, Person,
    PushContext, Pushed, Revocation, Rule, Storage, StorageError, User,
};

/// Why an admin command failed.
pub type Result<T> = std::result::Result<T, StorageError>;

/// Who is running this admin command, as the operating system tells it (`SUDO_USER` when run
/// through sudo, else `USER` or `LOGNAME`, else the numeric user id), and the time now.
pub fn actor() -> AdminActor {
    let var = |k| {
        std::env::var(k)
            .ok()
            .filter(|v: &String| !v.trim().is_empty())
    };
    let user = var("USER").or_else(|| var("LOGNAME"));
    let by = match (var("SUDO_USER"), user) {
        (Some(sudo), Some(user)) if sudo != user => format!("{sudo} (sudo as {user})"),
        (_, Some(user)) => user,
        (Some(sudo), None) => sudo,
        (None, None) => os_uid().map(|u| format!("uid {u}")).unwrap_or_default(),
    };
    AdminActor {
        by,
        at: now_millis(),
    }
}

#[cfg(unix)]
fn os_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

#[cfg(not(unix))]
fn os_uid() -> Option<u32> {
    None
}

/// Appends a line for a change made through one of the older storage methods (which do not
/// record it themselves), right after it succeeded.
fn record<S: Storage + ?Sized>(
    storage: &S,
    org: Option<OrgId>,
    what: &str,
    subject: impl ToString,
    detail: impl Into<String>,
) -> Result<()> {
    let actor = actor();
    storage.record_admin(&AdminEntry {
        id: 0,
        at: actor.at,
        org,
        action: what.to_string(),
        subject: Some(subject.to_string()),
        detail: detail.into(),
        by: actor.by,
    })
}

/// Creates an organisation.
pub fn create_org<S: Storage + ?Sized>(storage: &S, name: &str) -> Result<Organisation> {
    let org = storage.create_org(name, now_millis())?;
    record(storage, Some(org.id), action::CREATE_ORG, org.id, "")?;
    Ok(org)
}

/// The organisation called `name`.
pub fn org<S: Storage + ?Sized>(storage: &S, name: &str) -> Result<Organisation> {
    storage
        .org_by_name(name)?
        .ok_or(StorageError::NotFound("an organisation with that name"))
}

/// What is needed to add a user.
#[derive(Clone, Default)]
pub struct NewUser {
    pub role: Option<Role>,
    pub display_name: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub cleared: bool,
    pub participant: Option<ParticipantId>,
}

/// Adds a user to `org`.
pub fn add_user<S: Storage + ?Sized>(
    storage: &S,
    org: &Organisation,
    new: NewUser,
) -> Result<User> {
    let name = new.display_name.trim();
    if name.is_empty() {
        return Err(StorageError::Invalid("give the user a name".into()));
    }
    let role = new.role.unwrap_or(Role::Mentor);
    if role == Role::Participant && new.participant.is_none() {
        return Err(StorageError::Invalid(
            "a participant's account needs --participant with their record's id".into(),
        ));
    }
    if let Some(p) = &new.password {
        check_password(p)?;
    }
    let user = User {
        id: UserId::new(),
        org: org.id,
        role,
        display_name: name.to_string(),
        username: new
            .username
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty()),
        cleared: new.cleared || role == Role::Coordinator,
        participant: new.participant,
    };
    let hash = new
        .password
        .as_deref()
        .map(hash_password)
        .transpose()
        .map_err(StorageError::Invalid)?;
    storage.add_user(&user, hash.as_deref(), now_millis())?;
    record(
        storage,
        Some(org.id),
        action::ADD_USER,
        user.id,
        format!(
            "role {}, clearance {}{}",
            user.role,
            if user.cleared { "on" } else { "off" },
            if user.username.is_some() {
                ", with a username"
            } else {
                ""
            }
        ),
    )?;
    Ok(user)
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < 10 {
        return Err(StorageError::Invalid(
            "passwords need at least 10 characters".into(),
        ));
    }
    Ok(())
}

/// Issues a one-time enrolment code for `user`, valid for `hours`.
pub fn issue_code<S: Storage + ?Sized>(storage: &S, user: UserId, hours: u32) -> Result<String> {
    Ok(issue_code_with_id(storage, user, hours)?.code)
}

/// A code just issued: shown once. Afterwards it is known by its short id only.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCode {
    pub code: String,
    pub short_id: String,
    pub expires_at: i64,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("short_id", &self.short_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Issues a one-time enrolment code for an enabled `user`, valid for `hours` (1 hour to 30
/// days), with the short id to list and cancel it by.
pub fn issue_code_with_id<S: Storage + ?Sized>(
    storage: &S,
    user: UserId,
    hours: u32,
) -> Result<IssuedCode> {
    let code = enrolment_code();
    let actor = actor();
    let expires_at = actor.at + i64::from(hours.clamp(1, 24 * 30)) * 3_600_000;
    let short_id = storage.issue_code(
        &hash_secret(&normalise_code(&code)),
        user,
        expires_at,
        &actor,
    )?;
    Ok(IssuedCode {
        code,
        short_id,
        expires_at,
    })
}

/// The codes of an organisation (or of one of its users) that could still enrol a tablet.
pub fn pending_codes<S: Storage + ?Sized>(
    storage: &S,
    org: &Organisation,
    user: Option<UserId>,
) -> Result<Vec<PendingCode>> {
    if let Some(user) = user {
        person_in(storage, org, user)?;
    }
    storage.pending_codes(org.id, user, now_millis())
}

/// Cancels an unused code by its short id; the user it was for.
pub fn cancel_code<S: Storage + ?Sized>(storage: &S, short_id: &str) -> Result<UserId> {
    match storage.cancel_code(short_id, &actor())? {
        CodeCancel::Cancelled { user } => Ok(user),
        CodeCancel::NotPending { .. } => Err(StorageError::Invalid(
            "that code was already used, cancelled or expired; nothing to cancel".into(),
        )),
        CodeCancel::Unknown => Err(StorageError::NotFound("a code with that id (see codes)")),
    }
}

/// A user of `org`.
fn person_in<S: Storage + ?Sized>(storage: &S, org: &Organisation, user: UserId) -> Result<Person> {
    storage
        .person(user)?
        .filter(|p| p.user.org == org.id)
        .ok_or(StorageError::NotFound("the user (in this organisation)"))
}

fn person<S: Storage + ?Sized>(storage: &S, user: UserId) -> Result<Person> {
    storage
        .person(user)?
        .ok_or(StorageError::NotFound("the user"))
}

/// Turns a user's account off: they cannot sign in or enrol, every device they had is
/// revoked (and deletes its records at its next contact), and their unused codes are
/// cancelled.
pub fn disable_user<S: Storage + ?Sized>(storage: &S, user: UserId) -> Result<Disabled> {
    storage.set_disabled(user, true, &actor())
}

/// Turns a user's account back on. Devices revoked when it was turned off stay revoked: the
/// person enrols again (a new code, or their password).
pub fn enable_user<S: Storage + ?Sized>(storage: &S, user: UserId) -> Result<()> {
    storage.set_disabled(user, false, &actor()).map(|_| ())
}

/// Changes a staff member's role. Coordinators always hold Restricted documents and peer
/// mentors never do; a mentor keeps their clearance, or gets `cleared` when given (without
/// it, someone becoming a mentor starts uncleared). Devices gain or lose documents at their
/// next sync.
pub fn set_role<S: Storage + ?Sized>(
    storage: &S,
    user: UserId,
    role: Role,
    cleared: Option<bool>,
) -> Result<bool> {
    let current = person(storage, user)?.user;
    if current.role == Role::Participant || role == Role::Participant {
        return Err(StorageError::Invalid(
            "a participant's own account and a staff account cannot be turned into each other; add a new user instead".into(),
        ));
    }
    let cleared = match (role, cleared) {
        (Role::Coordinator, Some(false)) => {
            return Err(StorageError::Invalid(
                "coordinators always hold Restricted documents; leave out --cleared".into(),
            ));
        }
        (Role::PeerMentor, Some(true)) => {
            return Err(StorageError::Invalid(
                "peer mentors never hold Restricted documents; leave out --cleared".into(),
            ));
        }
        (Role::Coordinator, _) => true,
        (Role::PeerMentor, _) => false,
        (_, Some(c)) => c,
        (_, None) => current.role == Role::Mentor && current.cleared,
    };
    storage.set_role(user, role, cleared, &actor())?;
    Ok(cleared)
}

/// Gives a mentor clearance for Restricted documents (referral, consent, contacts) or takes
/// it away. Devices gain or lose those documents at their next sync.
pub fn set_clearance<S: Storage + ?Sized>(storage: &S, user: UserId, cleared: bool) -> Result<()> {
    match person(storage, user)?.user.role {
        Role::Mentor => storage.set_clearance(user, cleared, &actor()),
        Role::Coordinator => Err(StorageError::Invalid(
            "coordinators always hold Restricted documents; to change that, change their role (set-role)".into(),
        )),
        Role::PeerMentor => Err(StorageError::Invalid(
            "peer mentors never hold Restricted documents; to clear them, make them a mentor first (set-role)".into(),
        )),
        Role::Participant => Err(StorageError::Invalid(
            "clearance is for mentors; a participant only ever sees their own plan".into(),
        )),
    }
}

/// Replaces a user's password: `password` when given, otherwise a generated one, which is
/// returned to be passed on once. Their enrolled devices keep working (revoke them too if the
/// old password may be known to someone else).
pub fn reset_password<S: Storage + ?Sized>(
    storage: &S,
    user: UserId,
    password: Option<String>,
) -> Result<Option<String>> {
    let generated = password.is_none();
    let password = match password {
        Some(p) => {
            check_password(&p)?;
            p
        }
        None => generated_password(),
    };
    let hash = hash_password(&password).map_err(StorageError::Invalid)?;
    storage.reset_password(user, &hash, &actor())?;
    Ok(generated.then_some(password))
}

/// A password people can type: 16 characters without look-alikes (80 random bits).
fn generated_password() -> String {
    let more = enrolment_code();
    format!("{}-{}", enrolment_code(), &more[..4])
}

/// Revokes one device, or every device of a user; how many were active until now.
pub fn revoke<S: Storage + ?Sized>(storage: &S, which: Revocation) -> Result<usize> {
    storage.revoke(which, &actor())
}

/// Assigns a mentor to a participant (or takes them off), and records it.
pub fn assign<S: Storage + ?Sized>(
    storage: &S,
    participant: ParticipantId,
    mentor: UserId,
    assigned: bool,
) -> Result<()> {
    storage.set_assignment(participant, mentor, assigned)?;
    let org = storage.person(mentor)?.map(|p| p.user.org);
    record(
        storage,
        org,
        if assigned {
            action::ASSIGN
        } else {
            action::UNASSIGN
        },
        participant,
        format!("mentor {mentor}"),
    )
}

/// Every change of a document, as the log stores it.
fn all_changes<T: onward_core::document::Record>(doc: &mut Doc<T>) -> Vec<NewChange> {
    doc.automerge()
        .get_changes(&[])
        .into_iter()
        .map(|mut c| NewChange {
            device_time: Timestamp::from_millis(c.timestamp()),
            operation: None,
            bytes: c.bytes().to_vec(),
        })
        .collect()
}

/// Stores a participant's documents made elsewhere (the demo organisation, imports),
/// assigned to `mentor`. The documents are checked for their kind and participant.
pub fn import_participant<S: Storage + ?Sized>(
    storage: &S,
    org: &Organisation,
    docs: &mut onward_core::ops::ParticipantDocs,
    mentor: Option<UserId>,
) -> Result<ParticipantId> {
    let p = docs.plan.id().participant;
    let importer = DeviceId(uuid::Uuid::nil());
    // Each document: its id, saved bytes, changes and (for a concern) who raised it.
    type Saved = (DocId, Vec<u8>, Vec<NewChange>, Option<UserId>);
    let mut saved: Vec<Saved> = vec![
        (
            docs.plan.id(),
            docs.plan.save(),
            all_changes(&mut docs.plan),
            None,
        ),
        (
            docs.notes.id(),
            docs.notes.save(),
            all_changes(&mut docs.notes),
            None,
        ),
        (
            docs.restricted.id(),
            docs.restricted.save(),
            all_changes(&mut docs.restricted),
            None,
        ),
    ];
    for c in &mut docs.concerns {
        let raiser = c.read().concern.raised.by;
        saved.push((c.id(), c.save(), all_changes(c), Some(raiser)));
    }
    // The import is the office's own: it may write every kind of document.
    let office = onward_core::policy::Actor {
        user: UserId(uuid::Uuid::nil()),
        role: Role::Coordinator,
        cleared: true,
    };
    for (id, document, changes, raised_by) in saved {
        let mut take = Some(Accepted {
            document,
            changes,
            created: true,
            only_creation: false,
            raised_by,
        });
        let ctx = PushContext {
            org: org.id,
            user: office.user,
            device: importer,
            rule: Rule {
                user: office.user,
                holding: Holding::of(&office, None),
            },
            assign_to: mentor,
            now: now_millis(),
        };
        let outcome = storage.push(&ctx, id, &mut |current, _, _| match current {
            None => Ok(take.take().expect("checked once")),
            Some(_) => Err(Refused::AlreadyExists),
        })?;
        if let Pushed::Refused(why) = outcome {
            return Err(StorageError::Invalid(why.to_string()));
        }
    }
    Ok(p)
}

/// The password every demo account signs in with. The demo organisation is synthetic and
/// meant for a laptop on loopback; never seed it on a server holding real records.
pub const DEMO_PASSWORD: &str = "onward-demo";

/// Who [`seed_demo`] created: each account's username, role and name.
#[derive(Debug, Clone)]
pub struct DemoAccounts {
    pub org: Organisation,
    pub users: Vec<(String, User)>,
    pub participants: usize,
}

/// Creates the synthetic demo organisation `name`: a coordinator, two mentors (one cleared
/// for Restricted documents) and a peer mentor, each able to sign in with a username and
/// [`DEMO_PASSWORD`], and `participants` made-up participants with up to three years of
/// history shared between the mentors. Refuses if the organisation already exists.
pub fn seed_demo<S: Storage + ?Sized>(
    storage: &S,
    name: &str,
    participants: usize,
) -> Result<DemoAccounts> {
    if storage.org_by_name(name)?.is_some() {
        return Err(StorageError::Invalid(format!(
            "there is already an organisation called '{name}'"
        )));
    }
    let size = onward_core::demo::DemoSize {
        participants,
        ..Default::default()
    };
    let demo = onward_core::demo::organisation(7, size, onward_core::time::Timestamp::now())
        .map_err(|e| StorageError::Invalid(e.to_string()))?;
    let now = now_millis();
    let org = storage.create_org(name, now)?;
    let hash = hash_password(DEMO_PASSWORD).map_err(StorageError::Invalid)?;
    let mut users = Vec::new();
    // The demo documents name these users as authors, so the accounts keep their ids.
    let people = std::iter::once(&demo.coordinator).chain(&demo.mentors);
    for (i, person) in people.enumerate() {
        let username = match person.role {
            Role::Coordinator => "coordinator".to_string(),
            Role::PeerMentor => "peer-mentor".to_string(),
            _ => format!("mentor{i}"),
        };
        let user = User {
            id: person.user,
            org: org.id,
            role: person.role,
            display_name: person.name.clone(),
            username: Some(username.clone()),
            // The first mentor is cleared for referral and safeguarding records.
            cleared: person.role == Role::Coordinator || i == 1,
            participant: None,
        };
        storage.add_user(&user, Some(&hash), now)?;
        users.push((username, user));
    }
    let count = demo.participants.len();
    for (mentor, mut docs) in demo.participants {
        import_participant(storage, &org, &mut docs, Some(demo.mentors[mentor].user))?;
    }
    record(
        storage,
        Some(org.id),
        action::SEED_DEMO,
        org.id,
        format!("{} demo users, {count} synthetic participants", users.len()),
    )?;
    Ok(DemoAccounts {
        org,
        users,
        participants: count,
    })
}
