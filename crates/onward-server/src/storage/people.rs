//! Stopping and changing people's accounts, listing and cancelling enrolment codes, and the
//! admin log (migration `0002_people.sql`): the SQL and rules both storage backends share.
//! Each backend runs these functions in one of its transactions, handed over as [`Sql`];
//! every change records its admin-log line in the same transaction, so nothing an admin does
//! goes unrecorded.
//!
//! SQL here is written once, with PostgreSQL's `$1` parameters (the SQLite backend turns them
//! into `?1`), in the subset both databases speak.

use onward_core::ids::UserId;
use onward_core::time::Timestamp;
use onward_core::vocab::Role;

use super::{
    AdminActor, AdminEntry, CodeCancel, Device, Disabled, OrgId, PendingCode, Person, Result,
    Revocation, StorageError, User,
};

/// The [`Storage`](super::Storage) methods this module backs, written once for both
/// backends' `impl Storage` blocks. A backend provides `people_read` (shared SQL on a
/// connection) and `people_write` (in a write transaction).
macro_rules! storage_methods {
    () => {
        fn person(&self, user: UserId) -> Result<Option<Person>> {
            self.people_read(|db| people::person(db, user))
        }

        fn people(&self, org: OrgId) -> Result<Vec<Person>> {
            self.people_read(|db| people::people(db, org))
        }

        fn set_disabled(
            &self,
            user: UserId,
            disabled: bool,
            actor: &AdminActor,
        ) -> Result<Disabled> {
            self.people_write(|db| people::set_disabled(db, user, disabled, actor))
        }

        fn set_role(
            &self,
            user: UserId,
            role: Role,
            cleared: bool,
            actor: &AdminActor,
        ) -> Result<()> {
            self.people_write(|db| {
                people::set_access(db, user, role, cleared, people::action::SET_ROLE, actor)
            })
        }

        fn set_clearance(&self, user: UserId, cleared: bool, actor: &AdminActor) -> Result<()> {
            self.people_write(|db| people::set_clearance(db, user, cleared, actor))
        }

        fn reset_password(&self, user: UserId, hash: &str, actor: &AdminActor) -> Result<()> {
            self.people_write(|db| people::set_password(db, user, hash, actor))
        }

        fn issue_code(
            &self,
            code_hash: &[u8],
            user: UserId,
            expires_at: i64,
            actor: &AdminActor,
        ) -> Result<String> {
            self.people_write(|db| people::issue_code(db, code_hash, user, expires_at, actor))
        }

        fn pending_codes(
            &self,
            org: OrgId,
            user: Option<UserId>,
            now: i64,
        ) -> Result<Vec<PendingCode>> {
            self.people_read(|db| people::pending_codes(db, org, user, now))
        }

        fn cancel_code(&self, short_id: &str, actor: &AdminActor) -> Result<CodeCancel> {
            self.people_write(|db| people::cancel_code(db, short_id, actor))
        }

        fn revoke(&self, which: Revocation, actor: &AdminActor) -> Result<usize> {
            self.people_write(|db| people::revoke(db, which, actor))
        }

        fn add_device_if_enabled(&self, device: &Device, token_hash: &[u8]) -> Result<bool> {
            self.people_write(|db| people::add_device_if_enabled(db, device, token_hash))
        }

        fn record_admin(&self, entry: &AdminEntry) -> Result<()> {
            self.people_write(|db| people::record(db, entry))
        }

        fn admin_log(&self, org: Option<OrgId>, limit: usize) -> Result<Vec<AdminEntry>> {
            self.people_read(|db| people::admin_log(db, org, limit))
        }

        fn run_command(
            &self,
            by: &User,
            command: &onward_sync::message::Command,
            now: i64,
            fresh: &super::office::FreshCode<'_>,
        ) -> Result<super::office::Outcome> {
            self.people_write(|db| super::office::run(db, by, command, now, fresh))
        }

        fn directory(&self, org: OrgId) -> Result<onward_sync::message::Directory> {
            self.people_read(|db| super::office::directory(db, org))
        }
    };
}
pub(super) use storage_methods;

/// A value bound to a statement.
pub(super) enum Param {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Vec<u8>),
}

pub(super) fn int(v: i64) -> Param {
    Param::Int(Some(v))
}

pub(super) fn text(v: impl ToString) -> Param {
    Param::Text(Some(v.to_string()))
}

/// A value read from a row (blobs are never read back, so they read as `Null`).
pub(super) enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// One row of a result, its cells in the order of the SELECT list.
pub(super) struct Row(pub Vec<Cell>);

fn unreadable(what: &str) -> StorageError {
    StorageError::Database(format!("a stored {what} could not be read"))
}

impl Row {
    pub(super) fn cell(&self, i: usize) -> &Cell {
        self.0.get(i).unwrap_or(&Cell::Null)
    }

    pub(super) fn opt_int(&self, i: usize) -> Option<i64> {
        match self.cell(i) {
            Cell::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub(super) fn int(&self, i: usize, what: &str) -> Result<i64> {
        self.opt_int(i).ok_or_else(|| unreadable(what))
    }

    pub(super) fn opt_text(&self, i: usize) -> Option<String> {
        match self.cell(i) {
            Cell::Text(v) => Some(v.clone()),
            _ => None,
        }
    }

    pub(super) fn parsed<T: std::str::FromStr>(&self, i: usize, what: &str) -> Result<T> {
        self.opt_text(i)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| unreadable(what))
    }
}

/// A transaction of either backend.
pub(super) trait Sql {
    /// Runs one statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64>;
    /// Runs one query (or a statement with `RETURNING`); its rows.
    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>>;
    /// What a SELECT needs to hold the rows it read until the transaction ends: PostgreSQL's
    /// ` FOR UPDATE`; nothing on SQLite, whose write transactions hold the whole database.
    fn for_update(&self) -> &'static str;
}

/// The admin log's action names: the admin command that did it.
pub mod action {
    pub const CREATE_ORG: &str = "create-org";
    pub const ADD_USER: &str = "add-user";
    pub const ASSIGN: &str = "assign";
    pub const UNASSIGN: &str = "unassign";
    pub const ENROL_CODE: &str = "enrol-code";
    pub const CANCEL_CODE: &str = "cancel-code";
    pub const REVOKE: &str = "revoke";
    pub const DISABLE_USER: &str = "disable-user";
    pub const ENABLE_USER: &str = "enable-user";
    pub const SET_ROLE: &str = "set-role";
    pub const SET_CLEARANCE: &str = "set-clearance";
    pub const RESET_PASSWORD: &str = "reset-password";
    pub const SEED_DEMO: &str = "seed-demo";
}

const PERSON_COLUMNS: &str =
    "id, org_id, role, display_name, username, cleared, participant_id, disabled_at";

fn person_row(r: &Row) -> Result<Person> {
    Ok(Person {
        user: User {
            id: r.parsed(0, "user")?,
            org: r.parsed(1, "organisation")?,
            role: r.parsed(2, "role")?,
            display_name: r.opt_text(3).unwrap_or_default(),
            username: r.opt_text(4),
            cleared: r.int(5, "clearance")? != 0,
            participant: r
                .opt_text(6)
                .map(|p| p.parse().map_err(|_| unreadable("participant")))
                .transpose()?,
        },
        disabled_at: r.opt_int(7),
    })
}

/// A user and whether their account is on.
pub(super) fn person(db: &mut dyn Sql, user: UserId) -> Result<Option<Person>> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM users WHERE id = $1");
    db.query(&sql, &[text(user)])?
        .first()
        .map(person_row)
        .transpose()
}

/// A user's row, held until the transaction ends (so a concurrent sign-in and a change to the
/// account are ordered), or `NotFound`.
fn lock_person(db: &mut dyn Sql, user: UserId) -> Result<Person> {
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM users WHERE id = $1{}",
        db.for_update()
    );
    db.query(&sql, &[text(user)])?
        .first()
        .map(person_row)
        .transpose()?
        .ok_or(StorageError::NotFound("the user"))
}

/// An organisation's users, coordinators first.
pub(super) fn people(db: &mut dyn Sql, org: OrgId) -> Result<Vec<Person>> {
    let sql =
        format!("SELECT {PERSON_COLUMNS} FROM users WHERE org_id = $1 ORDER BY role, display_name");
    db.query(&sql, &[text(org)])?
        .iter()
        .map(person_row)
        .collect()
}

/// Appends one line to the admin log.
pub(super) fn record(db: &mut dyn Sql, entry: &AdminEntry) -> Result<()> {
    db.execute(
        "INSERT INTO admin_log (at, org_id, action, subject, detail, by_whom)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            int(entry.at),
            Param::Text(entry.org.map(|o| o.to_string())),
            text(&entry.action),
            Param::Text(entry.subject.clone()),
            text(&entry.detail),
            text(&entry.by),
        ],
    )?;
    Ok(())
}

fn log(
    db: &mut dyn Sql,
    actor: &AdminActor,
    org: OrgId,
    action: &str,
    subject: impl ToString,
    detail: String,
) -> Result<()> {
    record(
        db,
        &AdminEntry {
            id: 0,
            at: actor.at,
            org: Some(org),
            action: action.to_string(),
            subject: Some(subject.to_string()),
            detail,
            by: actor.by.clone(),
        },
    )
}

/// The last `limit` lines of the admin log (of `org`, or of the whole server), oldest first.
pub(super) fn admin_log(
    db: &mut dyn Sql,
    org: Option<OrgId>,
    limit: usize,
) -> Result<Vec<AdminEntry>> {
    let limit = int(limit.min(i64::MAX as usize) as i64);
    let columns = "id, at, org_id, action, subject, detail, by_whom";
    let rows = match org {
        Some(org) => db.query(
            &format!("SELECT {columns} FROM admin_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2"),
            &[text(org), limit],
        )?,
        None => db.query(
            &format!("SELECT {columns} FROM admin_log ORDER BY id DESC LIMIT $1"),
            &[limit],
        )?,
    };
    let mut entries = rows
        .iter()
        .map(|r| {
            Ok(AdminEntry {
                id: r.int(0, "admin log line")? as u64,
                at: r.int(1, "admin log time")?,
                org: r
                    .opt_text(2)
                    .map(|o| o.parse().map_err(|_| unreadable("organisation")))
                    .transpose()?,
                action: r.opt_text(3).unwrap_or_default(),
                subject: r.opt_text(4),
                detail: r.opt_text(5).unwrap_or_default(),
                by: r.opt_text(6).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    entries.reverse();
    Ok(entries)
}

/// Turns an account off (revoking every device and cancelling every unused code, so nothing
/// already issued still works) or back on (old devices stay revoked; they enrol again).
pub(super) fn set_disabled(
    db: &mut dyn Sql,
    user: UserId,
    disabled: bool,
    actor: &AdminActor,
) -> Result<Disabled> {
    // The user's row first: a sign-in adding a device holds it too, so either that device
    // exists before the devices are revoked below, or the sign-in sees the account is off.
    let person = lock_person(db, user)?;
    let now = actor.at;
    if !disabled {
        db.execute(
            "UPDATE users SET disabled_at = NULL WHERE id = $1",
            &[text(user)],
        )?;
        let detail = if person.disabled_at.is_some() {
            "account enabled; earlier devices stay revoked"
        } else {
            "account was already enabled"
        };
        log(
            db,
            actor,
            person.user.org,
            action::ENABLE_USER,
            user,
            detail.into(),
        )?;
        return Ok(Disabled::default());
    }
    db.execute(
        "UPDATE users SET disabled_at = COALESCE(disabled_at, $2) WHERE id = $1",
        &[text(user), int(now)],
    )?;
    let codes = cancel_codes_of(db, user, now)?;
    let devices = db.execute(
        "UPDATE devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        &[text(user), int(now)],
    )? as usize;
    log(
        db,
        actor,
        person.user.org,
        action::DISABLE_USER,
        user,
        format!("{devices} devices revoked, {codes} unused codes cancelled"),
    )?;
    Ok(Disabled {
        devices_revoked: devices,
        codes_cancelled: codes,
    })
}

/// Cancels a user's unused codes. The expiry is moved to the epoch rather than to `now`, so a
/// redemption that read the clock a moment earlier still finds the code expired.
fn cancel_codes_of(db: &mut dyn Sql, user: UserId, now: i64) -> Result<usize> {
    Ok(db.execute(
        "UPDATE enrolment_codes SET cancelled_at = $2, expires_at = 0
         WHERE user_id = $1 AND used_at IS NULL AND cancelled_at IS NULL",
        &[text(user), int(now)],
    )? as usize)
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// Changes a user's role and clearance, and moves the organisation's scope generation so
/// every device learns at its next sync which documents it may now hold.
pub(super) fn set_access(
    db: &mut dyn Sql,
    user: UserId,
    role: Role,
    cleared: bool,
    action: &str,
    actor: &AdminActor,
) -> Result<()> {
    let person = lock_person(db, user)?;
    let org = person.user.org;
    db.execute(
        "UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = $1",
        &[text(org)],
    )?;
    db.execute(
        "UPDATE users SET role = $2, cleared = $3 WHERE id = $1",
        &[text(user), text(role.as_str()), int(cleared as i64)],
    )?;
    let before = &person.user;
    log(
        db,
        actor,
        org,
        action,
        user,
        format!(
            "role {} → {}, clearance {} → {}",
            before.role,
            role,
            on_off(before.cleared),
            on_off(cleared)
        ),
    )
}

/// Changes a user's clearance only.
pub(super) fn set_clearance(
    db: &mut dyn Sql,
    user: UserId,
    cleared: bool,
    actor: &AdminActor,
) -> Result<()> {
    let role = lock_person(db, user)?.user.role;
    set_access(db, user, role, cleared, action::SET_CLEARANCE, actor)
}

/// Replaces a user's password hash.
pub(super) fn set_password(
    db: &mut dyn Sql,
    user: UserId,
    hash: &str,
    actor: &AdminActor,
) -> Result<()> {
    let person = lock_person(db, user)?;
    if person.user.username.is_none() {
        return Err(StorageError::Invalid(
            "this user has no username, so a password would never be asked for; give them an enrolment code instead (enrol-code)".into(),
        ));
    }
    db.execute(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        &[text(user), text(hash)],
    )?;
    log(
        db,
        actor,
        person.user.org,
        action::RESET_PASSWORD,
        user,
        "password replaced".into(),
    )
}

/// Stores a new code's hash for an enabled user; its short id.
pub(super) fn issue_code(
    db: &mut dyn Sql,
    code_hash: &[u8],
    user: UserId,
    expires_at: i64,
    actor: &AdminActor,
) -> Result<String> {
    let person = lock_person(db, user)?;
    if person.disabled_at.is_some() {
        return Err(StorageError::Invalid(
            "this user's account is disabled; turn it on first (enable-user)".into(),
        ));
    }
    let mut short_id = None;
    for _ in 0..8 {
        let candidate = crate::service::random_secret(4);
        let taken = db.query(
            "SELECT 1 FROM enrolment_codes WHERE short_id = $1",
            &[text(&candidate)],
        )?;
        if taken.is_empty() {
            short_id = Some(candidate);
            break;
        }
    }
    let short_id = short_id
        .ok_or_else(|| StorageError::Database("no free short id for the code; try again".into()))?;
    db.execute(
        "INSERT INTO enrolment_codes (code_hash, user_id, expires_at, created_at, short_id)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            Param::Bytes(code_hash.to_vec()),
            text(user),
            int(expires_at),
            int(actor.at),
            text(&short_id),
        ],
    )?;
    log(
        db,
        actor,
        person.user.org,
        action::ENROL_CODE,
        user,
        format!(
            "code {short_id}, valid until {}",
            Timestamp::from_millis(expires_at)
        ),
    )?;
    Ok(short_id)
}

fn pending_row(r: &Row) -> Result<PendingCode> {
    Ok(PendingCode {
        short_id: r.opt_text(0).unwrap_or_default(),
        user: r.parsed(1, "user")?,
        created_at: r.int(2, "code's time")?,
        expires_at: r.int(3, "code's expiry")?,
    })
}

/// Codes of `org` (or of one of its users) that are unused, uncancelled and unexpired.
pub(super) fn pending_codes(
    db: &mut dyn Sql,
    org: OrgId,
    user: Option<UserId>,
    now: i64,
) -> Result<Vec<PendingCode>> {
    let base = "SELECT c.short_id, c.user_id, c.created_at, c.expires_at
                FROM enrolment_codes c JOIN users u ON u.id = c.user_id
                WHERE u.org_id = $1 AND c.used_at IS NULL AND c.cancelled_at IS NULL
                  AND c.expires_at > $2";
    let rows = match user {
        Some(user) => db.query(
            &format!("{base} AND c.user_id = $3 ORDER BY c.created_at"),
            &[text(org), int(now), text(user)],
        )?,
        None => db.query(
            &format!("{base} ORDER BY c.created_at"),
            &[text(org), int(now)],
        )?,
    };
    rows.iter().map(pending_row).collect()
}

/// Cancels one unused code by its short id.
pub(super) fn cancel_code(
    db: &mut dyn Sql,
    short_id: &str,
    actor: &AdminActor,
) -> Result<CodeCancel> {
    let sql = format!(
        "SELECT user_id, used_at, cancelled_at, expires_at FROM enrolment_codes
         WHERE short_id = $1{}",
        db.for_update()
    );
    let rows = db.query(&sql, &[text(short_id.trim().to_ascii_lowercase())])?;
    let Some(row) = rows.first() else {
        return Ok(CodeCancel::Unknown);
    };
    let user: UserId = row.parsed(0, "user")?;
    if row.opt_int(1).is_some() || row.opt_int(2).is_some() || row.int(3, "expiry")? <= actor.at {
        return Ok(CodeCancel::NotPending { user });
    }
    db.execute(
        "UPDATE enrolment_codes SET cancelled_at = $2, expires_at = 0 WHERE short_id = $1",
        &[text(short_id.trim().to_ascii_lowercase()), int(actor.at)],
    )?;
    let org = lock_person(db, user)?.user.org;
    log(
        db,
        actor,
        org,
        action::CANCEL_CODE,
        user,
        format!("code {}", short_id.trim().to_ascii_lowercase()),
    )?;
    Ok(CodeCancel::Cancelled { user })
}

/// Revokes one device, or every device of a user; how many were active until now.
pub(super) fn revoke(db: &mut dyn Sql, which: Revocation, actor: &AdminActor) -> Result<usize> {
    match which {
        Revocation::Device(device) => {
            let rows = db.query(
                "SELECT u.org_id, d.revoked_at FROM devices d JOIN users u ON u.id = d.user_id
                 WHERE d.id = $1",
                &[text(device)],
            )?;
            let row = rows.first().ok_or(StorageError::NotFound("the device"))?;
            let org: OrgId = row.parsed(0, "organisation")?;
            let n = db.execute(
                "UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                &[text(device), int(actor.at)],
            )? as usize;
            let detail = if n == 0 {
                "device was already revoked"
            } else {
                "device revoked"
            };
            log(db, actor, org, action::REVOKE, device, detail.into())?;
            Ok(n)
        }
        Revocation::User(user) => {
            let person = lock_person(db, user)?;
            let n = db.execute(
                "UPDATE devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                &[text(user), int(actor.at)],
            )? as usize;
            log(
                db,
                actor,
                person.user.org,
                action::REVOKE,
                user,
                format!("every device of the user: {n} revoked"),
            )?;
            Ok(n)
        }
    }
}

/// Enrols a device for a user whose account is on; false (and nothing stored) if it is off.
pub(super) fn add_device_if_enabled(
    db: &mut dyn Sql,
    device: &Device,
    token_hash: &[u8],
) -> Result<bool> {
    if lock_person(db, device.user)?.disabled_at.is_some() {
        return Ok(false);
    }
    db.execute(
        "INSERT INTO devices (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[
            text(device.id),
            text(device.user),
            text(&device.name),
            Param::Bytes(token_hash.to_vec()),
            int(device.created_at),
        ],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::sqlite::Sqlite;
    use super::super::{Storage, User};
    use super::*;

    fn actor(at: i64) -> AdminActor {
        AdminActor {
            by: "test-admin".into(),
            at,
        }
    }

    fn mentor(storage: &Sqlite, org: OrgId, username: Option<&str>) -> User {
        let user = User {
            id: UserId::new(),
            org,
            role: Role::Mentor,
            display_name: "Synthetic mentor".into(),
            username: username.map(String::from),
            cleared: false,
            participant: None,
        };
        storage.add_user(&user, Some("not-a-real-hash"), 1).unwrap();
        user
    }

    fn device(user: UserId, created_at: i64) -> Device {
        Device {
            id: onward_core::ids::DeviceId::new(),
            user,
            name: "Synthetic tablet".into(),
            created_at,
            last_seen: None,
            revoked_at: None,
        }
    }

    #[test]
    fn the_admin_log_cannot_be_changed_or_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let storage = Sqlite::open(&path).unwrap();
        let org = storage.create_org("Log Charity", 1).unwrap();
        let user = mentor(&storage, org.id, None);
        storage.set_disabled(user.id, true, &actor(10)).unwrap();
        assert_eq!(storage.admin_log(None, 10).unwrap().len(), 1);
        let conn = rusqlite::Connection::open(&path).unwrap();
        for sql in [
            "UPDATE admin_log SET by_whom = 'someone else'",
            "DELETE FROM admin_log",
        ] {
            let err = conn.execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        let log = storage.admin_log(None, 10).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].by, "test-admin");
        assert_eq!(log[0].action, "disable-user");
        assert_eq!(log[0].detail, "0 devices revoked, 0 unused codes cancelled");
    }

    #[test]
    fn codes_made_before_version_two_get_a_short_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../../migrations/sqlite/0001_init.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO organisations (id, name, created_at)
                 VALUES ('0190c0de-0000-7000-8000-000000000001', 'Old Charity', 1);
             INSERT INTO users (id, org_id, role, display_name, created_at)
                 VALUES ('0190c0de-0000-7000-8000-000000000002',
                         '0190c0de-0000-7000-8000-000000000001', 'mentor', 'Old', 1);
             INSERT INTO enrolment_codes (code_hash, user_id, expires_at, created_at)
                 VALUES (x'01', '0190c0de-0000-7000-8000-000000000002', 9000000000000, 1);",
        )
        .unwrap();
        drop(conn);
        let storage = Sqlite::open(&path).unwrap();
        let org = storage.org_by_name("Old Charity").unwrap().unwrap();
        let codes = storage.pending_codes(org.id, None, 2).unwrap();
        assert_eq!(codes.len(), 1);
        assert_eq!(codes[0].short_id.len(), 8);
        let user = codes[0].user;
        assert_eq!(
            storage.cancel_code(&codes[0].short_id, &actor(3)).unwrap(),
            CodeCancel::Cancelled { user }
        );
        assert!(storage.pending_codes(org.id, None, 4).unwrap().is_empty());
    }

    #[test]
    fn a_disabled_account_gets_no_new_device_or_code_and_keeps_its_old_devices_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Sqlite::open(&dir.path().join("server.db")).unwrap();
        let org = storage.create_org("Stop Charity", 1).unwrap();
        let user = mentor(&storage, org.id, Some("synthetic.user"));
        let old = device(user.id, 5);
        assert!(
            storage
                .add_device_if_enabled(&old, b"old-token-hash")
                .unwrap()
        );
        storage
            .issue_code(b"code-hash", user.id, 1_000, &actor(10))
            .unwrap();

        let done = storage.set_disabled(user.id, true, &actor(20)).unwrap();
        assert_eq!(
            done,
            Disabled {
                devices_revoked: 1,
                codes_cancelled: 1
            }
        );
        assert_eq!(
            storage.person(user.id).unwrap().unwrap().disabled_at,
            Some(20)
        );
        assert!(
            !storage
                .add_device_if_enabled(&device(user.id, 25), b"new-token-hash")
                .unwrap()
        );
        assert!(matches!(
            storage.issue_code(b"another-hash", user.id, 1_000, &actor(21)),
            Err(StorageError::Invalid(_))
        ));
        // The cancelled code cannot be redeemed, even by a redemption that read the clock
        // before the cancellation.
        assert!(
            storage
                .redeem_code(
                    b"code-hash",
                    onward_core::ids::DeviceId::new(),
                    "x",
                    b"t",
                    15
                )
                .unwrap()
                .is_none()
        );

        storage.set_disabled(user.id, false, &actor(30)).unwrap();
        assert_eq!(storage.person(user.id).unwrap().unwrap().disabled_at, None);
        assert!(
            storage
                .add_device_if_enabled(&device(user.id, 35), b"newer-token-hash")
                .unwrap()
        );
        let revoked: Vec<bool> = storage
            .devices(org.id)
            .unwrap()
            .iter()
            .map(|d| d.revoked_at.is_some())
            .collect();
        assert_eq!(revoked, vec![true, false]);
        let actions: Vec<String> = storage
            .admin_log(Some(org.id), 10)
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        assert_eq!(actions, ["enrol-code", "disable-user", "enable-user"]);
    }
}
