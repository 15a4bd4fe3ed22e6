//! The same storage scenario on every backend: embedded SQLite, and a real PostgreSQL that
//! this test starts from Debian's package (a throwaway cluster on a loopback port). Where
//! PostgreSQL cannot be started, its half is skipped with a message saying why.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::document::DocId;
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::postgres::Postgres;
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{AdminActor, CodeCancel, Device, Disabled, Revocation, Rule, Storage};

/// A throwaway PostgreSQL cluster, stopped and deleted on drop.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
    url: String,
    as_postgres: bool,
}

fn command(bin: &Path, tool: &str, as_postgres: bool) -> Command {
    if as_postgres {
        // PostgreSQL refuses to run as root.
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

impl Cluster {
    fn start() -> Result<Cluster, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|_| "PostgreSQL is not installed (cargo xtask setup installs it)".to_string())?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").exists())
            .max()
            .ok_or("PostgreSQL's initdb was not found")?;
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        if root {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !ok {
                return Err("could not hand the cluster's folder to the postgres user".into());
            }
        }
        let data = dir.path().join("data");
        let init = command(&bin, "initdb", root)
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "onward", "-E", "UTF8", "--no-sync"])
            .output()
            .map_err(|e| format!("initdb could not run: {e}"))?;
        if !init.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&init.stderr)
            ));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let start = command(&bin, "pg_ctl", root)
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                dir.path().display()
            ))
            .arg("-l")
            .arg(dir.path().join("log"))
            .args(["-w", "start"])
            .output()
            .map_err(|e| format!("pg_ctl could not run: {e}"))?;
        if !start.status.success() {
            let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
            return Err(format!("PostgreSQL did not start: {log}"));
        }
        Ok(Cluster {
            bin,
            data,
            _dir: dir,
            url: format!("postgres://onward@127.0.0.1:{port}/postgres"),
            as_postgres: root,
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = command(&self.bin, "pg_ctl", self.as_postgres)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// The scenario every backend must pass.
fn scenario<S: Storage>(storage: Arc<S>, label: &str) {
    let dir = tempfile::tempdir().unwrap();
    let org = storage.create_org("Backend Charity", 0).unwrap();
    assert!(storage.create_org("Backend Charity", 0).is_err(), "{label}");
    let server = TestServer::start(storage.clone(), None).unwrap();
    let add = |role, cleared| {
        admin::add_user(
            &*storage,
            &org,
            NewUser {
                role: Some(role),
                display_name: format!("Backend {role}"),
                cleared,
                ..NewUser::default()
            },
        )
        .unwrap()
    };
    let device = |user: &onward_server::storage::User| {
        let code = admin::issue_code(&*storage, user.id, 1).unwrap();
        App::enrol(
            &dir.path().join(DeviceId::new().to_string()),
            &StoreKey::from_bytes([4; 32]),
            &server.url(),
            Credentials::Code(code),
            "Backend tablet",
            &mut HttpTransport::new(&server.url()).unwrap(),
        )
        .unwrap()
    };
    let first = add(Role::Mentor, true);
    let second = add(Role::PeerMentor, false);
    let coordinator = add(Role::Coordinator, true);
    let mut a = device(&first);
    let mut c = device(&coordinator);

    // Created offline, accepted and assigned at the next sync.
    let p = a
        .handle(CreateParticipant {
            input: NewParticipant {
                preferred_name: "Backend".into(),
                programme: "Next Steps".into(),
                pathways: vec![],
            },
        })
        .unwrap();
    for minutes in [30, 40, 50] {
        a.handle(LogSession {
            participant: p,
            input: NewSession::attended("2026-11-20T10:00:00Z".parse().unwrap(), minutes),
        })
        .unwrap();
    }
    a.sync_now().unwrap();
    assert_eq!(storage.assignments(p).unwrap(), vec![first.id], "{label}");
    assert_eq!(storage.participants(org.id).unwrap(), vec![p], "{label}");
    c.sync_now().unwrap();
    assert_eq!(c.store().held_docs().unwrap().len(), 3, "{label}");

    // Scope per rule.
    let everyone = Rule::of(&coordinator);
    let (_, all) = storage.scope(org.id, everyone).unwrap();
    assert_eq!(all.len(), 3, "{label}");
    let peer_rule = Rule::of(&second);
    assert!(
        storage.scope(org.id, peer_rule).unwrap().1.is_empty(),
        "{label}"
    );
    storage.set_assignment(p, second.id, true).unwrap();
    let (_, peer_docs) = storage.scope(org.id, peer_rule).unwrap();
    assert_eq!(peer_docs.len(), 2, "{label}");
    let restricted = DocId::new(p, DocKind::Restricted);
    assert!(
        !storage.holds(org.id, peer_rule, restricted).unwrap(),
        "{label}"
    );

    // A coordinator's order from their device, carried out by the shared SQL of this backend,
    // and the directory their device receives.
    c.handle(onward_api::UnassignMentor {
        participant: p,
        mentor: second.id,
    })
    .unwrap();
    c.sync_now().unwrap();
    assert_eq!(storage.assignments(p).unwrap(), vec![first.id], "{label}");
    let caseloads: Vec<(UserId, u32)> = c
        .handle(onward_api::GetStaff {})
        .unwrap()
        .iter()
        .map(|m| (m.user, m.caseload))
        .collect();
    for who in [(first.id, 1), (second.id, 0), (coordinator.id, 0)] {
        assert!(caseloads.contains(&who), "{label}: {caseloads:?}");
    }
    c.handle(onward_api::AssignMentor {
        participant: p,
        mentor: second.id,
    })
    .unwrap();
    c.sync_now().unwrap();
    let mut both = vec![first.id, second.id];
    both.sort();
    assert_eq!(storage.assignments(p).unwrap(), both, "{label}");

    // The log pages in order, without repeats, under a byte budget.
    let (head, _) = storage.position(org.id).unwrap();
    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let page = storage
            .log_after(org.id, everyone, cursor, DeviceId::new(), 1)
            .unwrap();
        seen.extend(page.changes.iter().map(|c| c.seq));
        assert!(page.cursor >= cursor, "{label}");
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(cursor, head, "{label}");
    assert_eq!(seen, (1..=head).collect::<Vec<_>>(), "{label}");
    // A device's own changes are not sent back to it.
    let own = storage
        .log_after(org.id, everyone, 0, a.identity().device, usize::MAX)
        .unwrap();
    assert!(own.changes.is_empty(), "{label}");

    // Concerns: the peer mentor holds the one they raised, not the office's; the cleared
    // mentor and the coordinator hold both.
    let mut b = device(&second);
    b.sync_now().unwrap();
    let theirs = b
        .handle(RaiseConcern {
            participant: p,
            input: NewConcern {
                category: ConcernCategory::Housing,
                urgency: Urgency::High,
                description: "May lose their room".into(),
            },
        })
        .unwrap();
    b.sync_now().unwrap();
    let office = c
        .handle(RaiseConcern {
            participant: p,
            input: NewConcern {
                category: ConcernCategory::Health,
                urgency: Urgency::Low,
                description: "Seemed tired".into(),
            },
        })
        .unwrap();
    c.sync_now().unwrap();
    let concerns_of = |rule| -> Vec<DocId> {
        let mut d: Vec<DocId> = storage
            .scope(org.id, rule)
            .unwrap()
            .1
            .into_iter()
            .filter(|d| d.kind == DocKind::Concern)
            .collect();
        d.sort();
        d
    };
    let mut both = vec![DocId::concern(p, theirs), DocId::concern(p, office)];
    both.sort();
    assert_eq!(
        concerns_of(peer_rule),
        vec![DocId::concern(p, theirs)],
        "{label}"
    );
    assert_eq!(concerns_of(Rule::of(&first)), both, "{label}");
    assert_eq!(concerns_of(everyone), both, "{label}");
    assert!(
        !storage
            .holds(org.id, peer_rule, DocId::concern(p, office))
            .unwrap(),
        "{label}"
    );
    b.sync_now().unwrap();
    assert_eq!(
        b.handle(GetParticipant { participant: p })
            .unwrap()
            .concerns
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        vec![theirs],
        "{label}"
    );

    // Edits flow both ways.
    c.handle(AddGoal {
        participant: p,
        input: NewGoal {
            title: "From the office".into(),
            pathway: Pathway::Employment,
            why_it_matters: String::new(),
            target_date: None,
            review_due: None,
        },
    })
    .unwrap();
    c.sync_now().unwrap();
    a.sync_now().unwrap();
    let plan = a.handle(GetParticipant { participant: p }).unwrap().plan;
    assert_eq!(plan.goals.len(), 1, "{label}");

    // Codes work once; revoked devices lose everything.
    let code = admin::issue_code(&*storage, first.id, 1).unwrap();
    let hash = onward_server::service::hash_secret(&onward_server::service::normalise_code(&code));
    let user = storage
        .redeem_code(&hash, DeviceId::new(), "Spare", b"spare-token-hash", 1)
        .unwrap();
    assert_eq!(user.map(|u| u.id), Some(first.id), "{label}");
    assert!(
        storage
            .redeem_code(&hash, DeviceId::new(), "Again", b"another-hash", 1)
            .unwrap()
            .is_none(),
        "{label}"
    );
    assert!(
        storage.revoke_device(a.identity().device, 2).unwrap(),
        "{label}"
    );
    assert!(a.sync_now().is_err(), "{label}");
    assert!(a.store().held_docs().unwrap().is_empty(), "{label}");
    assert_eq!(storage.devices(org.id).unwrap().len(), 4, "{label}");

    // People: roles, clearance, codes, disabling and the admin log (SQL both backends share).
    let actor = |at| AdminActor {
        by: "backend-test".into(),
        at,
    };
    let before = storage.position(org.id).unwrap().1;
    storage
        .set_role(second.id, Role::Mentor, true, &actor(10))
        .unwrap();
    let promoted = storage.person(second.id).unwrap().unwrap().user;
    assert_eq!(
        (promoted.role, promoted.cleared),
        (Role::Mentor, true),
        "{label}"
    );
    assert!(storage.position(org.id).unwrap().1 > before, "{label}");
    let held = |user| storage.scope(org.id, Rule::of(&user)).unwrap().1.len();
    // Plan, Notes, Restricted and both concerns once cleared; Plan, Notes and the concern they
    // raised without clearance.
    assert_eq!(held(promoted), 5, "{label}");
    storage.set_clearance(second.id, false, &actor(11)).unwrap();
    assert_eq!(
        held(storage.person(second.id).unwrap().unwrap().user),
        3,
        "{label}"
    );
    let short = storage
        .issue_code(b"backend-code", second.id, i64::MAX / 2, &actor(12))
        .unwrap();
    let pending = storage.pending_codes(org.id, Some(second.id), 13).unwrap();
    assert_eq!(pending.len(), 1, "{label}");
    assert_eq!(pending[0].short_id, short, "{label}");
    assert_eq!(
        storage.cancel_code(&short, &actor(14)).unwrap(),
        CodeCancel::Cancelled { user: second.id },
        "{label}"
    );
    assert_eq!(
        storage.cancel_code(&short, &actor(15)).unwrap(),
        CodeCancel::NotPending { user: second.id },
        "{label}"
    );
    assert!(
        storage.pending_codes(org.id, None, 16).unwrap().is_empty(),
        "{label}"
    );
    assert!(
        storage
            .reset_password(second.id, "no-username-so-refused", &actor(17))
            .is_err(),
        "{label}"
    );

    // Disabling the coordinator stops their device; enabling lets them enrol again.
    assert_eq!(
        storage
            .set_disabled(coordinator.id, true, &actor(20))
            .unwrap(),
        Disabled {
            devices_revoked: 1,
            codes_cancelled: 0
        },
        "{label}"
    );
    assert!(c.sync_now().is_err(), "{label}");
    assert!(c.store().held_docs().unwrap().is_empty(), "{label}");
    let spare = Device {
        id: DeviceId::new(),
        user: coordinator.id,
        name: "Spare".into(),
        created_at: 21,
        last_seen: None,
        revoked_at: None,
    };
    assert!(
        !storage
            .add_device_if_enabled(&spare, b"spare-device-token-hash")
            .unwrap(),
        "{label}"
    );
    storage
        .set_disabled(coordinator.id, false, &actor(22))
        .unwrap();
    let mut again = device(&coordinator);
    again.sync_now().unwrap();
    // The participant's three documents and the two concerns.
    assert_eq!(again.store().held_docs().unwrap().len(), 5, "{label}");
    assert_eq!(
        storage
            .revoke(Revocation::User(coordinator.id), &actor(23))
            .unwrap(),
        1,
        "{label}"
    );
    assert!(again.sync_now().is_err(), "{label}");

    let actions: Vec<String> = storage
        .admin_log(Some(org.id), 100)
        .unwrap()
        .into_iter()
        .map(|l| l.action)
        .collect();
    assert_eq!(
        actions,
        [
            "add-user",
            "add-user",
            "add-user",
            // Codes for the mentor's, the coordinator's and the peer mentor's tablets (the
            // coordinator's order in between), and the spare redeemed by hand.
            "enrol-code",
            "enrol-code",
            "unassign",
            "assign",
            "enrol-code",
            "enrol-code",
            "set-role",
            "set-clearance",
            "enrol-code",
            "cancel-code",
            "disable-user",
            "enable-user",
            "enrol-code",
            "revoke",
        ],
        "{label}"
    );
    server.stop();
}

#[test]
fn the_storage_scenario_passes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    scenario(
        Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap()),
        "sqlite",
    );
}

#[test]
fn the_storage_scenario_passes_on_postgresql() {
    let cluster = match Cluster::start() {
        Ok(c) => c,
        // `cargo xtask test` (and so CI) installs PostgreSQL and requires this half to run.
        Err(why) if std::env::var_os("ONWARD_REQUIRE_POSTGRES").is_some() => {
            panic!("PostgreSQL could not be started, and this run requires it: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED the PostgreSQL half of the storage scenario: {why}");
            return;
        }
    };
    let storage = Postgres::open(&cluster.url).unwrap();
    // Opening again (a second instance, or a restart) finds the schema up to date.
    drop(Postgres::open(&cluster.url).unwrap());
    scenario(Arc::new(storage), "postgresql");
}
