//! The sync service: answers each message from a device, generic over [`Storage`]. It keeps
//! no state between messages, so several server instances can share one database, and any
//! message may be repeated.

use std::time::{SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use onward_core::document::DocId;
use onward_core::ids::{DeviceId, UserId};
use onward_core::policy::{Access, Operation, Reach, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::DocKind;
use onward_sync::check::{self, Pusher};
use onward_sync::client::{MAX_COMMANDS, MAX_PUSH, MAX_WANT};
use onward_sync::codec::TARGET_BATCH_BYTES;
use onward_sync::message::*;
use onward_sync::scope::Scope;
use sha2::{Digest, Sha256};

use crate::storage::{
    Device, ParticipantState, PushContext, Pushed as Stored, RefusalRecord, Related, Rule, Storage,
    StorageError, TokenOwner, User,
};

/// The most office notices sent to a coordinator's device in one answer.
const NOTICES_PER_ANSWER: usize = 200;

/// Milliseconds since the epoch.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// SHA-256 of a secret (device tokens and enrolment codes are stored only this way).
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.trim().as_bytes()).to_vec()
}

/// A fresh random secret: `bytes` random bytes as lowercase hex.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex::encode(buf)
}

/// An enrolment code people can type: 12 characters from an alphabet without look-alikes,
/// in groups of four.
pub fn enrolment_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 12];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    let chars: Vec<char> = buf
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Codes are compared without case or dashes, so "abcd efgh" works as well as "ABCD-EFGH".
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Hashes a password with argon2id.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn unavailable(e: StorageError) -> ServerError {
    tracing::error!(error = %e, "storage failed");
    ServerError::new(
        ErrorCode::Unavailable,
        "the server could not reach its database; try again in a few minutes",
    )
}

/// Answers one message.
pub fn answer<S: Storage + ?Sized>(storage: &S, msg: ClientMessage) -> ServerMessage {
    match msg {
        ClientMessage::Sync(r) => sync(storage, r)
            .map(ServerMessage::Synced)
            .unwrap_or_else(ServerMessage::Error),
        other => answer_sign_in(storage, other).reply,
    }
}

/// The answer to an enrolment or sign-in, and the account it was about when that is known
/// (a username that exists), for the log of failed attempts. What was typed is never kept.
#[derive(Debug)]
pub struct SignInAnswer {
    pub reply: ServerMessage,
    pub account: Option<UserId>,
}

/// Answers an enrolment or a sign-in (a sync message is answered as [`answer`] does).
pub fn answer_sign_in<S: Storage + ?Sized>(storage: &S, msg: ClientMessage) -> SignInAnswer {
    let (result, account) = match msg {
        ClientMessage::Enrol(e) => (enrol(storage, e), None),
        ClientMessage::Login(l) => login(storage, l),
        sync @ ClientMessage::Sync(_) => {
            return SignInAnswer {
                reply: answer(storage, sync),
                account: None,
            };
        }
    };
    SignInAnswer {
        reply: result
            .map(ServerMessage::Enrolled)
            .unwrap_or_else(ServerMessage::Error),
        account,
    }
}

fn bad_credentials() -> ServerError {
    ServerError::new(
        ErrorCode::BadCredentials,
        "that code or password was not accepted: it may be mistyped, used already or expired; ask your coordinator for a new code",
    )
}

fn check_device_name(name: &str) -> Result<String, ServerError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ServerError::new(
            ErrorCode::Malformed,
            "give the tablet a name of 1 to 80 characters",
        ));
    }
    Ok(name.to_string())
}

fn enrolled<S: Storage + ?Sized>(
    storage: &S,
    user: User,
    device: DeviceId,
    token: String,
) -> Result<Enrolled, ServerError> {
    let organisation = storage
        .organisation(user.org)
        .map_err(unavailable)?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(Enrolled {
        device,
        token,
        user: user.id,
        role: user.role,
        display_name: user.display_name,
        cleared: user.cleared,
        participant: user.participant,
        organisation,
    })
}

fn enrol<S: Storage + ?Sized>(storage: &S, e: Enrol) -> Result<Enrolled, ServerError> {
    let name = check_device_name(&e.device_name)?;
    let now = now_millis();
    let token = random_secret(32);
    let code_hash = hash_secret(&normalise_code(&e.code));
    let device = DeviceId::new();
    let user = storage
        .redeem_code(&code_hash, device, &name, &hash_secret(&token), now)
        .map_err(unavailable)?
        .ok_or_else(bad_credentials)?;
    tracing::info!(device = %device, role = %user.role, "device enrolled with a code");
    enrolled(storage, user, device, token)
}

fn account_off() -> ServerError {
    ServerError::new(
        ErrorCode::BadCredentials,
        "this account has been turned off by the charity; ask your coordinator",
    )
}

/// Signs in with a password; also the user whose username was given, when there is one.
fn login<S: Storage + ?Sized>(
    storage: &S,
    l: Login,
) -> (Result<Enrolled, ServerError>, Option<UserId>) {
    let name = match check_device_name(&l.device_name) {
        Ok(n) => n,
        Err(e) => return (Err(e), None),
    };
    let found = match storage.user_by_username(l.username.trim()) {
        Ok(f) => f,
        Err(e) => return (Err(unavailable(e)), None),
    };
    let account = found.as_ref().map(|(u, _)| u.id);
    let Some((user, Some(hash))) = found else {
        // Spend the same time as a real check, so timing does not reveal usernames.
        let _ = verify_password(&l.password, dummy_hash());
        return (Err(bad_credentials()), account);
    };
    if !verify_password(&l.password, &hash) {
        return (Err(bad_credentials()), account);
    }
    (add_signed_in_device(storage, user, name), account)
}

fn add_signed_in_device<S: Storage + ?Sized>(
    storage: &S,
    user: User,
    name: String,
) -> Result<Enrolled, ServerError> {
    let now = now_millis();
    let token = random_secret(32);
    let device = Device {
        id: DeviceId::new(),
        user: user.id,
        name,
        created_at: now,
        last_seen: None,
        revoked_at: None,
    };
    // Refused if the account was turned off, even after the password was checked.
    if !storage
        .add_device_if_enabled(&device, &hash_secret(&token))
        .map_err(unavailable)?
    {
        return Err(account_off());
    }
    tracing::info!(device = %device.id, role = %user.role, "device enrolled with a password");
    enrolled(storage, user, device.id, token)
}

/// An argon2id hash of a random password, checked when a username is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_secret(16)).unwrap_or_default())
}

/// Refuses a message asking for more work than one round may: more documents than
/// [`MAX_WANT`] or more pushed entries than [`MAX_PUSH`].
fn check_bounds(req: &SyncRequest) -> Result<(), ServerError> {
    if req.want.len() > MAX_WANT {
        return Err(ServerError::new(
            ErrorCode::TooLarge,
            format!(
                "this tablet asked for {} records in one message; the server sends at most {MAX_WANT} at a time. Update the Onward app and sync again",
                req.want.len()
            ),
        ));
    }
    if req.commands.len() > MAX_COMMANDS {
        return Err(ServerError::new(
            ErrorCode::TooLarge,
            format!(
                "this tablet sent {} orders for the office in one message; the server takes at most {MAX_COMMANDS} at a time. Update the Onward app and sync again",
                req.commands.len()
            ),
        ));
    }
    if req.push.len() > MAX_PUSH {
        return Err(ServerError::new(
            ErrorCode::TooLarge,
            format!(
                "this tablet sent {} changes in one message; the server takes at most {MAX_PUSH} at a time. Update the Onward app and sync again",
                req.push.len()
            ),
        ));
    }
    Ok(())
}

fn sync<S: Storage + ?Sized>(storage: &S, req: SyncRequest) -> Result<SyncResponse, ServerError> {
    check_bounds(&req)?;
    let now = now_millis();
    let (device, user) = match storage
        .token_owner(&hash_secret(&req.token), now)
        .map_err(unavailable)?
    {
        TokenOwner::Active(d, u) => (d, u),
        TokenOwner::Revoked => {
            return Err(ServerError::new(
                ErrorCode::Revoked,
                "this tablet's access has been withdrawn by the charity, so its records have been removed from it; ask your coordinator if this is unexpected",
            ));
        }
        TokenOwner::Unknown => {
            return Err(ServerError::new(
                ErrorCode::Unauthorized,
                "this server does not recognise this tablet; enrol it again with a new code",
            ));
        }
    };
    let rule = Rule::of(&user);
    let org = user.org;
    // A device ahead of the log (a server restored from a backup) is told so before anything
    // it sends is stored or carried out.
    let (head_before, _) = storage.position(org).map_err(unavailable)?;
    if req.cursor > head_before {
        return Err(ahead_of_server());
    }
    let pusher = Pusher {
        actor: user.actor(),
        device: device.id,
        enrolled_at: Timestamp::from_millis(device.created_at),
        received_at: Timestamp::from_millis(now),
    };

    let mut acked = Vec::with_capacity(req.push.len());
    let mut refused = Vec::new();
    for entry in &req.push {
        match push_one(storage, &user, &pusher, rule, device.id, entry, now)? {
            Stored::Stored { .. } => acked.push(entry.entry),
            Stored::Refused(why) => {
                tracing::info!(
                    device = %device.id,
                    doc_kind = %entry.doc.kind,
                    code = why.code(),
                    "push refused"
                );
                storage
                    .record_refusal(&RefusalRecord {
                        org,
                        at: now,
                        user: user.id,
                        device: device.id,
                        doc: entry.doc,
                        label: label_of(&entry.data),
                        why: why.clone(),
                    })
                    .map_err(unavailable)?;
                acked.push(entry.entry);
                refused.push(Refusal {
                    entry: entry.entry,
                    doc: entry.doc,
                    why,
                });
            }
        }
    }

    // Orders for the office, after the pushes (an order may be about a participant just
    // created) and before the scope (so an assignment shows at once).
    let mut answers = Vec::with_capacity(req.commands.len());
    for command in &req.commands {
        // A code for an `IssueCode` order, made here: the storage keeps only its hash.
        let code = enrolment_code();
        let hash = hash_secret(&normalise_code(&code));
        let fresh = crate::storage::office::FreshCode {
            code: &code,
            hash: &hash,
        };
        let outcome = storage
            .run_command(&user, command, now, &fresh)
            .map_err(unavailable)?;
        tracing::info!(
            device = %device.id,
            command = %command.id,
            outcome = outcome.as_ref().err().map_or("done", Refused::code),
            "office command"
        );
        let (refused, code) = match outcome {
            Ok(code) => (None, code),
            Err(why) => (Some(why), None),
        };
        answers.push(CommandAnswer {
            id: command.id,
            refused,
            code,
        });
    }

    let (head, scope_seq) = storage.position(org).map_err(unavailable)?;
    let mut scope = None;
    let mut scope_seq_out = scope_seq;
    if req.scope_seq != scope_seq || req.cursor == 0 {
        let (seq, docs) = storage.scope(org, rule).map_err(unavailable)?;
        scope_seq_out = seq;
        let s = Scope::from_docs(docs);
        if s.digest() != req.scope_digest {
            scope = Some(s);
        }
    }

    // Whole documents asked for, if the device may hold them.
    let mut docs = Vec::new();
    let mut gone = Vec::new();
    let mut size = 0usize;
    let mut allowed: Vec<DocId> = Vec::new();
    for d in &req.want {
        if storage.holds(org, rule, *d).map_err(unavailable)? {
            allowed.push(*d);
        } else {
            gone.push(*d);
        }
    }
    'fetch: for chunk in allowed.chunks(64) {
        if size >= TARGET_BATCH_BYTES {
            break;
        }
        let found = storage.documents(chunk).map_err(unavailable)?;
        for d in chunk {
            // Asked for, allowed, but not stored (a document the server refused to create).
            if !found.iter().any(|(f, _)| f == d) {
                gone.push(*d);
            }
        }
        for (doc, data) in found {
            if !docs.is_empty() && size + data.len() > TARGET_BATCH_BYTES {
                break 'fetch;
            }
            size += data.len();
            docs.push(WholeDoc { doc, data });
        }
    }

    // The log after the device's cursor. A device that has never synced gets every document
    // whole after this round, so it starts at the head.
    let (cursor, more, changes) = if req.cursor == 0 {
        (head, false, Vec::new())
    } else if req.cursor > head {
        return Err(ahead_of_server());
    } else {
        let page = storage
            .log_after(
                org,
                rule,
                req.cursor,
                device.id,
                TARGET_BATCH_BYTES.saturating_sub(size).max(64 * 1024),
            )
            .map_err(unavailable)?;
        let changes = page
            .changes
            .into_iter()
            .map(|c| DocChanges {
                doc: c.doc,
                data: c.data,
                received_at: c.received_at,
            })
            .collect();
        (page.cursor, page.more, changes)
    };

    // Coordinators are told about every change the office refused.
    let notices = if Access::Coordination.permits(&user.actor()).is_ok() {
        storage
            .notices(org, req.notices_after, NOTICES_PER_ANSWER)
            .map_err(unavailable)?
    } else {
        Vec::new()
    };

    // The staff directory, for a coordinator whose copy differs.
    let directory = match req.directory {
        Some(theirs) if Access::Coordination.permits(&user.actor()).is_ok() => {
            let d = storage.directory(org).map_err(unavailable)?;
            (d.digest() != theirs).then_some(d)
        }
        _ => None,
    };

    Ok(SyncResponse {
        server_time: now_millis(),
        answers,
        directory,
        account: Account {
            role: user.role,
            cleared: user.cleared,
            display_name: user.display_name.clone(),
        },
        notices,
        cursor,
        more,
        scope_seq: scope_seq_out,
        scope,
        acked,
        refused,
        changes,
        docs,
        gone,
    })
}

fn ahead_of_server() -> ServerError {
    ServerError::new(
        ErrorCode::Malformed,
        "the tablet is ahead of this server (was the server restored from a backup?); ask your IT volunteer",
    )
}

fn push_one<S: Storage + ?Sized>(
    storage: &S,
    user: &User,
    pusher: &Pusher,
    rule: Rule,
    device: DeviceId,
    entry: &Pushed,
    now: i64,
) -> Result<Stored, ServerError> {
    // Someone whose reach is their assignments gets the participants they create.
    let assign_to = (rule.holding.reach == Reach::Assigned).then_some(user.id);
    let mut checker = |current: Option<&[u8]>, related: Related<'_>, state: ParticipantState| {
        match state {
            ParticipantState::Holdable => {}
            // A new participant arrives with their Plan first; nothing else may create one.
            ParticipantState::New if entry.doc.kind != DocKind::Plan => {
                return Err(Refused::Missing {
                    what: "the participant's plan".into(),
                });
            }
            // Judged below: only those who may create a participant's Plan get one stored.
            ParticipantState::New => {}
            ParticipantState::KindNotAllowed if current.is_none() => {
                // Someone who may not hold this kind of document created it with the rest of
                // a participant's record offline: its empty first change may be stored.
                let accepted = check::accept_push(entry.doc, None, None, &entry.data, pusher)?;
                if !accepted.only_creation || entry.doc.kind == DocKind::Concern {
                    return Err(Refused::MayNotHold);
                }
                return Ok(accepted);
            }
            ParticipantState::KindNotAllowed => return Err(Refused::MayNotHold),
            _ => return Err(Refused::NotOnCaseload),
        }
        if state == ParticipantState::New && current.is_some() {
            return Err(Refused::NotOnCaseload);
        }
        check::accept_push(entry.doc, current, related.notes, &entry.data, pusher)
    };
    let ctx = PushContext {
        org: user.org,
        user: user.id,
        device,
        rule,
        assign_to,
        now,
    };
    storage
        .push(&ctx, entry.doc, &mut checker)
        .map_err(unavailable)
}

/// The label of the last change in a pushed entry, for the refusal record shown to
/// coordinators: kept only when it is an operation's label (a modified client's own words are
/// never passed on), empty otherwise.
fn label_of(data: &[u8]) -> String {
    // Read only through the checked parser: bytes that did not pass it are never inflated.
    check::parse_push(data)
        .ok()
        .and_then(|changes| changes.last().and_then(|c| c.message().map(str::to_string)))
        .filter(|l| Operation::ALL.iter().any(|o| o.label() == l))
        .unwrap_or_default()
}
