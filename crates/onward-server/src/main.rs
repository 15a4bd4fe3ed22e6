//! `onward-server`: runs the charity's sync server and its admin commands.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use onward_core::ids::{DeviceId, ParticipantId, UserId};
use onward_core::time::Timestamp;
use onward_core::vocab::Role;
use onward_server::admin::{self, NewUser};
use onward_server::settings::{Settings, redact_url};
use onward_server::signin::Guard;
use onward_server::storage::postgres::Postgres;
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Revocation, Storage, StorageError};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "onward-server",
    version,
    about = "The charity's Onward sync server and its admin commands."
)]
struct Cli {
    /// A TOML settings file (see `onward-server print-config`).
    #[arg(long, global = true, env = "ONWARD_CONFIG")]
    config: Option<PathBuf>,
    /// Print the result as one line of JSON (errors too, on standard error).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server until interrupted (Ctrl-C or SIGTERM finish requests in flight).
    Serve,
    /// Print an example settings file with every default.
    PrintConfig,
    /// Create an organisation.
    CreateOrg { name: String },
    /// Add a user to an organisation.
    AddUser {
        #[arg(long)]
        org: String,
        /// coordinator, mentor, peer-mentor or participant.
        #[arg(long)]
        role: Role,
        /// The name shown in the app.
        #[arg(long)]
        name: String,
        /// A username for password sign-in (optional: enrolment codes need none).
        #[arg(long)]
        username: Option<String>,
        /// Read a password for sign-in from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// A mentor cleared to hold Restricted documents (referral, risk, safeguarding).
        #[arg(long)]
        cleared: bool,
        /// For a participant's own account: their record's id.
        #[arg(long)]
        participant: Option<ParticipantId>,
    },
    /// List an organisation's users, with whether each account is on or disabled.
    Users {
        #[arg(long)]
        org: String,
    },
    /// Assign a mentor to a participant.
    Assign {
        #[arg(long)]
        participant: ParticipantId,
        #[arg(long)]
        mentor: UserId,
    },
    /// Take a mentor off a participant: their devices delete the record at their next sync.
    Unassign {
        #[arg(long)]
        participant: ParticipantId,
        #[arg(long)]
        mentor: UserId,
    },
    /// List an organisation's participants and their mentors.
    Participants {
        #[arg(long)]
        org: String,
    },
    /// Issue a one-time enrolment code for a user's tablet. The code is shown once; it is
    /// listed and cancelled afterwards by the short id printed with it.
    EnrolCode {
        #[arg(long)]
        user: UserId,
        /// How long the code stays valid (default from the settings).
        #[arg(long)]
        hours: Option<u32>,
    },
    /// List enrolment codes that could still enrol a tablet (unused, not cancelled, not
    /// expired), by short id: the codes themselves are never stored.
    Codes {
        /// Every code of this organisation.
        #[arg(long, required_unless_present = "user")]
        org: Option<String>,
        /// Only this user's codes.
        #[arg(long)]
        user: Option<UserId>,
    },
    /// Cancel an unused enrolment code by its short id (from enrol-code or codes).
    CancelCode { id: String },
    /// List an organisation's devices.
    Devices {
        #[arg(long)]
        org: String,
    },
    /// Revoke a device, or with --user every device of a user: they can no longer sync, and
    /// delete their records at their next contact. The person can still enrol a new device;
    /// to stop the person, use disable-user.
    Revoke {
        #[arg(required_unless_present = "user", conflicts_with = "user")]
        device: Option<DeviceId>,
        /// Every device of this user.
        #[arg(long)]
        user: Option<UserId>,
    },
    /// Turn a user's account off: they are refused sign-in and enrolment, every device they
    /// have is revoked (each deletes its records at its next contact) and their unused codes
    /// are cancelled.
    DisableUser {
        #[arg(long)]
        user: UserId,
    },
    /// Turn a disabled account back on. Devices revoked when it was turned off stay revoked:
    /// the person enrols again with a new code or their password.
    EnableUser {
        #[arg(long)]
        user: UserId,
    },
    /// Change a staff member's role (coordinator, mentor or peer-mentor). Their devices gain
    /// or lose records at their next sync. Coordinators are always cleared for Restricted
    /// records and peer mentors never; someone becoming a mentor starts uncleared unless
    /// --cleared is given (a mentor keeps their clearance).
    SetRole {
        #[arg(long)]
        user: UserId,
        #[arg(long)]
        role: Role,
        /// Clear a new mentor for Restricted records (referral, consent, contacts).
        #[arg(long)]
        cleared: bool,
    },
    /// Give a mentor clearance for Restricted records (referral, consent, contacts) or take it
    /// away. Their devices gain or lose those records at their next sync.
    SetClearance {
        #[arg(long)]
        user: UserId,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        clearance: String,
    },
    /// Replace a user's password: read from standard input with --password-stdin, otherwise
    /// generated and printed once. Devices already enrolled keep working; revoke them too
    /// (revoke --user) if someone else may know the old password.
    ResetPassword {
        #[arg(long)]
        user: UserId,
        /// Read the new password (at least 10 characters) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show the admin log: every admin change, when, to whom and by which operating-system
    /// user, oldest first.
    AdminLog {
        /// Only this organisation's lines.
        #[arg(long)]
        org: Option<String>,
        /// How many of the latest lines.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Show every stored change of a participant's record: which document, who pushed it from
    /// which tablet, what it did (as the server judged it), the time the tablet gave it and when
    /// the server received it. Never the contents.
    History {
        /// The participant's id.
        #[arg(long)]
        participant: ParticipantId,
    },
    /// Show the changes the server refused: when, whose tablet, which record, what the change
    /// said it was and why it was refused. Never the contents.
    Refusals {
        /// The organisation's name.
        #[arg(long)]
        org: String,
        /// How many of the latest.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Create a synthetic demo organisation with sign-ins for trying Onward out. Never on a
    /// server with real records.
    SeedDemo {
        /// The demo organisation's name.
        #[arg(long, default_value = "Demo Mentoring Charity")]
        org: String,
        /// How many made-up participants, shared between the demo mentors.
        #[arg(long, default_value_t = 60)]
        participants: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                eprintln!("{}", json!({ "error": format!("{e:#}") }));
            } else {
                eprintln!("error: {e:#}");
            }
            match e.downcast_ref::<StorageError>() {
                Some(StorageError::Invalid(_)) => ExitCode::from(2),
                Some(StorageError::NotFound(_)) => ExitCode::from(4),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref()).map_err(anyhow::Error::msg)?;
    if let Command::PrintConfig = cli.command {
        print!("{}", Settings::example());
        return Ok(());
    }
    // The storage is chosen once, from the database URL.
    let url = settings.database_url.trim().to_string();
    let opened = |e: StorageError| {
        anyhow::anyhow!("could not open the database at {}: {e}", redact_url(&url))
    };
    if let Some(path) = url.strip_prefix("sqlite://") {
        let storage = Sqlite::open(std::path::Path::new(path)).map_err(opened)?;
        launch(Arc::new(storage), settings, cli.command, cli.json)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let storage = Postgres::open(&url).map_err(opened)?;
        launch(Arc::new(storage), settings, cli.command, cli.json)
    } else {
        bail!(
            "the database URL must start with sqlite:// or postgres:// (it was {})",
            redact_url(&url)
        )
    }
}

fn launch<S: Storage>(
    storage: Arc<S>,
    settings: Settings,
    command: Command,
    json: bool,
) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(storage, settings),
        command => {
            let out = admin_command(&*storage, &settings, command)?;
            if json {
                println!("{}", out.json);
            } else {
                if !out.text.is_empty() {
                    println!("{}", out.text.trim_end());
                }
                if let Some(note) = out.note {
                    eprintln!("{note}");
                }
            }
            Ok(())
        }
    }
}

fn serve<S: Storage>(storage: Arc<S>, settings: Settings) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_max_level(match settings.log.as_str() {
            "error" => tracing::Level::ERROR,
            "warn" => tracing::Level::WARN,
            "debug" => tracing::Level::DEBUG,
            _ => tracing::Level::INFO,
        })
        .with_target(false)
        .init();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("could not listen on {}", settings.listen))?;
        tracing::info!(
            listen = %listener.local_addr()?,
            database = %redact_url(&settings.database_url),
            trusted_proxies = ?settings.trusted_proxies,
            "onward-server ready"
        );
        let guard = Arc::new(Guard::new(
            settings.trusted_proxies.clone(),
            onward_server::http::concurrent_password_checks(),
        ));
        onward_server::serve(storage, listener, guard, shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// What an admin command prints: one JSON value with `--json`; otherwise `text` on standard
/// output and `note` (meant for the person, not for a pipe) on standard error.
struct Out {
    json: Value,
    text: String,
    note: Option<String>,
}

impl Out {
    fn new(json: Value, text: impl Into<String>) -> Self {
        Out {
            json,
            text: text.into(),
            note: None,
        }
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

fn time(ms: i64) -> String {
    Timestamp::from_millis(ms).to_string()
}

fn cleared_mark(role: Role, cleared: bool) -> &'static str {
    if cleared && role == Role::Mentor {
        "  (cleared)"
    } else {
        ""
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut p = String::new();
    std::io::stdin().read_to_string(&mut p)?;
    Ok(p.trim_end_matches(['\r', '\n']).to_string())
}

fn admin_command(
    storage: &dyn Storage,
    settings: &Settings,
    command: Command,
) -> anyhow::Result<Out> {
    Ok(match command {
        Command::CreateOrg { name } => {
            let org = admin::create_org(storage, &name)?;
            Out::new(
                json!({ "id": org.id, "name": org.name }),
                format!("created organisation '{}' ({})", org.name, org.id),
            )
        }
        Command::AddUser {
            org,
            role,
            name,
            username,
            password_stdin,
            cleared,
            participant,
        } => {
            let org = admin::org(storage, &org)?;
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let user = admin::add_user(
                storage,
                &org,
                NewUser {
                    role: Some(role),
                    display_name: name,
                    username,
                    password,
                    cleared,
                    participant,
                },
            )?;
            Out::new(
                json!({ "id": user.id, "role": user.role, "cleared": user.cleared }),
                user.id.to_string(),
            )
        }
        Command::Users { org } => {
            let org = admin::org(storage, &org)?;
            let people = storage.people(org.id)?;
            let mut text = String::new();
            for p in &people {
                let u = &p.user;
                text += &format!(
                    "{}  {:<12} {:<9} {}{}\n",
                    u.id,
                    u.role.as_str(),
                    if p.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    },
                    u.display_name,
                    cleared_mark(u.role, u.cleared)
                );
            }
            let list: Vec<Value> = people
                .iter()
                .map(|p| {
                    json!({
                        "id": p.user.id,
                        "role": p.user.role,
                        "name": p.user.display_name,
                        "username": p.user.username.is_some(),
                        "cleared": p.user.cleared,
                        "participant": p.user.participant,
                        "disabled": p.disabled_at.is_some(),
                        "disabled_at": p.disabled_at.map(time),
                    })
                })
                .collect();
            Out::new(json!({ "users": list }), text)
        }
        Command::Assign {
            participant,
            mentor,
        } => {
            admin::assign(storage, participant, mentor, true)?;
            Out::new(
                json!({ "participant": participant, "mentor": mentor, "assigned": true }),
                "assigned",
            )
        }
        Command::Unassign {
            participant,
            mentor,
        } => {
            admin::assign(storage, participant, mentor, false)?;
            Out::new(
                json!({ "participant": participant, "mentor": mentor, "assigned": false }),
                "unassigned: the mentor's devices remove the record at their next sync",
            )
        }
        Command::Participants { org } => {
            let org = admin::org(storage, &org)?;
            let mut text = String::new();
            let mut list = Vec::new();
            for p in storage.participants(org.id)? {
                let mentors = storage.assignments(p)?;
                let names: Vec<String> = mentors.iter().map(|m| m.to_string()).collect();
                text += &format!(
                    "{p}  mentors: {}\n",
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                );
                list.push(json!({ "id": p, "mentors": mentors }));
            }
            Out::new(json!({ "participants": list }), text)
        }
        Command::EnrolCode { user, hours } => {
            let hours = hours.unwrap_or(settings.enrolment_code_hours);
            let issued = admin::issue_code_with_id(storage, user, hours)?;
            Out::new(
                json!({
                    "code": issued.code,
                    "id": issued.short_id,
                    "user": user,
                    "expires_at": time(issued.expires_at),
                }),
                issued.code.clone(),
            )
            .note(format!(
                "valid once, until {} ({hours} hours); its id is {} (to list or cancel it)",
                time(issued.expires_at),
                issued.short_id
            ))
        }
        Command::Codes { org, user } => {
            let org = match (org, user) {
                (Some(name), _) => admin::org(storage, &name)?,
                (None, Some(user)) => {
                    let person = storage
                        .person(user)?
                        .ok_or(StorageError::NotFound("the user"))?;
                    storage
                        .organisation(person.user.org)?
                        .ok_or(StorageError::NotFound("the user's organisation"))?
                }
                (None, None) => bail!("give --org or --user"),
            };
            let codes = admin::pending_codes(storage, &org, user)?;
            let mut text = String::new();
            for c in &codes {
                text += &format!(
                    "{}  user {}  issued {}  expires {}\n",
                    c.short_id,
                    c.user,
                    time(c.created_at),
                    time(c.expires_at)
                );
            }
            let list: Vec<Value> = codes
                .iter()
                .map(|c| {
                    json!({
                        "id": c.short_id,
                        "user": c.user,
                        "issued_at": time(c.created_at),
                        "expires_at": time(c.expires_at),
                    })
                })
                .collect();
            let out = Out::new(json!({ "codes": list }), text);
            if codes.is_empty() {
                out.note("no codes could enrol a tablet now")
            } else {
                out
            }
        }
        Command::CancelCode { id } => {
            let user = admin::cancel_code(storage, &id)?;
            Out::new(
                json!({ "id": id.trim().to_ascii_lowercase(), "user": user, "cancelled": true }),
                format!(
                    "cancelled: the code can no longer enrol a tablet (it was for user {user})"
                ),
            )
        }
        Command::Devices { org } => {
            let org = admin::org(storage, &org)?;
            let devices = storage.devices(org.id)?;
            let mut text = String::new();
            for d in &devices {
                text += &format!(
                    "{}  user {}  {:<20} {}\n",
                    d.id,
                    d.user,
                    d.name,
                    if d.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
            let list: Vec<Value> = devices
                .iter()
                .map(|d| {
                    json!({
                        "id": d.id,
                        "user": d.user,
                        "name": d.name,
                        "enrolled_at": time(d.created_at),
                        "last_seen": d.last_seen.map(time),
                        "revoked": d.revoked_at.is_some(),
                        "revoked_at": d.revoked_at.map(time),
                    })
                })
                .collect();
            Out::new(json!({ "devices": list }), text)
        }
        Command::Revoke { device, user } => {
            let which = match (device, user) {
                (Some(d), _) => Revocation::Device(d),
                (None, Some(u)) => Revocation::User(u),
                (None, None) => bail!("name a device, or a user with --user"),
            };
            let n = admin::revoke(storage, which)?;
            let text = match which {
                Revocation::Device(_) if n == 0 => "already revoked".to_string(),
                Revocation::Device(_) => {
                    "revoked: the device deletes its records at its next contact".to_string()
                }
                Revocation::User(_) => {
                    format!("revoked {n} device(s): each deletes its records at its next contact")
                }
            };
            let target = match which {
                Revocation::Device(d) => json!({ "device": d }),
                Revocation::User(u) => json!({ "user": u }),
            };
            Out::new(json!({ "revoked": n, "of": target }), text)
        }
        Command::DisableUser { user } => {
            let done = admin::disable_user(storage, user)?;
            Out::new(
                json!({
                    "user": user,
                    "disabled": true,
                    "devices_revoked": done.devices_revoked,
                    "codes_cancelled": done.codes_cancelled,
                }),
                format!(
                    "disabled: sign-in and enrolment refused; {} device(s) revoked (each deletes its records at its next contact), {} unused code(s) cancelled",
                    done.devices_revoked, done.codes_cancelled
                ),
            )
        }
        Command::EnableUser { user } => {
            admin::enable_user(storage, user)?;
            Out::new(
                json!({ "user": user, "disabled": false }),
                "enabled: they can sign in or enrol again (devices revoked earlier stay revoked)",
            )
        }
        Command::SetRole {
            user,
            role,
            cleared,
        } => {
            let cleared = admin::set_role(storage, user, role, cleared.then_some(true))?;
            Out::new(
                json!({ "user": user, "role": role, "cleared": cleared }),
                format!(
                    "now {role}{}: their devices gain or lose records at their next sync",
                    cleared_mark(role, cleared)
                ),
            )
        }
        Command::SetClearance { user, clearance } => {
            let cleared = clearance == "on";
            admin::set_clearance(storage, user, cleared)?;
            Out::new(
                json!({ "user": user, "cleared": cleared }),
                if cleared {
                    "cleared: their devices receive Restricted records at their next sync"
                } else {
                    "clearance taken away: their devices delete Restricted records at their next sync"
                },
            )
        }
        Command::ResetPassword {
            user,
            password_stdin,
        } => {
            let given = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            match admin::reset_password(storage, user, given)? {
                Some(generated) => Out::new(
                    json!({ "user": user, "password": generated }),
                    generated.clone(),
                )
                .note("the new password, shown once: pass it on privately"),
                None => Out::new(
                    json!({ "user": user, "password_set": true }),
                    "password replaced",
                ),
            }
        }
        Command::AdminLog { org, limit } => {
            let org = org.map(|name| admin::org(storage, &name)).transpose()?;
            let lines = storage.admin_log(org.map(|o| o.id), limit)?;
            let mut text = String::new();
            for l in &lines {
                text += &format!(
                    "{}  {:<15} {:<38} {}  by {}\n",
                    time(l.at),
                    l.action,
                    l.subject.as_deref().unwrap_or("-"),
                    l.detail,
                    if l.by.is_empty() {
                        "unknown"
                    } else {
                        l.by.as_str()
                    }
                );
            }
            let list: Vec<Value> = lines
                .iter()
                .map(|l| {
                    json!({
                        "id": l.id,
                        "at": time(l.at),
                        "org": l.org,
                        "action": l.action,
                        "subject": l.subject,
                        "detail": l.detail,
                        "by": l.by,
                    })
                })
                .collect();
            Out::new(json!({ "admin_log": list }), text)
        }
        Command::History { participant } => {
            let rows = storage.history(participant)?;
            let opt_time = |t: Option<i64>| t.map(time).unwrap_or_else(|| "-".into());
            let mut text = String::new();
            for r in &rows {
                text += &format!(
                    "{:>6}  {:<10} {:<26} device {}  at {}  received {}  by {}\n",
                    r.seq,
                    r.doc.kind.as_str(),
                    r.operation.as_deref().unwrap_or("-"),
                    r.device,
                    opt_time(r.device_time),
                    opt_time(r.received_at),
                    r.user.map(|u| u.to_string()).unwrap_or_else(|| "-".into()),
                );
            }
            let list: Vec<Value> = rows
                .iter()
                .map(|r| {
                    json!({
                        "seq": r.seq,
                        "document": r.doc.to_string(),
                        "operation": r.operation,
                        "user": r.user,
                        "device": r.device,
                        "device_time": r.device_time.map(time),
                        "received_at": r.received_at.map(time),
                    })
                })
                .collect();
            Out::new(json!({ "history": list }), text)
        }
        Command::Refusals { org, limit } => {
            let org = admin::org(storage, &org)?;
            let mut all = storage.notices(org.id, 0, usize::MAX)?;
            let from = all.len().saturating_sub(limit);
            let list = all.split_off(from);
            let mut text = String::new();
            for n in &list {
                text += &format!(
                    "{}  {:<24} {:<10} participant {}  from {} ({})  — {}\n",
                    time(n.at),
                    if n.label.is_empty() {
                        "-"
                    } else {
                        n.label.as_str()
                    },
                    n.kind.as_str(),
                    n.participant,
                    n.user,
                    n.device,
                    n.why.code(),
                );
            }
            let rows: Vec<Value> = list
                .iter()
                .map(|n| {
                    json!({
                        "seq": n.seq,
                        "at": time(n.at),
                        "user": n.user,
                        "device": n.device,
                        "participant": n.participant,
                        "document": n.kind,
                        "label": n.label,
                        "why": n.why.code(),
                        "message": n.why.to_string(),
                    })
                })
                .collect();
            Out::new(json!({ "refusals": rows }), text)
        }
        Command::SeedDemo { org, participants } => {
            let demo = admin::seed_demo(storage, &org, participants)?;
            let mut text = format!(
                "created the demo organisation '{}' with {} synthetic participants\nsign in with these usernames and the password '{}':\n",
                demo.org.name,
                demo.participants,
                admin::DEMO_PASSWORD
            );
            for (username, user) in &demo.users {
                text += &format!(
                    "  {username:<12} {:<12} {}{}\n",
                    user.role.as_str(),
                    user.display_name,
                    cleared_mark(user.role, user.cleared)
                );
            }
            let users: Vec<Value> = demo
                .users
                .iter()
                .map(|(username, u)| json!({ "username": username, "id": u.id, "role": u.role, "cleared": u.cleared }))
                .collect();
            Out::new(
                json!({
                    "org": demo.org.id,
                    "participants": demo.participants,
                    "password": admin::DEMO_PASSWORD,
                    "users": users,
                }),
                text,
            )
        }
        Command::Serve | Command::PrintConfig => unreachable!("handled above"),
    })
}
