//! PostgreSQL storage, for larger charities: several server instances can run against one
//! database. Writes to an organisation's log take the organisation's row lock, so change
//! numbers are committed in order whichever instance writes; reads of the log run in one
//! repeatable-read snapshot.

use std::sync::Mutex;

use ::postgres::{Client, IsolationLevel, NoTls, Row, Transaction};
use onward_core::document::DocId;
use onward_core::ids::{DeviceId, ParticipantId, UserId};

use super::sql::{self, Dialect, NoticeRow};
use super::*;
use onward_core::policy::Reach;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_people.sql"),
    include_str!("../../migrations/postgres/0003_judging.sql"),
    include_str!("../../migrations/postgres/0004_office.sql"),
];

/// How many connections each server instance keeps open.
const POOL: usize = 8;

/// PostgreSQL storage.
pub struct Postgres {
    url: String,
    pool: Mutex<Vec<Client>>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres").finish_non_exhaustive()
    }
}

fn db(e: ::postgres::Error) -> StorageError {
    // The driver's messages name tables and constraints, never values.
    StorageError::Database(e.to_string())
}

fn bad(what: &str) -> StorageError {
    StorageError::Database(format!("a stored {what} could not be read"))
}

fn parse<T: std::str::FromStr>(s: &str, what: &str) -> Result<T> {
    s.parse().map_err(|_| bad(what))
}

impl Postgres {
    /// Connects to `url` (`postgres://USER:PASSWORD@HOST:PORT/DB`) and brings the schema up to
    /// date. Instances starting together take turns (an advisory lock).
    pub fn open(url: &str) -> Result<Self> {
        let s = Postgres {
            url: url.to_string(),
            pool: Mutex::new(Vec::new()),
        };
        let mut client = s.connect()?;
        let mut tx = client.transaction().map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock(4242424242)", &[])
            .map_err(db)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS onward_schema (version BIGINT NOT NULL)")
            .map_err(db)?;
        let version: i64 = tx
            .query_opt("SELECT version FROM onward_schema", &[])
            .map_err(db)?
            .map(|r| r.get(0))
            .unwrap_or(0);
        if version as usize > MIGRATIONS.len() {
            return Err(StorageError::Invalid(format!(
                "the database was made by a newer Onward server (schema {version}); upgrade this server"
            )));
        }
        for sql in MIGRATIONS.iter().skip(version as usize) {
            tx.batch_execute(sql).map_err(db)?;
        }
        tx.execute("DELETE FROM onward_schema", &[]).map_err(db)?;
        tx.execute(
            "INSERT INTO onward_schema (version) VALUES ($1)",
            &[&(MIGRATIONS.len() as i64)],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        s.put(client);
        Ok(s)
    }

    fn connect(&self) -> Result<Client> {
        Client::connect(&self.url, NoTls)
            .map_err(|e| StorageError::Database(format!("could not connect to PostgreSQL: {e}")))
    }

    fn take(&self) -> Result<Client> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) if !c.is_closed() => Ok(c),
            _ => self.connect(),
        }
    }

    fn put(&self, client: Client) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOL && !client.is_closed() {
            pool.push(client);
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        let mut client = self.take()?;
        let out = f(&mut client);
        self.put(client);
        out
    }

    fn write<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        self.with(|c| {
            let mut tx = c.transaction().map_err(db)?;
            let out = f(&mut tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }

    fn read<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        self.with(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(db)?;
            let out = f(&mut tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }
}

/// A PostgreSQL client or transaction, for the SQL both backends share.
struct Pg<'a, C: ::postgres::GenericClient>(&'a mut C);

fn pg_params(params: &[people::Param]) -> Vec<&(dyn ::postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn ::postgres::types::ToSql + Sync) {
            match p {
                people::Param::Int(v) => v,
                people::Param::Text(v) => v,
                people::Param::Bytes(v) => v,
            }
        })
        .collect()
}

fn pg_row(r: &Row) -> Result<people::Row> {
    use ::postgres::types::Type;
    let mut cells = Vec::with_capacity(r.len());
    for (i, column) in r.columns().iter().enumerate() {
        let t = column.type_();
        let cell = if *t == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)
                .map(|v| v.map(people::Cell::Int))
        } else if *t == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)
                .map(|v| v.map(|v| people::Cell::Int(v.into())))
        } else if *t == Type::TEXT || *t == Type::VARCHAR {
            r.try_get::<_, Option<String>>(i)
                .map(|v| v.map(people::Cell::Text))
        } else {
            Ok(None)
        }
        .map_err(db)?;
        cells.push(cell.unwrap_or(people::Cell::Null));
    }
    Ok(people::Row(cells))
}

impl<C: ::postgres::GenericClient> people::Sql for Pg<'_, C> {
    fn execute(&mut self, sql: &str, params: &[people::Param]) -> Result<u64> {
        self.0.execute(sql, &pg_params(params)).map_err(db)
    }

    fn query(&mut self, sql: &str, params: &[people::Param]) -> Result<Vec<people::Row>> {
        self.0
            .query(sql, &pg_params(params))
            .map_err(db)?
            .iter()
            .map(pg_row)
            .collect()
    }

    fn for_update(&self) -> &'static str {
        " FOR UPDATE"
    }
}

impl Postgres {
    /// Runs shared SQL in a write transaction.
    fn people_write<T>(&self, f: impl FnOnce(&mut dyn people::Sql) -> Result<T>) -> Result<T> {
        self.write(|tx| f(&mut Pg(tx)))
    }

    /// Runs shared SQL on a connection.
    fn people_read<T>(&self, f: impl FnOnce(&mut dyn people::Sql) -> Result<T>) -> Result<T> {
        self.with(|c| f(&mut Pg(c)))
    }
}

const USER_COLUMNS: &str =
    "id, org_id, role, display_name, username, cleared, participant_id, password_hash";

fn user_row(r: &Row) -> Result<(User, Option<String>)> {
    let participant: Option<String> = r.get(6);
    Ok((
        User {
            id: parse(r.get::<_, &str>(0), "user")?,
            org: parse(r.get::<_, &str>(1), "organisation")?,
            role: parse(r.get::<_, &str>(2), "role")?,
            display_name: r.get(3),
            username: r.get(4),
            cleared: r.get::<_, i64>(5) != 0,
            participant: participant.map(|p| parse(&p, "participant")).transpose()?,
        },
        r.get(7),
    ))
}

const DEVICE_COLUMNS: &str = "d.id, d.user_id, d.name, d.created_at, d.last_seen, d.revoked_at";

fn device_row(r: &Row) -> Result<Device> {
    Ok(Device {
        id: parse(r.get::<_, &str>(0), "device")?,
        user: parse(r.get::<_, &str>(1), "user")?,
        name: r.get(2),
        created_at: r.get(3),
        last_seen: r.get(4),
        revoked_at: r.get(5),
    })
}

/// Whether `rule` reaches `participant` (a participant of `org` within the person's reach).
fn reaches(
    tx: &mut impl ::postgres::GenericClient,
    org: OrgId,
    rule: Rule,
    participant: ParticipantId,
) -> Result<bool> {
    let p = participant.to_string();
    Ok(match rule.holding.reach {
        Reach::Organisation => tx
            .query_opt(
                "SELECT 1 FROM participants WHERE id = $1 AND org_id = $2",
                &[&p, &org.to_string()],
            )
            .map_err(db)?
            .is_some(),
        Reach::Assigned => tx
            .query_opt(
                "SELECT 1 FROM assignments WHERE participant_id = $1 AND mentor_id = $2",
                &[&p, &rule.user.to_string()],
            )
            .map_err(db)?
            .is_some(),
        Reach::Own(own) => own == participant,
        Reach::Nobody => false,
    })
}

/// Who raised a stored concern document (`None` for other documents or one not stored).
fn raised_by(tx: &mut impl ::postgres::GenericClient, doc: DocId) -> Result<Option<UserId>> {
    if doc.kind != DocKind::Concern {
        return Ok(None);
    }
    let row = tx
        .query_opt(
            "SELECT raised_by FROM documents WHERE doc_id = $1",
            &[&doc.to_string()],
        )
        .map_err(db)?;
    row.and_then(|r| r.get::<_, Option<String>>(0))
        .map(|u| parse(&u, "concern raiser"))
        .transpose()
}

fn holds_in(
    tx: &mut impl ::postgres::GenericClient,
    org: OrgId,
    rule: Rule,
    doc: DocId,
) -> Result<bool> {
    Ok(reaches(tx, org, rule, doc.participant)? && rule.allows(doc.kind, raised_by(tx, doc)?))
}

fn bump_scope(tx: &mut Transaction<'_>, org: &str) -> Result<()> {
    tx.execute(
        "UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = $1",
        &[&org],
    )
    .map_err(db)?;
    Ok(())
}

fn insert_device(tx: &mut Transaction<'_>, device: &Device, token_hash: &[u8]) -> Result<()> {
    tx.execute(
        "INSERT INTO devices (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[
            &device.id.to_string(),
            &device.user.to_string(),
            &device.name,
            &token_hash,
            &device.created_at,
        ],
    )
    .map_err(db)?;
    Ok(())
}

impl Storage for Postgres {
    fn create_org(&self, name: &str, now: i64) -> Result<Organisation> {
        let org = Organisation {
            id: Uuid::now_v7(),
            name: name.trim().to_string(),
        };
        self.write(|tx| {
            if tx
                .query_opt("SELECT 1 FROM organisations WHERE name = $1", &[&org.name])
                .map_err(db)?
                .is_some()
            {
                return Err(StorageError::Invalid(format!(
                    "an organisation called '{}' already exists",
                    org.name
                )));
            }
            tx.execute(
                "INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)",
                &[&org.id.to_string(), &org.name, &now],
            )
            .map_err(db)?;
            Ok(())
        })?;
        Ok(org)
    }

    fn org_by_name(&self, name: &str) -> Result<Option<Organisation>> {
        self.with(|c| {
            c.query_opt(
                "SELECT id, name FROM organisations WHERE name = $1",
                &[&name.trim()],
            )
            .map_err(db)?
            .map(|r| {
                Ok(Organisation {
                    id: parse(r.get::<_, &str>(0), "organisation")?,
                    name: r.get(1),
                })
            })
            .transpose()
        })
    }

    fn organisation(&self, id: OrgId) -> Result<Option<Organisation>> {
        self.with(|c| {
            Ok(c.query_opt(
                "SELECT name FROM organisations WHERE id = $1",
                &[&id.to_string()],
            )
            .map_err(db)?
            .map(|r| Organisation { id, name: r.get(0) }))
        })
    }

    fn add_user(&self, u: &User, password_hash: Option<&str>, now: i64) -> Result<()> {
        self.write(|tx| {
            if let Some(name) = &u.username
                && tx
                    .query_opt("SELECT 1 FROM users WHERE username = $1", &[name])
                    .map_err(db)?
                    .is_some()
            {
                return Err(StorageError::Invalid(format!(
                    "the username '{name}' is taken"
                )));
            }
            tx.execute(
                "INSERT INTO users (id, org_id, role, display_name, username, password_hash, cleared, participant_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &u.id.to_string(),
                    &u.org.to_string(),
                    &u.role.as_str(),
                    &u.display_name,
                    &u.username,
                    &password_hash,
                    &(u.cleared as i64),
                    &u.participant.map(|p| p.to_string()),
                    &now,
                ],
            )
            .map_err(db)?;
            bump_scope(tx, &u.org.to_string())
        })
    }

    fn user(&self, id: UserId) -> Result<Option<User>> {
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                &[&id.to_string()],
            )
            .map_err(db)?
            .map(|r| user_row(&r).map(|(u, _)| u))
            .transpose()
        })
    }

    fn users(&self, org: OrgId) -> Result<Vec<User>> {
        self.with(|c| {
            c.query(
                &format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 ORDER BY role, display_name"
                ),
                &[&org.to_string()],
            )
            .map_err(db)?
            .iter()
            .map(|r| user_row(r).map(|(u, _)| u))
            .collect()
        })
    }

    fn user_by_username(&self, username: &str) -> Result<Option<(User, Option<String>)>> {
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"),
                &[&username],
            )
            .map_err(db)?
            .map(|r| user_row(&r))
            .transpose()
        })
    }

    fn set_password_hash(&self, user: UserId, hash: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE users SET password_hash = $2 WHERE id = $1",
                    &[&user.to_string(), &hash],
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
            let org: String = tx
                .query_opt(
                    "SELECT org_id FROM participants WHERE id = $1",
                    &[&participant.to_string()],
                )
                .map_err(db)?
                .ok_or(StorageError::NotFound("the participant"))?
                .get(0);
            let mentor_org: Option<String> = tx
                .query_opt("SELECT org_id FROM users WHERE id = $1", &[&mentor.to_string()])
                .map_err(db)?
                .map(|r| r.get(0));
            if mentor_org.as_deref() != Some(org.as_str()) {
                return Err(StorageError::NotFound("the mentor (in this organisation)"));
            }
            // The organisation's row lock orders this with pushes.
            tx.execute("SELECT 1 FROM organisations WHERE id = $1 FOR UPDATE", &[&org])
                .map_err(db)?;
            let sql = if assigned {
                "INSERT INTO assignments (participant_id, mentor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM assignments WHERE participant_id = $1 AND mentor_id = $2"
            };
            tx.execute(sql, &[&participant.to_string(), &mentor.to_string()])
                .map_err(db)?;
            bump_scope(tx, &org)
        })
    }

    fn assignments(&self, participant: ParticipantId) -> Result<Vec<UserId>> {
        self.with(|c| {
            c.query(
                "SELECT mentor_id FROM assignments WHERE participant_id = $1 ORDER BY mentor_id",
                &[&participant.to_string()],
            )
            .map_err(db)?
            .iter()
            .map(|r| parse(r.get::<_, &str>(0), "assignment"))
            .collect()
        })
    }

    fn participants(&self, org: OrgId) -> Result<Vec<ParticipantId>> {
        self.with(|c| {
            c.query(
                "SELECT id FROM participants WHERE org_id = $1 ORDER BY id",
                &[&org.to_string()],
            )
            .map_err(db)?
            .iter()
            .map(|r| parse(r.get::<_, &str>(0), "participant"))
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
                "INSERT INTO enrolment_codes (code_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
                &[&code_hash, &user.to_string(), &expires_at, &now],
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
                .query_opt(
                    "UPDATE enrolment_codes SET used_at = $2
                     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
                     RETURNING user_id",
                    &[&code_hash, &now],
                )
                .map_err(db)?
                .map(|r| r.get(0));
            let Some(user) = user else { return Ok(None) };
            let row = tx
                .query_one(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                    &[&user],
                )
                .map_err(db)?;
            let (found, _) = user_row(&row)?;
            let device = Device {
                id: device,
                user: found.id,
                name: device_name.to_string(),
                created_at: now,
                last_seen: None,
                revoked_at: None,
            };
            insert_device(tx, &device, token_hash)?;
            Ok(Some(found))
        })
    }

    fn add_device(&self, device: &Device, token_hash: &[u8]) -> Result<()> {
        self.write(|tx| insert_device(tx, device, token_hash))
    }

    fn devices(&self, org: OrgId) -> Result<Vec<Device>> {
        self.with(|c| {
            c.query(
                &format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.user_id
                     WHERE u.org_id = $1 ORDER BY d.created_at"
                ),
                &[&org.to_string()],
            )
            .map_err(db)?
            .iter()
            .map(device_row)
            .collect()
        })
    }

    fn revoke_device(&self, device: DeviceId, now: i64) -> Result<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
                    &[&device.to_string(), &now],
                )
                .map_err(db)?;
            Ok(n > 0)
        })
    }

    fn token_owner(&self, token_hash: &[u8], now: i64) -> Result<TokenOwner> {
        self.with(|c| {
            let Some(row) = c
                .query_opt(
                    &format!("SELECT {DEVICE_COLUMNS} FROM devices d WHERE d.token_hash = $1"),
                    &[&token_hash],
                )
                .map_err(db)?
            else {
                return Ok(TokenOwner::Unknown);
            };
            let device = device_row(&row)?;
            if device.revoked_at.is_some() {
                return Ok(TokenOwner::Revoked);
            }
            c.execute(
                "UPDATE devices SET last_seen = $2::BIGINT WHERE id = $1 AND (last_seen IS NULL OR last_seen < $2::BIGINT - 60000)",
                &[&device.id.to_string(), &now],
            )
            .map_err(db)?;
            let row = c
                .query_one(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                    &[&device.user.to_string()],
                )
                .map_err(db)?;
            Ok(TokenOwner::Active(device, user_row(&row)?.0))
        })
    }

    fn position(&self, org: OrgId) -> Result<(u64, u64)> {
        self.with(|c| {
            let r = c
                .query_one(
                    "SELECT seq, scope_seq FROM organisations WHERE id = $1",
                    &[&org.to_string()],
                )
                .map_err(db)?;
            Ok((r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64))
        })
    }

    fn scope(&self, org: OrgId, rule: Rule) -> Result<(u64, Vec<DocId>)> {
        self.read(|tx| {
            let scope_seq: i64 = tx
                .query_one(
                    "SELECT scope_seq FROM organisations WHERE id = $1",
                    &[&org.to_string()],
                )
                .map_err(db)?
                .get(0);
            let (cond, param) = sql::holding(Dialect::Postgres, &rule, 2);
            let sql = format!("SELECT c.doc_id FROM documents c WHERE c.org_id = $1 AND {cond}");
            let orgs = org.to_string();
            let rows = match &param {
                Some(p) => tx.query(&sql, &[&orgs, p]),
                None => tx.query(&sql, &[&orgs]),
            }
            .map_err(db)?;
            let docs = rows
                .iter()
                .map(|r| parse(r.get::<_, &str>(0), "document id"))
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
            let mut tx = c.transaction().map_err(db)?;
            let orgs = org.to_string();
            // Every write to the organisation's log takes its row lock: change numbers are
            // committed in order, whichever server instance writes.
            let mut seq: i64 = tx
                .query_one("SELECT seq FROM organisations WHERE id = $1 FOR UPDATE", &[&orgs])
                .map_err(db)?
                .get(0);
            let p = doc.participant.to_string();
            let owner: Option<String> = tx
                .query_opt("SELECT org_id FROM participants WHERE id = $1", &[&p])
                .map_err(db)?
                .map(|r| r.get(0));
            let state = match owner {
                None => ParticipantState::New,
                Some(o) if o != orgs => ParticipantState::NotTheirs,
                Some(_) if !reaches(&mut tx, org, rule, doc.participant)? => {
                    ParticipantState::NotTheirs
                }
                Some(_) if rule.allows(doc.kind, raised_by(&mut tx, doc)?) => {
                    ParticipantState::Holdable
                }
                Some(_) => ParticipantState::KindNotAllowed,
            };
            let current: Option<Vec<u8>> = tx
                .query_opt("SELECT data FROM documents WHERE doc_id = $1", &[&doc.to_string()])
                .map_err(db)?
                .map(|r| r.get(0));
            let notes: Option<Vec<u8>> = if doc.kind == DocKind::Plan {
                tx.query_opt(
                    "SELECT data FROM documents WHERE doc_id = $1",
                    &[&DocId::new(doc.participant, DocKind::Notes).to_string()],
                )
                .map_err(db)?
                .map(|r| r.get(0))
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
            if state == ParticipantState::New {
                tx.execute(
                    "INSERT INTO participants (id, org_id, created_by, created_at) VALUES ($1, $2, $3, $4)",
                    &[&p, &orgs, &device.to_string(), &now],
                )
                .map_err(db)?;
                if let Some(mentor) = assign_to {
                    tx.execute(
                        "INSERT INTO assignments (participant_id, mentor_id) VALUES ($1, $2)",
                        &[&p, &mentor.to_string()],
                    )
                    .map_err(db)?;
                }
                bump_scope(&mut tx, &orgs)?;
            } else if current.is_none() {
                bump_scope(&mut tx, &orgs)?;
            }
            let raiser = match accepted.raised_by {
                Some(u) => Some(u),
                None => raised_by(&mut tx, doc)?,
            }
            .map(|u| u.to_string());
            let insert = tx
                .prepare(
                    "INSERT INTO changes (org_id, seq, doc_id, participant_id, kind, device_id, data,
                                          raised_by, user_id, operation, device_time, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .map_err(db)?;
            let (doc_s, kind_s, device_s) = (doc.to_string(), doc.kind.as_str(), device.to_string());
            let user_s = user.to_string();
            for change in &accepted.changes {
                seq += 1;
                let operation = change.operation.map(|o| o.name());
                let device_time = change.device_time.millis();
                tx.execute(
                    &insert,
                    &[
                        &orgs,
                        &seq,
                        &doc_s,
                        &p,
                        &kind_s,
                        &device_s,
                        &change.bytes,
                        &raiser,
                        &user_s,
                        &operation,
                        &device_time,
                        &now,
                    ],
                )
                .map_err(db)?;
            }
            tx.execute(
                "INSERT INTO documents (doc_id, org_id, participant_id, kind, data, seq, raised_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (doc_id) DO UPDATE SET data = excluded.data, seq = excluded.seq",
                &[&doc_s, &orgs, &p, &kind_s, &accepted.document, &seq, &raiser],
            )
            .map_err(db)?;
            tx.execute("UPDATE organisations SET seq = $2 WHERE id = $1", &[&orgs, &seq])
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
            // The organisation's row lock numbers refusals in order across server instances.
            tx.execute("SELECT 1 FROM organisations WHERE id = $1 FOR UPDATE", &[&orgs])
                .map_err(db)?;
            let seq: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM refusals WHERE org_id = $1",
                    &[&orgs],
                )
                .map_err(db)?
                .get(0);
            tx.execute(
                "INSERT INTO refusals (org_id, seq, at, user_id, device_id, participant_id, doc_id, kind, label, why)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &orgs,
                    &seq,
                    &r.at,
                    &r.user.to_string(),
                    &r.device.to_string(),
                    &r.doc.participant.to_string(),
                    &r.doc.to_string(),
                    &r.doc.kind.as_str(),
                    &r.label,
                    &why,
                ],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn notices(&self, org: OrgId, after: u64, limit: usize) -> Result<Vec<Notice>> {
        self.with(|c| {
            let rows = c
                .query(
                    "SELECT r.seq, r.at, r.user_id, COALESCE(u.display_name, ''), r.device_id,
                            r.participant_id, r.kind, r.label, r.why
                     FROM refusals r LEFT JOIN users u ON u.id = r.user_id
                     WHERE r.org_id = $1 AND r.seq > $2 ORDER BY r.seq LIMIT $3",
                    &[&org.to_string(), &(after as i64), &(limit as i64)],
                )
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    NoticeRow {
                        seq: r.get(0),
                        at: r.get(1),
                        user: r.get(2),
                        user_name: r.get(3),
                        device: r.get(4),
                        participant: r.get(5),
                        kind: r.get(6),
                        label: r.get(7),
                        why: r.get(8),
                    }
                    .parse()
                })
                .collect()
        })
    }

    fn history(&self, participant: ParticipantId) -> Result<Vec<HistoryRow>> {
        self.with(|c| {
            let rows = c
                .query(
                    "SELECT seq, doc_id, user_id, device_id, operation, device_time, received_at
                     FROM changes WHERE participant_id = $1 ORDER BY seq",
                    &[&participant.to_string()],
                )
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    Ok(HistoryRow {
                        seq: r.get::<_, i64>(0) as u64,
                        doc: parse(r.get::<_, &str>(1), "document id")?,
                        user: r
                            .get::<_, Option<String>>(2)
                            .map(|u| parse(&u, "user"))
                            .transpose()?,
                        device: parse(r.get::<_, &str>(3), "device")?,
                        operation: r.get(4),
                        device_time: r.get(5),
                        received_at: r.get(6),
                    })
                })
                .collect()
        })
    }

    fn documents(&self, docs: &[DocId]) -> Result<Vec<(DocId, Vec<u8>)>> {
        self.with(|c| {
            let ids: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
            let rows = c
                .query(
                    "SELECT doc_id, data FROM documents WHERE doc_id = ANY($1)",
                    &[&ids],
                )
                .map_err(db)?;
            let mut found: std::collections::HashMap<String, Vec<u8>> =
                rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            Ok(docs
                .iter()
                .filter_map(|d| found.remove(&d.to_string()).map(|data| (*d, data)))
                .collect())
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
            let orgs = org.to_string();
            let head: i64 = tx
                .query_one("SELECT seq FROM organisations WHERE id = $1", &[&orgs])
                .map_err(db)?
                .get(0);
            let mut page = LogPage {
                changes: Vec::new(),
                cursor: head as u64,
                more: false,
            };
            if head as u64 <= cursor {
                page.cursor = cursor;
                return Ok(page);
            }
            let (cond, param) = sql::holding(Dialect::Postgres, &rule, 4);
            let sql = format!(
                "SELECT c.seq, c.doc_id, c.data, c.device_id, c.received_at FROM changes c
                 WHERE c.org_id = $1 AND c.seq > $2 AND c.seq <= $3 AND {cond}
                 ORDER BY c.seq LIMIT 2000"
            );
            let me = exclude.to_string();
            let mut from = cursor as i64;
            let mut size = 0usize;
            loop {
                let rows = match &param {
                    Some(p) => tx.query(&sql, &[&orgs, &from, &head, p]),
                    None => tx.query(&sql, &[&orgs, &from, &head]),
                }
                .map_err(db)?;
                for row in &rows {
                    let seq: i64 = row.get(0);
                    from = seq;
                    if row.get::<_, &str>(3) == me {
                        continue;
                    }
                    let data: Vec<u8> = row.get(2);
                    if !page.changes.is_empty() && size + data.len() > max_bytes {
                        page.cursor = page.changes.last().map(|c| c.seq).unwrap_or(cursor);
                        page.more = true;
                        return Ok(page);
                    }
                    size += data.len();
                    page.changes.push(LoggedChange {
                        seq: seq as u64,
                        doc: parse(row.get::<_, &str>(1), "document id")?,
                        data,
                        received_at: row.get::<_, Option<i64>>(4).unwrap_or(0),
                    });
                }
                if rows.len() < 2000 {
                    return Ok(page);
                }
            }
        })
    }

    people::storage_methods!();
}
