//! Prints the sync figures issue 3 asks for, against the real server over loopback HTTP:
//! a no-change sync for 40 and for 20,000 participants (bytes, round trips, time); a first
//! sync of 1,000 participants, and the same done naively (one Automerge sync exchange per
//! document); syncs per second with 50 devices at once; and the server's peak memory with
//! 20,000 participants (the release `onward-server` binary in its own process, when
//! `ONWARD_SERVER_BIN` names it; `cargo xtask bench` does). Run with `cargo xtask bench`.
//! The 20,000-participant database is generated once into `target/bench/` and reused.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey, Transport};
use onward_core::demo::{DemoSize, organisation};
use onward_core::document::DocId;
use onward_core::ids::*;
use onward_core::input::NewSession;
use onward_core::time::Timestamp;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::service::{hash_secret, random_secret};
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Device, Organisation, Rule, Storage, User};
use onward_sync::client::{ClientSync, SyncState};
use onward_sync::codec;
use onward_sync::message::*;
use onward_sync::scope::Scope;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn kb(bytes: u64) -> String {
    if bytes < 10_000 {
        format!("{bytes} B")
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn user(storage: &dyn Storage, org: &Organisation, role: Role, name: &str) -> User {
    admin::add_user(
        storage,
        org,
        NewUser {
            role: Some(role),
            display_name: name.into(),
            cleared: true,
            ..NewUser::default()
        },
    )
    .unwrap()
}

fn enrol(storage: &dyn Storage, url: &str, who: &User, dir: &Path) -> App {
    let code = admin::issue_code(storage, who.id, 1).unwrap();
    App::enrol(
        &dir.join(DeviceId::new().to_string()),
        &StoreKey::from_bytes([8; 32]),
        url,
        Credentials::Code(code),
        "Bench tablet",
        &mut HttpTransport::new(url).unwrap(),
    )
    .unwrap()
}

/// Seeds `org` with `n` synthetic participants of up to `days` of history, assigned round
/// robin to `mentors`.
fn seed(
    storage: &dyn Storage,
    org: &Organisation,
    n: usize,
    days: i64,
    mentors: &[UserId],
    seed: u64,
) {
    let size = DemoSize {
        participants: n,
        max_history_days: days,
    };
    let demo = organisation(seed, size, Timestamp::now()).unwrap();
    for (i, (_, mut docs)) in demo.participants.into_iter().enumerate() {
        let mentor = (!mentors.is_empty()).then(|| mentors[i % mentors.len()]);
        admin::import_participant(storage, org, &mut docs, mentor).unwrap();
    }
}

/// Enrols a device for `who` straight into storage and returns its token, for benches that
/// speak the protocol themselves.
fn device_token(storage: &dyn Storage, who: &User) -> String {
    let token = random_secret(32);
    storage
        .add_device(
            &Device {
                id: DeviceId::new(),
                user: who.id,
                name: "Bench".into(),
                created_at: 0,
                last_seen: None,
                revoked_at: None,
            },
            &hash_secret(&token),
        )
        .unwrap();
    token
}

/// A sync request from a device at the head of the log holding the current scope.
fn no_change(token: &str, cursor: u64, scope_seq: u64, scope: &Scope) -> Vec<u8> {
    codec::encode(&ClientMessage::Sync(SyncRequest {
        token: token.into(),
        cursor,
        scope_seq,
        scope_digest: scope.digest(),
        push: vec![],
        want: vec![],
        notices_after: 0,
        commands: vec![],
        directory: None,
    }))
}

fn main() {
    // `cargo bench -p onward-tests --bench sync -- twenty` runs only the 20,000-participant
    // figures.
    if std::env::args().any(|a| a == "twenty") {
        twenty_thousand();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let server = TestServer::start(storage.clone(), None).unwrap();
    let url = server.url();
    println!("sync over loopback HTTP, server on SQLite, 2-core machine figures");
    import_and_upload(&*storage, &url, dir.path());
    // `cargo bench -p onward-tests --bench sync -- import` stops after the import figures.
    if std::env::args().any(|a| a == "import") {
        return;
    }

    // A mentor's caseload: 40 participants with up to three years of history.
    let small = storage.create_org("Forty", 0).unwrap();
    let mentor = user(&*storage, &small, Role::Mentor, "Bench mentor");
    let t = Instant::now();
    seed(&*storage, &small, 40, 3 * 365, &[mentor.id], 40);
    let seeded = t.elapsed();
    let mut m = enrol(&*storage, &url, &mentor, dir.path());
    let t = Instant::now();
    let first = m.sync_now().unwrap();
    println!(
        "first sync, 40 participants with 3 years of history: {} ({} round trips, {} received; seeded in {})",
        ms(t.elapsed()),
        first.rounds,
        kb(first.bytes_received),
        ms(seeded)
    );
    let mut times = Vec::new();
    let mut last = SyncReport::default();
    for _ in 0..50 {
        let t = Instant::now();
        last = m.sync_now().unwrap();
        times.push(t.elapsed());
    }
    println!(
        "no-change sync, 40 participants: {} round trip, {} sent + {} received, median {}",
        last.rounds,
        kb(last.bytes_sent),
        kb(last.bytes_received),
        ms(median(times))
    );

    // The server's judgement of one pushed change: a session logged on a participant with
    // three years of history (its Notes part and its Plan part), with nothing stored.
    {
        use onward_core::document::{Ctx, Doc};
        use onward_core::model::{Author, Notes, Plan};
        use onward_core::policy::Actor;
        use onward_sync::check::{Pusher, accept_push};
        let p = m.handle(Caseload::default()).unwrap()[0].participant;
        let [plan_id, notes_id, _] = DocId::participant_docs(p);
        let saved = storage.documents(&[plan_id, notes_id]).unwrap();
        let mut plan = Doc::<Plan>::load(plan_id, &saved[0].1).unwrap();
        let mut notes = Doc::<Notes>::load(notes_id, &saved[1].1).unwrap();
        let now = Timestamp::now();
        let author = Author {
            user: mentor.id,
            device: m.identity().device,
        };
        onward_core::ops::notes::log_session(
            &mut notes,
            &mut plan,
            &Ctx::new(author, now),
            &NewSession {
                summary: "Talked about the interview next week.".into(),
                private_notes: "Nervous about the interview; practised answers.".into(),
                ..NewSession::attended(now.plus_minutes(-60), 45)
            },
        )
        .unwrap();
        // The Plan part is judged with the participant's Notes (signed-off sessions).
        let pushes = [
            ("Notes", notes_id, &saved[1].1, None, notes.take_changes()),
            (
                "Plan",
                plan_id,
                &saved[0].1,
                Some(saved[1].1.as_slice()),
                plan.take_changes(),
            ),
        ];
        let pusher = Pusher {
            actor: Actor {
                user: mentor.id,
                role: Role::Mentor,
                cleared: true,
            },
            device: author.device,
            enrolled_at: now.plus_minutes(-60 * 24),
            received_at: now,
        };
        for (what, id, current, related, change) in pushes {
            let mut times = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                accept_push(id, Some(current), related, &change, &pusher).unwrap();
                times.push(t.elapsed());
            }
            let mut load = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                automerge::AutoCommit::load(current).unwrap();
                load.push(t.elapsed());
            }
            println!(
                "server's check of one pushed change (a session logged, {what} part, {} document with 3 years of history): median {} (of which reading the stored document {})",
                kb(current.len() as u64),
                ms(median(times)),
                ms(median(load))
            );
        }
    }

    // A first sync of 1,000 participants (six months of history each), as a coordinator.
    let big = storage.create_org("Thousand", 0).unwrap();
    let coordinator = user(&*storage, &big, Role::Coordinator, "Bench coordinator");
    let mentors: Vec<User> = (0..50)
        .map(|i| user(&*storage, &big, Role::Mentor, &format!("Mentor {i}")))
        .collect();
    let mentor_ids: Vec<UserId> = mentors.iter().map(|u| u.id).collect();
    let t = Instant::now();
    seed(&*storage, &big, 1000, 182, &mentor_ids, 1000);
    let seeded = t.elapsed();
    let mut c = enrol(&*storage, &url, &coordinator, dir.path());
    let t = Instant::now();
    let first = c.sync_now().unwrap();
    let took = t.elapsed();
    let docs = c.store().held_docs().unwrap().len();
    println!(
        "first sync, 1,000 participants ({docs} documents): {} in {} round trips, {} received (seeded in {})",
        ms(took),
        first.rounds,
        kb(first.bytes_received),
        ms(seeded)
    );
    let caseload = c.handle(Caseload::default()).unwrap().len();
    assert_eq!(caseload, 1000);

    // The same, naively: one Automerge sync exchange per document, each message a round trip.
    let ids: Vec<DocId> = c.store().held_docs().unwrap();
    let t = Instant::now();
    let (mut trips, mut bytes) = (0u64, 0u64);
    for chunk in ids.chunks(256) {
        for (_, saved) in storage.documents(chunk).unwrap() {
            let mut server_doc = automerge::AutoCommit::load(&saved).unwrap();
            let mut device_doc = automerge::AutoCommit::new();
            let (mut s_state, mut d_state) =
                (automerge::sync::State::new(), automerge::sync::State::new());
            use automerge::sync::SyncDoc;
            loop {
                let mut moved = false;
                if let Some(msg) = device_doc.sync().generate_sync_message(&mut d_state) {
                    let enc = msg.encode();
                    bytes += enc.len() as u64;
                    trips += 1;
                    let msg = automerge::sync::Message::decode(&enc).unwrap();
                    server_doc
                        .sync()
                        .receive_sync_message(&mut s_state, msg)
                        .unwrap();
                    moved = true;
                }
                if let Some(msg) = server_doc.sync().generate_sync_message(&mut s_state) {
                    let enc = msg.encode();
                    bytes += enc.len() as u64;
                    let msg = automerge::sync::Message::decode(&enc).unwrap();
                    device_doc
                        .sync()
                        .receive_sync_message(&mut d_state, msg)
                        .unwrap();
                    moved = true;
                }
                if !moved {
                    break;
                }
            }
        }
    }
    let naive = t.elapsed();
    // Each exchange needs its own loopback round trip; measure what one costs here with the
    // smallest real message the server answers (a no-change sync).
    let token = device_token(&*storage, &coordinator);
    let (head, scope_seq) = storage.position(big.id).unwrap();
    let (_, scoped) = storage.scope(big.id, Rule::of(&coordinator)).unwrap();
    let noop = no_change(
        &token,
        head,
        scope_seq,
        &Scope::from_docs(scoped.iter().copied()),
    );
    let mut probe = HttpTransport::new(&url).unwrap();
    let t = Instant::now();
    for _ in 0..200 {
        probe.exchange(&noop).unwrap();
    }
    let per_trip = t.elapsed() / 200;
    println!(
        "naive first sync, 1,000 participants: {} round trips, {} exchanged, {} of Automerge work in process + {} × {} loopback round trips ≈ {}",
        trips,
        kb(bytes),
        ms(naive),
        trips,
        ms(per_trip),
        ms(naive + per_trip * trips as u32)
    );

    // 50 devices at once: each a mentor with 20 participants.
    let devices: Vec<Arc<Mutex<App>>> = mentors
        .iter()
        .map(|u| {
            let mut d = enrol(&*storage, &url, u, dir.path());
            d.sync_now().unwrap();
            Arc::new(Mutex::new(d))
        })
        .collect();
    for with_change in [false, true] {
        let done = Arc::new(AtomicU64::new(0));
        let until = Instant::now() + Duration::from_secs(3);
        let threads: Vec<_> = devices
            .iter()
            .map(|d| {
                let (d, done) = (d.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut d = d.lock().unwrap();
                    let p = d.handle(Caseload::default()).unwrap()[0].participant;
                    while Instant::now() < until {
                        if with_change {
                            d.handle(LogSession {
                                participant: p,
                                input: NewSession::attended(Timestamp::now(), 30),
                            })
                            .unwrap();
                        }
                        d.sync_now().unwrap();
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let t = Instant::now();
        for th in threads {
            th.join().unwrap();
        }
        println!(
            "50 devices syncing at once ({}): {:.0} syncs per second",
            if with_change {
                "each sending a new session"
            } else {
                "no changes"
            },
            done.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64()
        );
    }
    drop(devices);
    server.stop();

    twenty_thousand();
}

/// A charity moving to Onward: a coordinator imports 1,000 participants from a CSV file (each
/// with a goal and an appointment), then the next sync uploads them.
fn import_and_upload(storage: &dyn Storage, url: &str, dir: &Path) {
    const N: usize = 1_000;
    let org = storage.create_org("Importing", 0).unwrap();
    let coordinator = user(storage, &org, Role::Coordinator, "Importing coordinator");
    let mut c = enrol(storage, url, &coordinator, dir);
    let starts = Timestamp::now().plus_minutes(14 * 24 * 60).london_display();
    let mut csv = String::from(
        "ref,preferred_name,programme,status,pathways,goal,goal_pathway,target_date,appointment_starts,appointment_kind,with_whom,location\n",
    );
    for i in 0..N {
        csv.push_str(&format!(
            "P{i},Participant {i},Next Steps,active,employment;accommodation,Find work in a warehouse,employment,2027-09-30,{starts},job-centre,Work coach,Job Centre\n"
        ));
    }
    let t = Instant::now();
    let report = c.handle(ImportParticipants { csv }).unwrap();
    let imported = t.elapsed();
    assert!(report.refused.is_empty(), "{:?}", &report.refused[..1]);
    assert_eq!(report.participants.len(), N);
    let t = Instant::now();
    let sync = c.sync_now().unwrap();
    let uploaded = t.elapsed();
    assert!(sync.refused.is_empty(), "{:?}", sync.refused);
    println!(
        "import of 1,000 participants from CSV (each with a goal and an appointment): {} to check and store, {} to upload at the next sync ({} round trips, {} sent), {} in all",
        ms(imported),
        ms(uploaded),
        sync.rounds,
        kb(sync.bytes_sent),
        ms(imported + uploaded)
    );
}

/// The 20,000-participant organisation, in the release server binary's own process.
fn twenty_thousand() {
    const N: usize = 20_000;
    let bench_dir =
        PathBuf::from(std::env::var("ONWARD_BENCH_DIR").unwrap_or_else(|_| "target/bench".into()));
    std::fs::create_dir_all(&bench_dir).unwrap();
    let db = bench_dir.join(format!("server-{N}.db"));
    let ready = bench_dir.join(format!("server-{N}.ready"));
    if !ready.exists() {
        let _ = std::fs::remove_file(&db);
        let storage = Sqlite::open(&db).unwrap();
        let org = storage.create_org("Twenty thousand", 0).unwrap();
        let mentors: Vec<UserId> = (0..1000)
            .map(|i| user(&storage, &org, Role::Mentor, &format!("Mentor {i}")).id)
            .collect();
        let t = Instant::now();
        for batch in 0..(N / 1000) {
            seed(&storage, &org, 1000, 60, &mentors, 7 + batch as u64);
        }
        println!(
            "generated the {N}-participant database in {}",
            ms(t.elapsed())
        );
        std::fs::write(&ready, "").unwrap();
    }
    let storage = Sqlite::open(&db).unwrap();
    let org = storage.org_by_name("Twenty thousand").unwrap().unwrap();
    let coordinator = user(&storage, &org, Role::Coordinator, "Bench coordinator");
    let token = device_token(&storage, &coordinator);

    let (mut child, url) = match std::env::var("ONWARD_SERVER_BIN") {
        Ok(bin) => spawn_server(Path::new(&bin), &db),
        Err(_) => {
            println!("(set ONWARD_SERVER_BIN to measure the server's memory in its own process)");
            return;
        }
    };
    let mut http = HttpTransport::new(&url).unwrap();

    // No-change sync: at the head of the log, holding the current scope.
    let (head, scope_seq) = storage.position(org.id).unwrap();
    let (_, docs) = storage.scope(org.id, Rule::of(&coordinator)).unwrap();
    let scope = Scope::from_docs(docs.iter().copied());
    let frame = no_change(&token, head, scope_seq, &scope);
    let mut times = Vec::new();
    let mut reply_len = 0;
    for _ in 0..50 {
        let t = Instant::now();
        let reply = http.exchange(&frame).unwrap();
        times.push(t.elapsed());
        reply_len = reply.len();
        assert!(
            matches!(codec::decode::<ServerMessage>(&reply).unwrap(), ServerMessage::Synced(r) if r.changes.is_empty() && r.scope.is_none())
        );
    }
    println!(
        "no-change sync, coordinator holding {N} participants ({} documents): 1 round trip, {} sent + {} received, median {}",
        docs.len(),
        kb(frame.len() as u64),
        kb(reply_len as u64),
        ms(median(times))
    );

    // A coordinator's first sync of everything, transfer only (the protocol's own state
    // machine, documents received and dropped rather than stored on a device).
    let mut run = ClientSync::new(SyncState::default(), &Scope::default(), []);
    let (mut rounds, mut received) = (0u32, 0u64);
    let t = Instant::now();
    loop {
        let request = run.request(&token, vec![]).unwrap();
        let reply = http
            .exchange(&codec::encode(&ClientMessage::Sync(request)))
            .unwrap();
        rounds += 1;
        received += reply.len() as u64;
        let ServerMessage::Synced(resp) = codec::decode::<ServerMessage>(&reply).unwrap() else {
            panic!("the server refused the bench's sync");
        };
        run.receive(resp).unwrap();
        if run.is_done(true) {
            break;
        }
    }
    println!(
        "first sync transfer, coordinator, {N} participants: {} in {rounds} round trips, {} received",
        ms(t.elapsed()),
        kb(received)
    );

    // The same first sync into a real coordinator's device store, then the next one.
    let dir = tempfile::tempdir().unwrap();
    let mut app = enrol(&storage, &url, &coordinator, dir.path());
    let t = Instant::now();
    let first = app.sync_now().unwrap();
    let took = t.elapsed();
    let t = Instant::now();
    let next = app.sync_now().unwrap();
    println!(
        "first sync into a coordinator's device, {N} participants: {:.1} s in {} round trips, {} received; the next sync: {} in {} round trip, {} received",
        took.as_secs_f64(),
        first.rounds,
        kb(first.bytes_received),
        ms(t.elapsed()),
        next.rounds,
        kb(next.bytes_received)
    );

    // What a coordinator then does on that device: the overview, the concern inbox, a year's
    // funder report and a caseload search typed a letter at a time.
    let timed = |app: &mut onward_app::App, f: &dyn Fn(&mut onward_app::App)| {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            f(app);
            times.push(t.elapsed());
        }
        median(times)
    };
    let overview = timed(&mut app, &|a| {
        a.handle(onward_api::GetOverview {}).unwrap();
    });
    let inbox = timed(&mut app, &|a| {
        a.handle(onward_api::ConcernInbox {}).unwrap();
    });
    let today = onward_core::time::Timestamp::now().london_day();
    let t = Instant::now();
    let report = app
        .handle(onward_api::FunderReport {
            from: today.plus_days(-364),
            to: today,
            programme: None,
            mentor: None,
        })
        .unwrap();
    let year = t.elapsed();
    let mut keystrokes = Vec::new();
    for typed in ["p", "pa", "par", "part", "parti"] {
        let t = Instant::now();
        app.handle(onward_api::Caseload {
            search: Some(typed.into()),
            status: None,
            pathway: None,
        })
        .unwrap();
        keystrokes.push(t.elapsed());
    }
    let slowest = keystrokes.iter().max().copied().unwrap_or_default();
    println!(
        "on that device: overview median {}, concern inbox median {}, a year's funder report {} ({} sessions delivered), caseload search per keystroke median {} (slowest {})",
        ms(overview),
        ms(inbox),
        ms(year),
        report.sessions_delivered,
        ms(median(keystrokes)),
        ms(slowest)
    );
    drop(app);

    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    println!(
        "server memory with {N} participants after that: peak {} (now {})",
        field("VmHWM:"),
        field("VmRSS:")
    );
    let _ = child.kill();
    let _ = child.wait();
}

fn spawn_server(bin: &Path, db: &Path) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin)
        .arg("serve")
        .env("ONWARD_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("ONWARD_LISTEN", format!("127.0.0.1:{port}"))
        .env("ONWARD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, url);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}
