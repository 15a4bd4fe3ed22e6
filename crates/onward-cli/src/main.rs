//! `onward`: the app core on the command line. Every command and query of the app is a
//! subcommand; charity IT staff script imports with it and tests drive devices with it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use std::collections::HashMap;

use onward_api::views::{AppointmentRow, CaseloadRow};
use onward_api::{ApiError, Call, ErrorKind, Handle, Identity, TodayView};
use onward_app::StoreKey;
use onward_app::{App, Credentials, HttpTransport};
use onward_core::ids::{DeviceId, ParticipantId, UserId};
use onward_core::time::Timestamp;
use onward_core::vocab::Role;

/// Onward on the command line: a device profile's records, every command and query.
#[derive(Debug, Parser)]
#[command(name = "onward", version, propagate_version = true)]
struct Cli {
    /// The profile's data folder.
    #[arg(
        long,
        global = true,
        env = "ONWARD_DATA",
        default_value = "onward-data"
    )]
    data: PathBuf,
    /// A file holding the store key (64 hex digits). Alternatively set ONWARD_KEY.
    #[arg(long, global = true, env = "ONWARD_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Print results as JSON (one line) instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Print a funder report as CSV (measure,group,value) instead of a table.
    #[arg(long, global = true, conflicts_with = "json")]
    csv: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a profile in the data folder for a user on this device.
    Init(InitArgs),
    /// Enrol this device with the charity's server and create its profile.
    Enrol(EnrolArgs),
    /// Fill the profile with a synthetic demo caseload (made-up people).
    SeedDemo(SeedArgs),
    /// Import participants, their open goals and next appointments from a CSV file
    /// (coordinators; layout in docs/IMPORT.md). All or nothing: refused rows are listed.
    Import(ImportArgs),
    /// Write upcoming appointments to an iCalendar (.ics) file for a phone's calendar.
    Calendar(CalendarArgs),
    #[command(flatten)]
    Call(Call),
}

#[derive(Debug, Args)]
struct InitArgs {
    /// The user's role.
    #[arg(long)]
    role: Role,
    /// The name shown for the signed-in user.
    #[arg(long)]
    name: String,
    /// The user's id (default: a new one).
    #[arg(long)]
    user: Option<UserId>,
    /// This device's id (default: a new one).
    #[arg(long)]
    device: Option<DeviceId>,
    /// Write a new random key to --key-file if it does not exist yet.
    #[arg(long)]
    new_key: bool,
}

#[derive(Debug, Args)]
struct EnrolArgs {
    /// The server's address, such as https://onward.example.org.
    #[arg(long, env = "ONWARD_SERVER")]
    server: String,
    /// The one-time enrolment code from the coordinator (or use --username).
    #[arg(long, required_unless_present = "username")]
    code: Option<String>,
    /// Sign in with a username; the password is read from standard input.
    #[arg(long, conflicts_with = "code")]
    username: Option<String>,
    /// A name for this device the charity's admin will recognise.
    #[arg(long, default_value = "Onward CLI")]
    device_name: String,
    /// Write a new random key to --key-file if it does not exist yet.
    #[arg(long)]
    new_key: bool,
    /// Allow plain http:// to the server on the charity's own network (a private IP address
    /// only, never a name), for this enrolment and every later sync. Records then cross that
    /// network unencrypted. Without it the address must be https:// or this computer.
    #[arg(long)]
    allow_plain_http: bool,
}

#[derive(Debug, Args)]
struct SeedArgs {
    /// How many participants.
    #[arg(long, default_value_t = 40)]
    participants: usize,
    /// Random seed, for the same caseload every time.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The CSV file.
    file: PathBuf,
}

#[derive(Debug, Args)]
struct CalendarArgs {
    /// Where to write the .ics file.
    #[arg(long)]
    out: PathBuf,
    /// How many days ahead (default 90).
    #[arg(long)]
    days: Option<u32>,
    /// Only the appointments you go to with the participant.
    #[arg(long)]
    only_mine: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let api = e.downcast_ref::<ApiError>().cloned();
            if cli.json {
                let body = api
                    .clone()
                    .unwrap_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("{e:#}")));
                eprintln!("{}", serde_json::to_string(&body).unwrap_or_default());
            } else {
                eprintln!("onward: {e:#}");
            }
            match api.map(|a| a.kind) {
                Some(ErrorKind::Invalid | ErrorKind::BadRequest) => ExitCode::from(2),
                Some(ErrorKind::Forbidden) => ExitCode::from(3),
                Some(ErrorKind::NotFound) => ExitCode::from(4),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Init(a) => {
            if a.new_key {
                let path = cli
                    .key_file
                    .as_deref()
                    .context("--new-key needs --key-file to say where to write it")?;
                if !path.exists() {
                    write_new_key(path)?;
                }
            }
            let key = load_key(cli)?;
            let me = Identity {
                user: a.user.unwrap_or_else(UserId::new),
                device: a.device.unwrap_or_else(DeviceId::new),
                role: a.role,
                display_name: a.name.trim().to_string(),
                cleared: true,
            };
            let app = App::create(&cli.data, &key, me)?;
            print(cli, &serde_json::to_value(app.identity())?);
        }
        Command::Enrol(a) => {
            if a.new_key {
                let path = cli
                    .key_file
                    .as_deref()
                    .context("--new-key needs --key-file to say where to write it")?;
                if !path.exists() {
                    write_new_key(path)?;
                }
            }
            let key = load_key(cli)?;
            let credentials = match (&a.code, &a.username) {
                (Some(code), _) => Credentials::Code(code.clone()),
                (None, Some(username)) => {
                    let mut password = String::new();
                    std::io::stdin().read_line(&mut password)?;
                    Credentials::Password {
                        username: username.clone(),
                        password: password.trim_end_matches(['\r', '\n']).to_string(),
                    }
                }
                (None, None) => anyhow::bail!("give --code or --username"),
            };
            let mut http = HttpTransport::for_server(&a.server, a.allow_plain_http)?;
            let mut app = App::enrol(
                &cli.data,
                &key,
                &a.server,
                credentials,
                &a.device_name,
                &mut http,
            )?;
            if a.allow_plain_http {
                app.set_allows_plain_http(true)?;
            }
            print(cli, &serde_json::to_value(app.identity())?);
        }
        Command::SeedDemo(a) => {
            let mut app = App::open(&cli.data, &load_key(cli)?)?;
            let size = onward_core::demo::DemoSize {
                participants: a.participants,
                ..Default::default()
            };
            let org = onward_core::demo::organisation(a.seed, size, Timestamp::now())?;
            let n = org.participants.len();
            for (_, docs) in org.participants {
                app.import(docs)?;
            }
            print(cli, &serde_json::json!({ "participants_added": n }));
        }
        Command::Import(a) => {
            let csv = read_csv(&a.file)?;
            let mut app = App::open(&cli.data, &load_key(cli)?)?;
            let report = app.handle(onward_api::ImportParticipants { csv })?;
            if cli.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print!("{}", import_text(&report));
            }
            if !report.refused.is_empty() {
                return Err(ApiError::new(
                    ErrorKind::Invalid,
                    "nothing was imported: correct the rows listed and import the whole file again",
                )
                .into());
            }
        }
        Command::Calendar(a) => {
            let mut app = App::open(&cli.data, &load_key(cli)?)?;
            let file = app.handle(onward_api::ExportCalendar {
                days: a.days,
                only_mine: a.only_mine,
            })?;
            std::fs::write(&a.out, &file.ics)
                .with_context(|| format!("could not write {}", a.out.display()))?;
            print(
                cli,
                &serde_json::json!({ "events": file.events, "file": a.out.display().to_string() }),
            );
        }
        Command::Call(call) => {
            let mut app = App::open(&cli.data, &load_key(cli)?)?;
            match (call, cli.json) {
                (Call::Export(r), _) => {
                    // The export is JSON whatever the output mode: it is a file format.
                    let out = app.handle(r.clone())?;
                    println!("{}", serde_json::to_string_pretty(&out)?);
                }
                (Call::FunderReport(r), _) if cli.csv => {
                    print!("{}", app.handle(r.clone())?.to_csv());
                }
                (Call::FunderReport(r), false) => {
                    print!("{}", report_text(&app.handle(r.clone())?))
                }
                (Call::FunderReportPdf(r), false) => {
                    // The PDF itself, for `> report.pdf`; with --json, its base64 in JSON.
                    use base64::Engine as _;
                    use std::io::Write as _;
                    let pdf = app.handle(r.clone())?;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(pdf.base64.as_bytes())
                        .context("the app core's PDF was not base64")?;
                    std::io::stdout().write_all(&bytes)?;
                }
                (Call::Caseload(r), false) => print!("{}", caseload_text(&app.handle(r.clone())?)),
                (Call::Today(r), false) => {
                    let today = app.handle(r.clone())?;
                    let names = names(&mut app)?;
                    print!("{}", today_text(&today, &names));
                }
                _ => print(cli, &call.clone().run(&mut app)?),
            }
        }
    }
    Ok(())
}

/// A CSV file's text; a file that is not UTF-8 is refused, and one that ends part-way through
/// a letter is said to be cut off.
fn read_csv(path: &Path) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("could not read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let message = if e.utf8_error().error_len().is_none() {
            "the file ends part-way through a letter: it looks cut off, so nothing was imported; export it again"
        } else {
            "the file is not UTF-8 text: save the spreadsheet as CSV UTF-8 and import it again"
        };
        ApiError::new(ErrorKind::Invalid, message).into()
    })
}

/// What an import did, or the rows it refused.
fn import_text(r: &onward_api::ImportReport) -> String {
    let mut out = String::new();
    for x in &r.refused {
        match &x.column {
            Some(c) => out.push_str(&format!("row {}, {c}: {}\n", x.row, x.reason)),
            None => out.push_str(&format!("row {}: {}\n", x.row, x.reason)),
        }
    }
    if r.refused.is_empty() {
        out.push_str(&format!(
            "Imported {} participants, {} goals and {} appointments. They reach the office at the next sync.\n",
            r.participants.len(),
            r.goals,
            r.appointments
        ));
    } else {
        out.push_str(
            "Nothing was imported. Correct the rows above and import the whole file again.\n",
        );
    }
    out
}

/// The key from --key-file or ONWARD_KEY. (PIN unlock and the OS keychain come later.)
fn load_key(cli: &Cli) -> anyhow::Result<StoreKey> {
    let hex = match (&cli.key_file, std::env::var("ONWARD_KEY")) {
        (Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("could not read the key file {}", path.display()))?,
        (None, Ok(hex)) => hex,
        (None, Err(_)) => {
            anyhow::bail!("no store key: give --key-file PATH or set ONWARD_KEY to 64 hex digits")
        }
    };
    Ok(StoreKey::from_hex(&hex)?)
}

fn write_new_key(path: &Path) -> anyhow::Result<()> {
    onward_app::host::create_key_file(path)?;
    Ok(())
}

/// Preferred names by participant, for lists that carry only ids.
fn names(app: &mut App) -> anyhow::Result<HashMap<ParticipantId, String>> {
    Ok(app
        .handle(onward_api::Caseload::default())?
        .into_iter()
        .map(|c| (c.participant, c.preferred_name))
        .collect())
}

fn london(t: Option<Timestamp>) -> String {
    t.map(|t| t.london_display()).unwrap_or_else(|| "-".into())
}

/// The caseload as a table.
fn caseload_text(rows: &[CaseloadRow]) -> String {
    let mut out = format!(
        "{:<22} {:<10} {:<17} {:<17} {:>5} {:>8} {:>8}\n",
        "Name", "Status", "Last contact", "Next appointment", "Goals", "Unsigned", "Concerns"
    );
    for c in rows {
        out.push_str(&format!(
            "{:<22} {:<10} {:<17} {:<17} {:>5} {:>8} {:>8}\n",
            c.preferred_name,
            c.status,
            london(c.last_contact),
            london(c.next_appointment),
            c.open_goals,
            c.unsigned_sessions,
            c.open_concerns
        ));
    }
    out.push_str(&format!("{} participants\n", rows.len()));
    out
}

/// A funder report as a table: measure, group and figure (names as in docs/REPORTS.md).
fn report_text(report: &onward_core::reports::Report) -> String {
    let rows = report.rows();
    let width = |f: fn(&onward_core::reports::ReportRow) -> usize, min: usize| {
        rows.iter().map(f).max().unwrap_or(0).max(min)
    };
    let (m, g) = (
        width(|r| r.measure.chars().count(), 7),
        width(|r| r.group.chars().count(), 5),
    );
    let mut out = format!("{:<m$}  {:<g$}  {}\n", "Measure", "Group", "Value");
    for r in rows {
        out.push_str(&format!(
            "{:<m$}  {:<g$}  {}\n",
            r.measure, r.group, r.value
        ));
    }
    out
}

/// What is due, in London time, with names.
fn today_text(t: &TodayView, names: &HashMap<ParticipantId, String>) -> String {
    let name = |p: &ParticipantId| names.get(p).cloned().unwrap_or_else(|| p.to_string());
    let mut out = format!("Today, {}\n", t.day);
    let mut section = |title: &str, lines: Vec<String>| {
        out.push_str(&format!("\n{title} ({})\n", lines.len()));
        if lines.is_empty() {
            out.push_str("  nothing\n");
        }
        for l in lines {
            out.push_str(&format!("  {l}\n"));
        }
    };
    let appointment = |a: &AppointmentRow| {
        let went = if a.accompanied_by.is_some() {
            ", accompanied"
        } else {
            ""
        };
        format!(
            "{}  {}  {} with {} ({}{went})",
            a.starts_at.london_display(),
            name(&a.participant),
            a.kind,
            a.with_whom,
            a.status
        )
    };
    section(
        "Appointments today",
        t.appointments_today.iter().map(appointment).collect(),
    );
    section(
        "Appointments this week",
        t.appointments_this_week.iter().map(appointment).collect(),
    );
    section(
        "Goals due for review",
        t.goals_due
            .iter()
            .map(|g| {
                let due = g
                    .review_due
                    .or(g.target_date)
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                format!("{due}  {}: {}", name(&g.participant), g.title)
            })
            .collect(),
    );
    section(
        "Follow-ups",
        t.follow_ups_due
            .iter()
            .map(|f| {
                format!(
                    "{}  {}: {}",
                    f.due
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "no date".into()),
                    name(&f.participant),
                    f.text
                )
            })
            .collect(),
    );
    section(
        "Sessions not signed off",
        t.unsigned_sessions
            .iter()
            .map(|s| {
                format!(
                    "{}  {}",
                    s.started_at.london_display(),
                    name(&s.participant)
                )
            })
            .collect(),
    );
    section(
        "Open safeguarding concerns",
        t.open_concerns
            .iter()
            .map(|c| {
                format!(
                    "{}  {}: {} ({}, {})",
                    c.raised_at.london_display(),
                    name(&c.participant),
                    c.category,
                    c.urgency,
                    c.status
                )
            })
            .collect(),
    );
    out
}

/// Prints a result: one JSON line with --json, otherwise readable text.
fn print(cli: &Cli, value: &serde_json::Value) {
    if cli.json {
        println!("{value}");
    } else {
        let mut out = String::new();
        text(value, 0, &mut out);
        print!("{out}");
    }
}

/// Renders JSON as indented `key: value` text.
fn text(value: &serde_json::Value, depth: usize, out: &mut String) {
    use serde_json::Value as V;
    let pad = "  ".repeat(depth);
    match value {
        V::Object(map) => {
            for (k, v) in map {
                match v {
                    V::Object(m) if !m.is_empty() => {
                        out.push_str(&format!("{pad}{}:\n", k.replace('_', " ")));
                        text(v, depth + 1, out);
                    }
                    V::Array(a) if !a.is_empty() && a.iter().any(|x| x.is_object()) => {
                        out.push_str(&format!("{pad}{}:\n", k.replace('_', " ")));
                        text(v, depth + 1, out);
                    }
                    _ => out.push_str(&format!("{pad}{}: {}\n", k.replace('_', " "), scalar(v))),
                }
            }
        }
        V::Array(items) => {
            if items.is_empty() {
                out.push_str(&format!("{pad}(none)\n"));
            }
            for (i, item) in items.iter().enumerate() {
                if item.is_object() {
                    out.push_str(&format!("{pad}- {}\n", i + 1));
                    text(item, depth + 1, out);
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        serde_json::Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(m) if m.is_empty() => "-".into(),
        other => other.to_string(),
    }
}
