//! Embedded SQLite storage: the default, with nothing to set up. WAL mode lets syncs read
//! while one writes; writes to the log serialise on SQLite's single writer, which is what
//! keeps the log's numbers in commit order.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use onward_core::document::DocId;
use onward_core::ids::{DeviceId, ParticipantId, UserId};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::sql::{self, Dialect, NoticeRow};
use super::*;
use onward_core::policy::Reach;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_people.sql"),
    include_str!("../../migrations/sqlite/0003_judging.sql"),
    include_str!("../../migrations/sqlite/0004_office.sql"),
];

/// How many connections are kept open.
const POOL: usize = 8;

/// SQLite storage in one file.
pub struct Sqlite {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite").field("path", &self.path).finish()
    }
}

fn db(e: rusqlite::Error) -> StorageError {
    StorageError::Database(e.to_string())
}

fn bad(what: &str) -> StorageError {
    StorageError::Database(format!("a stored {what} could not be read"))
}

impl Sqlite {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// The file, its write-ahead log and shared-memory index are readable and writable by the
    /// server's own user only (0600), also when an earlier version made them wider.
    pub fn open(path: &Path) -> Result<Self> {
        private_files(path)?;
        let s = Sqlite {
            path: path.to_path_buf(),
            pool: Mutex::new(Vec::new()),
        };
        let mut conn = s.connect()?;
        let version: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map_err(db)? as usize;
        if version > MIGRATIONS.len() {
            return Err(StorageError::Invalid(format!(
                "the database was made by a newer Onward server (schema {version}); upgrade this server"
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            tx.execute_batch(sql).map_err(db)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(db)?;
            tx.commit().map_err(db)?;
        }
        s.put(conn);
        // SQLite gives the log and index files the database file's mode; any left by an
        // earlier version are narrowed too.
        private_files(path)?;
        Ok(s)
    }

    fn connect(&self) -> Result<Connection> {
        let conn = Connection::open(&self.path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(db)?;
        Ok(conn)
    }

    fn take(&self) -> Result<Connection> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) => Ok(c),
            None => self.connect(),
        }
    }

    fn put(&self, conn: Connection) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOL {
            pool.push(conn);
        }
    }

    /// Runs `f` on a pooled connection.
    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let out = f(&mut conn);
        self.put(conn);
        out
    }

    /// Runs `f` in a write transaction.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let out = f(&tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }

    /// Runs `f` in a read transaction (one consistent snapshot).
    fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.with(|c| {
            let tx = c.transaction().map_err(db)?;
            let out = f(&tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }
}

/// Creates the database file readable by this user only, and narrows the mode of an
/// existing one (and of its `-wal` and `-shm` files) to 0600.
fn private_files(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |e: std::io::Error| {
            StorageError::Database(format!(
                "could not make {} private to this user: {e}",
                path.display()
            ))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(e)),
        }
        let mut files = vec![path.to_path_buf()];
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
        for file in files {
            match std::fs::metadata(&file) {
                Ok(m) if m.permissions().mode() & 0o777 != 0o600 => {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                        .map_err(io)?;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(e)),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A SQLite connection or transaction, for the SQL both backends share.
struct Lite<'a>(&'a Connection);

fn lite_params(params: &[people::Param]) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value;
    params
        .iter()
        .map(|p| match p {
            people::Param::Int(v) => v.map(Value::Integer).unwrap_or(Value::Null),
            people::Param::Text(v) => v.clone().map(Value::Text).unwrap_or(Value::Null),
            people::Param::Bytes(v) => Value::Blob(v.clone()),
        })
        .collect()
}

impl people::Sql for Lite<'_> {
    fn execute(&mut self, sql: &str, params: &[people::Param]) -> Result<u64> {
        self.0
            .execute(
                &sql.replace('$', "?"),
                rusqlite::params_from_iter(lite_params(params)),
            )
            .map(|n| n as u64)
            .map_err(db)
    }

    fn query(&mut self, sql: &str, params: &[people::Param]) -> Result<Vec<people::Row>> {
        use rusqlite::types::Value;
        let mut stmt = self.0.prepare(&sql.replace('$', "?")).map_err(db)?;
        let n = stmt.column_count();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(lite_params(params)), |r| {
                (0..n)
                    .map(|i| {
                        Ok(match r.get::<_, Value>(i)? {
                            Value::Integer(v) => people::Cell::Int(v),
                            Value::Text(v) => people::Cell::Text(v),
                            Value::Null | Value::Real(_) | Value::Blob(_) => people::Cell::Null,
                        })
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(people::Row)
            })
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        Ok(rows)
    }

    fn for_update(&self) -> &'static str {
        ""
    }
}

impl Sqlite {
    /// Runs shared SQL in a write transaction.
    fn people_write<T>(&self, f: impl FnOnce(&mut dyn people::Sql) -> Result<T>) -> Result<T> {
        self.write(|tx| f(&mut Lite(tx)))
    }

    /// Runs shared SQL on a connection.
    fn people_read<T>(&self, f: impl FnOnce(&mut dyn people::Sql) -> Result<T>) -> Result<T> {
        self.with(|c| f(&mut Lite(c)))
    }
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(User, Option<String>)> {
    let parse_err =
        |i| rusqlite::Error::InvalidColumnType(i, "id".into(), rusqlite::types::Type::Text);
    let id: String = r.get(0)?;
    let org: String = r.get(1)?;
    let role: String = r.get(2)?;
    let participant: Option<String> = r.get(6)?;
    Ok((
        User {
            id: id.parse().map_err(|_| parse_err(0))?,
            org: org.parse().map_err(|_| parse_err(1))?,
            role: role.parse().map_err(|_| parse_err(2))?,
            display_name: r.get(3)?,
            username: r.get(4)?,
            cleared: r.get::<_, i64>(5)? != 0,
            participant: participant
                .map(|p| p.parse().map_err(|_| parse_err(6)))
                .transpose()?,
        },
        r.get(7)?,
    ))
}

const USER_COLUMNS: &str =
    "id, org_id, role, display_name, username, cleared, participant_id, password_hash";

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    let parse_err =
        |i| rusqlite::Error::InvalidColumnType(i, "id".into(), rusqlite::types::Type::Text);
    let id: String = r.get(0)?;
    let user: String = r.get(1)?;
    Ok(Device {
        id: id.parse().map_err(|_| parse_err(0))?,
        user: user.parse().map_err(|_| parse_err(1))?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        last_seen: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

const DEVICE_COLUMNS: &str = "d.id, d.user_id, d.name, d.created_at, d.last_seen, d.revoked_at";

/// Whether `rule` reaches `participant` (a participant of `org` within the person's reach).
fn reaches(tx: &Connection, org: OrgId, rule: Rule, participant: ParticipantId) -> Result<bool> {
    let p = participant.to_string();
    let found: Option<i64> = match rule.holding.reach {
        Reach::Organisation => tx
            .query_row(
                "SELECT 1 FROM participants WHERE id = ?1 AND org_id = ?2",
                params![p, org.to_string()],
                |r| r.get(0),
            )
            .optional(),
        Reach::Assigned => tx
            .query_row(
                "SELECT 1 FROM assignments WHERE participant_id = ?1 AND mentor_id = ?2",
                params![p, rule.user.to_string()],
                |r| r.get(0),
            )
            .optional(),
        Reach::Own(own) => Ok((own == participant).then_some(1)),
        Reach::Nobody => Ok(None),
    }
    .map_err(db)?;
    Ok(found.is_some())
}

/// Who raised a stored concern document (`None` for other documents or one not stored).
fn raised_by(tx: &Connection, doc: DocId) -> Result<Option<UserId>> {
    if doc.kind != DocKind::Concern {
        return Ok(None);
    }
    let r: Option<Option<String>> = tx
        .query_row(
            "SELECT raised_by FROM documents WHERE doc_id = ?1",
            [doc.to_string()],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    r.flatten()
        .map(|u| u.parse().map_err(|_| bad("concern raiser")))
        .transpose()
}

fn holds_in(tx: &Connection, org: OrgId, rule: Rule, doc: DocId) -> Result<bool> {
    Ok(reaches(tx, org, rule, doc.participant)? && rule.allows(doc.kind, raised_by(tx, doc)?))
}

impl Storage for Sqlite {
    fn create_org(&self, name: &str, now: i64) -> Result<Organisation> {
        let org = Organisation {
            id: Uuid::now_v7(),
            name: name.trim().to_string(),
        };
        self.write(|tx| {
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM organisations WHERE name = ?1",
                    [&org.name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            if exists.is_some() {
                return Err(StorageError::Invalid(format!(
                    "an organisation called '{}' already exists",
                    org.name
                )));
            }
            tx.execute(
                "INSERT INTO organisations (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![org.id.to_string(), org.name, now],
            )
            .map_err(db)?;
            Ok(())
        })?;
        Ok(org)
    }

    fn org_by_name(&self, name: &str) -> Result<Option<Organisation>> {
        self.with(|c| {
            c.query_row(
                "SELECT id, name FROM organisations WHERE name = ?1",
                [name.trim()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(db)?
            .map(|(id, name)| {
                Ok(Organisation {
                    id: id.parse().map_err(|_| bad("organisation"))?,
                    name,
                })
            })
            .transpose()
        })
    }

    fn organisation(&self, id: OrgId) -> Result<Option<Organisation>> {
        self.with(|c| {
            c.query_row(
                "SELECT name FROM organisations WHERE id = ?1",
                [id.to_string()],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(db)
            .map(|n| n.map(|name| Organisation { id, name }))
        })
    }

    fn add_user(&self, u: &User, password_hash: Option<&str>, now: i64) -> Result<()> {
        self.write(|tx| {
            if let Some(name) = &u.username {
                let taken: Option<i64> = tx
                    .query_row("SELECT 1 FROM users WHERE username = ?1", [name], |r| r.get(0))
                    .optional()
                    .map_err(db)?;
                if taken.is_some() {
                    return Err(StorageError::Invalid(format!(
                        "the username '{name}' is taken"
                    )));
                }
            }
            tx.execute(
                "INSERT INTO users (id, org_id, role, display_name, username, password_hash, cleared, participant_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    u.id.to_string(),
                    u.org.to_string(),
                    u.role.as_str(),
                    u.display_name,
                    u.username,
                    password_hash,
                    u.cleared as i64,
                    u.participant.map(|p| p.to_string()),
                    now
                ],
            )
            .map_err(db)?;
            tx.execute(
                "UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = ?1",
                [u.org.to_string()],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn user(&self, id: UserId) -> Result<Option<User>> {
        self.with(|c| {
            Ok(c.query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                [id.to_string()],
                user_row,
            )
            .optional()
            .map_err(db)?
            .map(|(u, _)| u))
        })
    }

    fn users(&self, org: OrgId) -> Result<Vec<User>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE org_id = ?1 ORDER BY role, display_name"
                ))
                .map_err(db)?;
            let rows: Vec<User> = stmt
                .query_map([org.to_string()], user_row)
                .map_err(db)?
                .map(|r| r.map(|(u, _)| u).map_err(db))
                .collect::<Result<_>>()?;
            Ok(rows)
        })
    }

    fn user_by_username(&self, username: &str) -> Result<Option<(User, Option<String>)>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
                [username],
                user_row,
            )
            .optional()
            .map_err(db)
        })
    }

    fn set_password_hash(&self, user: UserId, hash: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                    params![user.to_string(), hash],
                )
                .map_err(db)?;
            if n == 0 {
                return Err(StorageError::NotFound("the user"));
            }
            Ok(())
        })
    }

    fn set_assignment(
        &self,
        participant: ParticipantId,
        mentor: UserId,
        assigned: bool,
    ) -> Result<()> {
        self.write(|tx| {
            let org: Option<String> = tx
                .query_row(
                    "SELECT org_id FROM participants WHERE id = ?1",
                    [participant.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            let org = org.ok_or(StorageError::NotFound("the participant"))?;
            let mentor_org: Option<String> = tx
                .query_row(
                    "SELECT org_id FROM users WHERE id = ?1",
                    [mentor.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            if mentor_org.as_deref() != Some(org.as_str()) {
                return Err(StorageError::NotFound("the mentor (in this organisation)"));
            }
            let sql = if assigned {
                "INSERT OR IGNORE INTO assignments (participant_id, mentor_id) VALUES (?1, ?2)"
            } else {
                "DELETE FROM assignments WHERE participant_id = ?1 AND mentor_id = ?2"
            };
            tx.execute(sql, params![participant.to_string(), mentor.to_string()])
                .map_err(db)?;
            tx.execute(
                "UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = ?1",
                [&org],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn assignments(&self, participant: ParticipantId) -> Result<Vec<UserId>> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT mentor_id FROM assignments WHERE participant_id = ?1 ORDER BY mentor_id")
                .map_err(db)?;
            let ids: Vec<String> = stmt
                .query_map([participant.to_string()], |r| r.get(0))
                .map_err(db)?
                .collect::<rusqlite::Result<_>>()
                .map_err(db)?;
            ids.iter()
                .map(|s| s.parse().map_err(|_| bad("assignment")))
                .collect()
        })
    }

    fn participants(&self, org: OrgId) -> Result<Vec<ParticipantId>> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT id FROM participants WHERE org_id = ?1 ORDER BY id")
                .map_err(db)?;
            let ids: Vec<String> = stmt
                .query_map([org.to_string()], |r| r.get(0))
                .map_err(db)?
                .collect::<rusqlite::Result<_>>()
                .map_err(db)?;
            ids.iter()
                .map(|s| s.parse().map_err(|_| bad("participant")))
                .collect()
        })
    }

    fn add_enrolment_code(
        &self,
        code_hash: &[u8],
        user: UserId,
        expires_at: i64,
        now: i64,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO enrolment_codes (code_hash, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![code_hash, user.to_string(), expires_at, now],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn redeem_code(
        &self,
        code_hash: &[u8],
        device: DeviceId,
        device_name: &str,
        token_hash: &[u8],
        now: i64,
    ) -> Result<Option<User>> {
        self.write(|tx| {
            let user: Option<String> = tx
                .query_row(
                    "UPDATE enrolment_codes SET used_at = ?2
                     WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2
                     RETURNING user_id",
                    params![code_hash, now],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            let Some(user) = user else { return Ok(None) };
            let found = tx
                .query_row(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                    [&user],
                    user_row,
                )
                .map_err(db)?;
            let device = Device {
                id: device,
                user: found.0.id,
                name: device_name.to_string(),
                created_at: now,
                last_seen: None,
                revoked_at: None,
            };
            insert_device(tx, &device, token_hash)?;
            Ok(Some(found.0))
        })
    }

    fn add_device(&self, device: &Device, token_hash: &[u8]) -> Result<()> {
        self.write(|tx| insert_device(tx, device, token_hash))
    }

    fn devices(&self, org: OrgId) -> Result<Vec<Device>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.user_id
                     WHERE u.org_id = ?1 ORDER BY d.created_at"
                ))
                .map_err(db)?;
            let rows: Vec<Device> = stmt
                .query_map([org.to_string()], device_row)
                .map_err(db)?
                .collect::<rusqlite::Result<_>>()
                .map_err(db)?;
            Ok(rows)
        })
    }

    fn revoke_device(&self, device: DeviceId, now: i64) -> Result<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
                    params![device.to_string(), now],
                )
                .map_err(db)?;
            Ok(n > 0)
        })
    }

    fn token_owner(&self, token_hash: &[u8], now: i64) -> Result<TokenOwner> {
        self.with(|c| {
            let device = c
                .query_row(
                    &format!("SELECT {DEVICE_COLUMNS} FROM devices d WHERE d.token_hash = ?1"),
                    [token_hash],
                    device_row,
                )
                .optional()
                .map_err(db)?;
            let Some(device) = device else {
                return Ok(TokenOwner::Unknown);
            };
            if device.revoked_at.is_some() {
                return Ok(TokenOwner::Revoked);
            }
            // Noted at most once a minute, so a busy device does not write on every sync.
            c.execute(
                "UPDATE devices SET last_seen = ?2 WHERE id = ?1 AND (last_seen IS NULL OR last_seen < ?2 - 60000)",
                params![device.id.to_string(), now],
            )
            .map_err(db)?;
            let user = c
                .query_row(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                    [device.user.to_string()],
                    user_row,
                )
                .map_err(db)?
                .0;
            Ok(TokenOwner::Active(device, user))
        })
    }

    fn position(&self, org: OrgId) -> Result<(u64, u64)> {
        self.with(|c| {
            c.query_row(
                "SELECT seq, scope_seq FROM organisations WHERE id = ?1",
                [org.to_string()],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(db)
        })
    }

    fn scope(&self, org: OrgId, rule: Rule) -> Result<(u64, Vec<DocId>)> {
        self.read(|tx| {
            let scope_seq: i64 = tx
                .query_row(
                    "SELECT scope_seq FROM organisations WHERE id = ?1",
                    [org.to_string()],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let (cond, param) = sql::holding(Dialect::Sqlite, &rule, 2);
            let sql = format!("SELECT c.doc_id FROM documents c WHERE c.org_id = ?1 AND {cond}");
            let mut stmt = tx.prepare(&sql).map_err(db)?;
            let get = |r: &rusqlite::Row<'_>| r.get::<_, String>(0);
            let ids: Vec<String> = match param {
                Some(p) => stmt
                    .query_map(params![org.to_string(), p], get)
                    .and_then(|rows| rows.collect()),
                None => stmt
                    .query_map(params![org.to_string()], get)
                    .and_then(|rows| rows.collect()),
            }
            .map_err(db)?;
            let docs = ids
                .iter()
                .map(|s| s.parse().map_err(|_| bad("document id")))
                .collect::<Result<_>>()?;
            Ok((scope_seq as u64, docs))
        })
    }

    fn holds(&self, org: OrgId, rule: Rule, doc: DocId) -> Result<bool> {
        self.with(|c| holds_in(c, org, rule, doc))
    }

    fn push(&self, ctx: &PushContext, doc: DocId, check: &mut PushCheck<'_>) -> Result<Pushed> {
        let PushContext {
            org,
            user,
            device,
            rule,
            assign_to,
            now,
        } = *ctx;
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let p = doc.participant.to_string();
            let owner: Option<String> = tx
                .query_row("SELECT org_id FROM participants WHERE id = ?1", [&p], |r| r.get(0))
                .optional()
                .map_err(db)?;
            let state = match owner {
                None => ParticipantState::New,
                Some(o) if o != org.to_string() => ParticipantState::NotTheirs,
                Some(_) if !reaches(&tx, org, rule, doc.participant)? => ParticipantState::NotTheirs,
                Some(_) if rule.allows(doc.kind, raised_by(&tx, doc)?) => ParticipantState::Holdable,
                Some(_) => ParticipantState::KindNotAllowed,
            };
            let current: Option<Vec<u8>> = tx
                .query_row("SELECT data FROM documents WHERE doc_id = ?1", [doc.to_string()], |r| r.get(0))
                .optional()
                .map_err(db)?;
            let notes: Option<Vec<u8>> = if doc.kind == DocKind::Plan {
                tx.query_row(
                    "SELECT data FROM documents WHERE doc_id = ?1",
                    [DocId::new(doc.participant, DocKind::Notes).to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?
            } else {
                None
            };
            let related = Related {
                notes: notes.as_deref(),
            };
            let accepted = match check(current.as_deref(), related, state) {
                Ok(a) => a,
                Err(refused) => return Ok(Pushed::Refused(refused)),
            };
            if accepted.changes.is_empty() {
                return Ok(Pushed::Stored { new_changes: 0 });
            }
            let orgs = org.to_string();
            let mut seq: i64 = tx
                .query_row("SELECT seq FROM organisations WHERE id = ?1", [&orgs], |r| r.get(0))
                .map_err(db)?;
            if state == ParticipantState::New {
                tx.execute(
                    "INSERT INTO participants (id, org_id, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![p, orgs, device.to_string(), now],
                )
                .map_err(db)?;
                if let Some(mentor) = assign_to {
                    tx.execute(
                        "INSERT INTO assignments (participant_id, mentor_id) VALUES (?1, ?2)",
                        params![p, mentor.to_string()],
                    )
                    .map_err(db)?;
                }
                tx.execute("UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = ?1", [&orgs])
                    .map_err(db)?;
            } else if current.is_none() {
                // A new document of a known participant changes what devices may hold.
                tx.execute("UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = ?1", [&orgs])
                    .map_err(db)?;
            }
            let raiser = match accepted.raised_by {
                Some(u) => Some(u),
                None => raised_by(&tx, doc)?,
            }
            .map(|u| u.to_string());
            {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO changes (org_id, seq, doc_id, participant_id, kind, device_id, data,
                                              raised_by, user_id, operation, device_time, received_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )
                    .map_err(db)?;
                for change in &accepted.changes {
                    seq += 1;
                    stmt.execute(params![
                        orgs,
                        seq,
                        doc.to_string(),
                        p,
                        doc.kind.as_str(),
                        device.to_string(),
                        change.bytes,
                        raiser,
                        user.to_string(),
                        change.operation.map(|o| o.name()),
                        change.device_time.millis(),
                        now
                    ])
                    .map_err(db)?;
                }
            }
            tx.execute(
                "INSERT INTO documents (doc_id, org_id, participant_id, kind, data, seq, raised_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (doc_id) DO UPDATE SET data = excluded.data, seq = excluded.seq",
                params![doc.to_string(), orgs, p, doc.kind.as_str(), accepted.document, seq, raiser],
            )
            .map_err(db)?;
            tx.execute("UPDATE organisations SET seq = ?2 WHERE id = ?1", params![orgs, seq])
                .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(Pushed::Stored {
                new_changes: accepted.changes.len(),
            })
        })
    }

    fn record_refusal(&self, r: &RefusalRecord) -> Result<()> {
        let why =
            serde_json::to_string(&r.why).map_err(|e| StorageError::Invalid(e.to_string()))?;
        self.write(|tx| {
            let orgs = r.org.to_string();
            let seq: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM refusals WHERE org_id = ?1",
                    [&orgs],
                    |row| row.get(0),
                )
                .map_err(db)?;
            tx.execute(
                "INSERT INTO refusals (org_id, seq, at, user_id, device_id, participant_id, doc_id, kind, label, why)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    orgs,
                    seq,
                    r.at,
                    r.user.to_string(),
                    r.device.to_string(),
                    r.doc.participant.to_string(),
                    r.doc.to_string(),
                    r.doc.kind.as_str(),
                    r.label,
                    why
                ],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn notices(&self, org: OrgId, after: u64, limit: usize) -> Result<Vec<Notice>> {
        self.with(|c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT r.seq, r.at, r.user_id, COALESCE(u.display_name, ''), r.device_id,
                            r.participant_id, r.kind, r.label, r.why
                     FROM refusals r LEFT JOIN users u ON u.id = r.user_id
                     WHERE r.org_id = ?1 AND r.seq > ?2 ORDER BY r.seq LIMIT ?3",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![org.to_string(), after as i64, limit as i64], |r| {
                    Ok(NoticeRow {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        user: r.get(2)?,
                        user_name: r.get(3)?,
                        device: r.get(4)?,
                        participant: r.get(5)?,
                        kind: r.get(6)?,
                        label: r.get(7)?,
                        why: r.get(8)?,
                    })
                })
                .map_err(db)?;
            rows.map(|r| r.map_err(db).and_then(NoticeRow::parse))
                .collect()
        })
    }

    fn history(&self, participant: ParticipantId) -> Result<Vec<HistoryRow>> {
        self.with(|c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT seq, doc_id, user_id, device_id, operation, device_time, received_at
                     FROM changes WHERE participant_id = ?1 ORDER BY seq",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map([participant.to_string()], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                    ))
                })
                .map_err(db)?;
            rows.map(|r| {
                let (seq, doc, user, device, operation, device_time, received_at) =
                    r.map_err(db)?;
                Ok(HistoryRow {
                    seq: seq as u64,
                    doc: doc.parse().map_err(|_| bad("document id"))?,
                    user: user
                        .map(|u| u.parse().map_err(|_| bad("user")))
                        .transpose()?,
                    device: device.parse().map_err(|_| bad("device"))?,
                    operation,
                    device_time,
                    received_at,
                })
            })
            .collect()
        })
    }

    fn documents(&self, docs: &[DocId]) -> Result<Vec<(DocId, Vec<u8>)>> {
        self.with(|c| {
            let mut stmt = c
                .prepare_cached("SELECT data FROM documents WHERE doc_id = ?1")
                .map_err(db)?;
            let mut out = Vec::new();
            for d in docs {
                let data: Option<Vec<u8>> = stmt
                    .query_row([d.to_string()], |r| r.get(0))
                    .optional()
                    .map_err(db)?;
                if let Some(data) = data {
                    out.push((*d, data));
                }
            }
            Ok(out)
        })
    }

    fn log_after(
        &self,
        org: OrgId,
        rule: Rule,
        cursor: u64,
        exclude: DeviceId,
        max_bytes: usize,
    ) -> Result<LogPage> {
        self.read(|tx| {
            let head: i64 = tx
                .query_row(
                    "SELECT seq FROM organisations WHERE id = ?1",
                    [org.to_string()],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let mut page = LogPage {
                changes: Vec::new(),
                cursor: head as u64,
                more: false,
            };
            if head as u64 <= cursor {
                page.cursor = cursor;
                return Ok(page);
            }
            let (cond, param) = sql::holding(Dialect::Sqlite, &rule, 4);
            let sql = format!(
                "SELECT c.seq, c.doc_id, c.data, c.device_id, c.received_at FROM changes c
                 WHERE c.org_id = ?1 AND c.seq > ?2 AND c.seq <= ?3 AND {cond}
                 ORDER BY c.seq LIMIT 2000"
            );
            let mut stmt = tx.prepare(&sql).map_err(db)?;
            let me = exclude.to_string();
            let mut from = cursor as i64;
            let mut size = 0usize;
            loop {
                let mut rows = match &param {
                    Some(p) => stmt.query(params![org.to_string(), from, head, p]),
                    None => stmt.query(params![org.to_string(), from, head]),
                }
                .map_err(db)?;
                let mut n = 0;
                while let Some(row) = rows.next().map_err(db)? {
                    n += 1;
                    let seq: i64 = row.get(0).map_err(db)?;
                    let device: String = row.get(3).map_err(db)?;
                    from = seq;
                    if device == me {
                        continue;
                    }
                    let data: Vec<u8> = row.get(2).map_err(db)?;
                    if !page.changes.is_empty() && size + data.len() > max_bytes {
                        page.cursor = page
                            .changes
                            .last()
                            .map(|c: &LoggedChange| c.seq)
                            .unwrap_or(cursor);
                        page.more = true;
                        return Ok(page);
                    }
                    size += data.len();
                    let doc: String = row.get(1).map_err(db)?;
                    let received_at: Option<i64> = row.get(4).map_err(db)?;
                    page.changes.push(LoggedChange {
                        seq: seq as u64,
                        doc: doc.parse().map_err(|_| bad("document id"))?,
                        data,
                        received_at: received_at.unwrap_or(0),
                    });
                }
                if n < 2000 {
                    return Ok(page);
                }
            }
        })
    }

    people::storage_methods!();
}

fn insert_device(tx: &Transaction<'_>, device: &Device, token_hash: &[u8]) -> Result<()> {
    tx.execute(
        "INSERT INTO devices (id, user_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            device.id.to_string(),
            device.user.to_string(),
            device.name,
            token_hash,
            device.created_at
        ],
    )
    .map_err(db)?;
    Ok(())
}
