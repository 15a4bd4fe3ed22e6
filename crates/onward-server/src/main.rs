//! `onward-server`: runs the charity's sync server and its admin commands.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use onward_core::ids::{DeviceId, ParticipantId, UserId};
use onward_core::vocab::Role;
use onward_server::admin::{self, NewUser};
use onward_server::settings::{Settings, redact_url};
use onward_server::storage::postgres::Postgres;
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Storage, StorageError};

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
    /// List an organisation's users.
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
    /// Issue a one-time enrolment code for a user's tablet.
    EnrolCode {
        #[arg(long)]
        user: UserId,
        /// How long the code stays valid (default from the settings).
        #[arg(long)]
        hours: Option<u32>,
    },
    /// List an organisation's devices.
    Devices {
        #[arg(long)]
        org: String,
    },
    /// Revoke a device: it can no longer sync, and deletes its records at its next contact.
    Revoke { device: DeviceId },
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

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
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
        launch(Arc::new(storage), settings, cli.command)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let storage = Postgres::open(&url).map_err(opened)?;
        launch(Arc::new(storage), settings, cli.command)
    } else {
        bail!(
            "the database URL must start with sqlite:// or postgres:// (it was {})",
            redact_url(&url)
        )
    }
}

fn launch<S: Storage>(storage: Arc<S>, settings: Settings, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(storage, settings),
        command => admin_command(&*storage, &settings, command),
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
            "onward-server ready"
        );
        onward_server::serve(storage, listener, shutdown_signal()).await?;
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

fn admin_command(
    storage: &dyn Storage,
    settings: &Settings,
    command: Command,
) -> anyhow::Result<()> {
    match command {
        Command::CreateOrg { name } => {
            let org = storage.create_org(&name, onward_server::service::now_millis())?;
            println!("created organisation '{}' ({})", org.name, org.id);
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
                let mut p = String::new();
                std::io::stdin().read_to_string(&mut p)?;
                Some(p.trim_end_matches(['\r', '\n']).to_string())
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
            println!("{}", user.id);
        }
        Command::Users { org } => {
            let org = admin::org(storage, &org)?;
            for u in storage.users(org.id)? {
                println!(
                    "{}  {:<12} {}{}",
                    u.id,
                    u.role.as_str(),
                    u.display_name,
                    if u.cleared && u.role == Role::Mentor {
                        "  (cleared)"
                    } else {
                        ""
                    }
                );
            }
        }
        Command::Assign {
            participant,
            mentor,
        } => {
            storage.set_assignment(participant, mentor, true)?;
            println!("assigned");
        }
        Command::Unassign {
            participant,
            mentor,
        } => {
            storage.set_assignment(participant, mentor, false)?;
            println!("unassigned: the mentor's devices remove the record at their next sync");
        }
        Command::Participants { org } => {
            let org = admin::org(storage, &org)?;
            for p in storage.participants(org.id)? {
                let mentors: Vec<String> = storage
                    .assignments(p)?
                    .iter()
                    .map(|m| m.to_string())
                    .collect();
                println!(
                    "{p}  mentors: {}",
                    if mentors.is_empty() {
                        "none".into()
                    } else {
                        mentors.join(", ")
                    }
                );
            }
        }
        Command::EnrolCode { user, hours } => {
            let hours = hours.unwrap_or(settings.enrolment_code_hours);
            let code = admin::issue_code(storage, user, hours)?;
            println!("{code}");
            eprintln!("valid once, for {hours} hours");
        }
        Command::Devices { org } => {
            let org = admin::org(storage, &org)?;
            for d in storage.devices(org.id)? {
                println!(
                    "{}  user {}  {:<20} {}",
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
        }
        Command::Revoke { device } => {
            if storage.revoke_device(device, onward_server::service::now_millis())? {
                println!("revoked: the device deletes its records at its next contact");
            } else {
                bail!("there is no device {device}");
            }
        }
        Command::SeedDemo { org, participants } => {
            let demo = admin::seed_demo(storage, &org, participants)?;
            println!(
                "created the demo organisation '{}' with {} synthetic participants",
                demo.org.name, demo.participants
            );
            println!(
                "sign in with these usernames and the password '{}':",
                admin::DEMO_PASSWORD
            );
            for (username, user) in &demo.users {
                println!(
                    "  {username:<12} {:<12} {}{}",
                    user.role.as_str(),
                    user.display_name,
                    if user.cleared && user.role == Role::Mentor {
                        " (cleared)"
                    } else {
                        ""
                    }
                );
            }
        }
        Command::Serve | Command::PrintConfig => unreachable!("handled above"),
    }
    Ok(())
}
