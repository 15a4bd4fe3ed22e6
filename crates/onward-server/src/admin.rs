//! What the charity's IT volunteer does from the command line: organisations, users,
//! assignments, enrolment codes, devices and revocation. Also used by tests and the demo.

use onward_core::document::{Doc, DocId};
use onward_core::ids::{DeviceId, ParticipantId, UserId};
use onward_core::policy::{Actor, Holding, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::Role;
use onward_sync::check::{Accepted, NewChange};

use crate::service::{enrolment_code, hash_password, hash_secret, normalise_code, now_millis};
use crate::storage::{Organisation, PushContext, Pushed, Rule, Storage, StorageError, User};

/// Why an admin command failed.
pub type Result<T> = std::result::Result<T, StorageError>;

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
    if let Some(p) = &new.password
        && p.chars().count() < 10
    {
        return Err(StorageError::Invalid(
            "passwords need at least 10 characters".into(),
        ));
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
    Ok(user)
}

/// Issues a one-time enrolment code for `user`, valid for `hours`.
pub fn issue_code<S: Storage + ?Sized>(storage: &S, user: UserId, hours: u32) -> Result<String> {
    if storage.user(user)?.is_none() {
        return Err(StorageError::NotFound("the user"));
    }
    let code = enrolment_code();
    let now = now_millis();
    storage.add_enrolment_code(
        &hash_secret(&normalise_code(&code)),
        user,
        now + i64::from(hours.clamp(1, 24 * 30)) * 3_600_000,
        now,
    )?;
    Ok(code)
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
    let office = Actor {
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
        let outcome = storage.push(&ctx, id, &mut |current, _| match current {
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
    Ok(DemoAccounts {
        org,
        users,
        participants: count,
    })
}
