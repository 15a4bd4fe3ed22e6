//! Sync end to end: the real server on a loopback port, with its SQLite storage in a temp
//! dir, and several devices (app cores in their own directories) enrolled with real codes.

use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::policy::Refused;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Organisation, Storage, User};
use onward_sync::codec;
use onward_sync::message::*;
use onward_sync::scope::Scope;

struct World {
    dir: tempfile::TempDir,
    storage: Arc<Sqlite>,
    server: TestServer,
    org: Organisation,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let org = storage.create_org("Test Charity", 0).unwrap();
    let server = TestServer::start(storage.clone(), None).unwrap();
    World {
        dir,
        storage,
        server,
        org,
    }
}

impl World {
    fn user(&self, role: Role, cleared: bool) -> User {
        admin::add_user(
            &*self.storage,
            &self.org,
            NewUser {
                role: Some(role),
                display_name: format!("Test {role}"),
                cleared,
                ..NewUser::default()
            },
        )
        .unwrap()
    }

    fn device(&self, user: &User) -> App {
        let code = admin::issue_code(&*self.storage, user.id, 1).unwrap();
        let dir = self.dir.path().join(DeviceId::new().to_string());
        let mut http = HttpTransport::new(&self.server.url()).unwrap();
        App::enrol(
            &dir,
            &StoreKey::from_bytes([9; 32]),
            &self.server.url(),
            Credentials::Code(code.to_lowercase()),
            "Test tablet",
            &mut http,
        )
        .unwrap()
    }

    fn post(&self, frame: &[u8]) -> (u16, ServerMessage) {
        let mut http = HttpTransport::new(&self.server.url()).unwrap();
        let reply = onward_app::Transport::exchange(&mut http, frame).unwrap();
        let msg: ServerMessage = codec::decode(&reply).unwrap();
        let status = match &msg {
            ServerMessage::Error(e) => e.http_status(),
            _ => 200,
        };
        (status, msg)
    }

    /// A modified client's sync request carrying orders for the office (and asking for the
    /// staff directory with `directory`): the HTTP status and the answer.
    fn orders(
        &self,
        app: &App,
        commands: Vec<onward_sync::message::Command>,
        directory: Option<onward_sync::message::DirectoryDigest>,
    ) -> (u16, ServerMessage) {
        self.post(&codec::encode(&ClientMessage::Sync(SyncRequest {
            token: token(app),
            cursor: 0,
            scope_seq: 0,
            scope_digest: Scope::default().digest(),
            push: vec![],
            want: vec![],
            notices_after: 0,
            commands,
            directory,
        })))
    }
}

fn participant(app: &mut App, name: &str) -> ParticipantId {
    app.handle(CreateParticipant {
        input: NewParticipant {
            preferred_name: name.into(),
            programme: "Next Steps".into(),
            pathways: vec![Pathway::Employment],
        },
    })
    .unwrap()
}

fn goal(app: &mut App, p: ParticipantId, title: &str) -> GoalId {
    app.handle(AddGoal {
        participant: p,
        input: NewGoal {
            title: title.into(),
            pathway: Pathway::Employment,
            why_it_matters: String::new(),
            target_date: None,
            review_due: None,
        },
    })
    .unwrap()
}

fn caseload(app: &mut App) -> Vec<ParticipantId> {
    let mut ids: Vec<_> = app
        .handle(Caseload::default())
        .unwrap()
        .into_iter()
        .map(|r| r.participant)
        .collect();
    ids.sort();
    ids
}

fn view(app: &mut App, p: ParticipantId) -> ParticipantView {
    app.handle(GetParticipant { participant: p }).unwrap()
}

fn token(app: &App) -> String {
    app.store().meta("sync.token").unwrap().unwrap()
}

#[test]
fn offline_edits_on_two_devices_merge() {
    let w = world();
    let mentor = w.user(Role::Mentor, true);
    let coordinator = w.user(Role::Coordinator, true);
    let mut m = w.device(&mentor);
    let mut c = w.device(&coordinator);

    // A participant met in the community, created offline, reaches the server and is assigned.
    let p = participant(&mut m, "Robin");
    let g = goal(&mut m, p, "Get my CSCS card");
    assert!(m.sync_status().unwrap().waiting > 0);
    let report = m.sync_now().unwrap();
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(m.sync_status().unwrap().waiting, 0);
    assert_eq!(w.storage.assignments(p).unwrap(), vec![mentor.id]);

    c.sync_now().unwrap();
    assert_eq!(caseload(&mut c), vec![p]);

    // Both edit offline.
    c.handle(AddStep {
        participant: p,
        input: NewStep {
            goal: g,
            text: "Book the test".into(),
            by_whom: "Robin".into(),
            due: None,
        },
    })
    .unwrap();
    m.handle(LogSession {
        participant: p,
        input: NewSession::attended("2026-11-20T10:00:00Z".parse().unwrap(), 45),
    })
    .unwrap();
    m.sync_now().unwrap();
    c.sync_now().unwrap();
    m.sync_now().unwrap();

    let (vm, vc) = (view(&mut m, p), view(&mut c, p));
    assert_eq!(vm.plan, vc.plan);
    assert_eq!(vm.notes, vc.notes);
    assert_eq!(vm.plan.goals[&g.to_string()].steps.len(), 1);
    assert_eq!(vc.notes.as_ref().unwrap().sessions().len(), 1);

    // Nothing changed: one round trip, a few hundred bytes.
    let idle = m.sync_now().unwrap();
    assert_eq!(idle.rounds, 1);
    assert!(idle.bytes_sent + idle.bytes_received < 4096, "{idle:?}");
    assert_eq!((idle.received, idle.fetched, idle.sent), (0, 0, 0));
}

#[test]
fn concurrent_edits_to_the_same_goal_converge() {
    let w = world();
    let mentor = w.user(Role::Mentor, true);
    let coordinator = w.user(Role::Coordinator, true);
    let mut m = w.device(&mentor);
    let mut c = w.device(&coordinator);
    let p = participant(&mut m, "Sam");
    let g = goal(&mut m, p, "Find a college course");
    m.sync_now().unwrap();
    c.sync_now().unwrap();

    m.handle(UpdateGoal {
        participant: p,
        input: GoalChange {
            goal: g,
            title: Some("Find a bricklaying course".into()),
            why_it_matters: None,
            target_date: None,
            review_due: None,
            status: None,
        },
    })
    .unwrap();
    c.handle(UpdateGoal {
        participant: p,
        input: GoalChange {
            goal: g,
            title: Some("Find a plumbing course".into()),
            why_it_matters: Some("Steady work".into()),
            target_date: None,
            review_due: None,
            status: None,
        },
    })
    .unwrap();
    c.handle(ReviewGoal {
        participant: p,
        input: NewReview {
            goal: g,
            rating: 6,
            comment: "Going well".into(),
            next_review: None,
        },
    })
    .unwrap();
    m.sync_now().unwrap();
    c.sync_now().unwrap();
    m.sync_now().unwrap();
    let (a, b) = (view(&mut m, p).plan, view(&mut c, p).plan);
    assert_eq!(a, b);
    assert_eq!(a.goals[&g.to_string()].reviews.len(), 1);
}

#[test]
fn reassignment_moves_the_record_between_mentors() {
    let w = world();
    let first = w.user(Role::Mentor, true);
    let second = w.user(Role::Mentor, true);
    let mut a = w.device(&first);
    let mut b = w.device(&second);
    let p = participant(&mut a, "Alex");
    a.sync_now().unwrap();
    b.sync_now().unwrap();
    assert!(caseload(&mut b).is_empty());

    w.storage.set_assignment(p, first.id, false).unwrap();
    w.storage.set_assignment(p, second.id, true).unwrap();
    let report = a.sync_now().unwrap();
    assert_eq!(report.removed, 3, "{report:?}");
    assert!(caseload(&mut a).is_empty());
    assert!(a.store().held_docs().unwrap().is_empty());
    b.sync_now().unwrap();
    assert_eq!(caseload(&mut b), vec![p]);
    assert!(view(&mut b, p).restricted.is_some());
}

#[test]
fn revocation_stops_a_device_and_deletes_its_records() {
    let w = world();
    let mentor = w.user(Role::Mentor, true);
    let mut m = w.device(&mentor);
    participant(&mut m, "Jo");
    m.sync_now().unwrap();
    let device = m.identity().device;
    assert!(w.storage.revoke_device(device, 1).unwrap());

    let err = m.sync_now().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert!(err.message.contains("withdrawn"), "{}", err.message);
    assert!(caseload(&mut m).is_empty());
    assert!(m.store().held_docs().unwrap().is_empty());
    let status = m.sync_status().unwrap();
    assert!(!status.enrolled);
    assert!(status.last_error.unwrap().contains("withdrawn"));
}

#[test]
fn a_mentor_never_receives_or_changes_another_caseload() {
    let w = world();
    let first = w.user(Role::Mentor, true);
    let second = w.user(Role::Mentor, true);
    let peer = w.user(Role::PeerMentor, false);
    let uncleared = w.user(Role::Mentor, false);
    let mut a = w.device(&first);
    let mut b = w.device(&second);
    let p = participant(&mut a, "Kim");
    a.sync_now().unwrap();
    let q = participant(&mut b, "Lee");
    b.sync_now().unwrap();
    assert_eq!(caseload(&mut b), vec![q]);
    assert_eq!(caseload(&mut a), vec![p]);

    // Asking for another caseload's document gets nothing.
    let plan = |participant| onward_core::document::DocId::new(participant, DocKind::Plan);
    let ask = ClientMessage::Sync(SyncRequest {
        token: token(&b),
        cursor: 1,
        scope_seq: 0,
        scope_digest: Scope::default().digest(),
        push: vec![],
        want: vec![plan(p)],
        notices_after: 0,
        commands: vec![],
        directory: None,
    });
    let (status, reply) = w.post(&codec::encode(&ask));
    assert_eq!(status, 200);
    let ServerMessage::Synced(resp) = reply else {
        panic!("{reply:?}")
    };
    assert!(resp.docs.is_empty());
    assert_eq!(resp.gone, vec![plan(p)]);
    assert!(resp.changes.iter().all(|c| c.doc.participant != p));
    assert!(resp.scope.unwrap().participants().all(|x| x == q));

    // Pushing a change to another caseload's document is refused and stores nothing.
    let mut m = App::create(
        &w.dir.path().join("forger"),
        &StoreKey::from_bytes([1; 32]),
        a.identity().clone(),
    )
    .unwrap();
    let forged = participant(&mut m, "Forged");
    let mut docs = m
        .store()
        .load::<onward_core::model::Plan>(forged)
        .unwrap()
        .unwrap();
    let data = onward_core::document::changes_of_saved(&docs.save()).unwrap();
    let before = w.storage.position(w.org.id).unwrap();
    let push = ClientMessage::Sync(SyncRequest {
        token: token(&b),
        cursor: before.0,
        scope_seq: before.1,
        scope_digest: Scope::default().digest(),
        push: vec![Pushed {
            entry: 1,
            doc: plan(forged),
            data,
        }],
        want: vec![],
        notices_after: 0,
        commands: vec![],
        directory: None,
    });
    let (_, reply) = w.post(&codec::encode(&push));
    let ServerMessage::Synced(resp) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(resp.refused.len(), 1);
    assert_eq!(resp.refused[0].why, Refused::NotThePusher);
    assert_eq!(w.storage.position(w.org.id).unwrap(), before);

    // Peer mentors and mentors without clearance never receive Restricted documents.
    w.storage.set_assignment(p, peer.id, true).unwrap();
    w.storage.set_assignment(p, uncleared.id, true).unwrap();
    for user in [&peer, &uncleared] {
        let mut d = w.device(user);
        d.sync_now().unwrap();
        assert_eq!(caseload(&mut d), vec![p]);
        let held = d.store().held_docs().unwrap();
        assert_eq!(held.len(), 2, "{held:?}");
        assert!(held.iter().all(|h| h.kind != DocKind::Restricted));
    }
}

#[test]
fn bad_messages_get_a_clear_error_and_change_nothing() {
    let w = world();
    let mentor = w.user(Role::Mentor, true);
    let mut m = w.device(&mentor);
    participant(&mut m, "Ash");
    m.sync_now().unwrap();
    let before = w.storage.position(w.org.id).unwrap();

    let mut damaged = b"ONWD".to_vec();
    damaged.extend([codec::PROTOCOL_VERSION, 0xff, 0xff, 0xff]);
    let (status, reply) = w.post(&damaged);
    assert_eq!(status, 400);
    let ServerMessage::Error(e) = reply else {
        panic!()
    };
    assert!(e.message.contains("damaged"), "{}", e.message);

    let mut other = codec::encode(&ClientMessage::Enrol(onward_sync::message::Enrol {
        code: "x".into(),
        device_name: "x".into(),
    }));
    other[4] = 9;
    let (status, reply) = w.post(&other);
    assert_eq!(status, 400);
    let ServerMessage::Error(e) = reply else {
        panic!()
    };
    assert_eq!(e.code, ErrorCode::UnsupportedVersion);

    let wrong = ClientMessage::Sync(SyncRequest {
        token: "not-a-token".into(),
        cursor: 0,
        scope_seq: 0,
        scope_digest: Scope::default().digest(),
        push: vec![],
        want: vec![],
        notices_after: 0,
        commands: vec![],
        directory: None,
    });
    let (status, reply) = w.post(&codec::encode(&wrong));
    assert_eq!(status, 401);
    let ServerMessage::Error(e) = reply else {
        panic!()
    };
    assert!(e.message.contains("enrol it again"), "{}", e.message);

    // A code works once.
    let code = admin::issue_code(&*w.storage, mentor.id, 1).unwrap();
    let enrol = codec::encode(&ClientMessage::Enrol(onward_sync::message::Enrol {
        code,
        device_name: "Spare tablet".into(),
    }));
    assert!(matches!(w.post(&enrol).1, ServerMessage::Enrolled(_)));
    let (status, reply) = w.post(&enrol);
    assert_eq!(status, 401);
    assert!(matches!(
        reply,
        ServerMessage::Error(ServerError {
            code: ErrorCode::BadCredentials,
            ..
        })
    ));

    // An oversized message is refused before it is read.
    let mut huge = b"ONWD\x01".to_vec();
    huge.resize(onward_sync::codec::MAX_MESSAGE_BYTES + 10, 0);
    let (status, reply) = w.post(&huge);
    assert_eq!(status, 413);
    let ServerMessage::Error(e) = reply else {
        panic!()
    };
    assert_eq!(e.code, ErrorCode::TooLarge);
    assert_eq!(w.storage.position(w.org.id).unwrap(), before);

    // A replayed push stores nothing new.
    let p2 = participant(&mut m, "Bo");
    let outbox = m.store().outbox(100).unwrap();
    let replay = ClientMessage::Sync(SyncRequest {
        token: token(&m),
        cursor: before.0,
        scope_seq: before.1,
        scope_digest: Scope::default().digest(),
        push: outbox
            .iter()
            .map(|e| Pushed {
                entry: e.entry,
                doc: e.doc,
                data: e.data.clone(),
            })
            .collect(),
        want: vec![],
        notices_after: 0,
        commands: vec![],
        directory: None,
    });
    let frame = codec::encode(&replay);
    assert!(matches!(w.post(&frame).1, ServerMessage::Synced(_)));
    let after_first = w.storage.position(w.org.id).unwrap();
    assert!(matches!(w.post(&frame).1, ServerMessage::Synced(_)));
    assert_eq!(w.storage.position(w.org.id).unwrap(), after_first);
    assert_eq!(w.storage.assignments(p2).unwrap(), vec![mentor.id]);
    m.sync_now().unwrap();
    assert_eq!(caseload(&mut m).len(), 2);
    assert_eq!(m.sync_status().unwrap().waiting, 0);
}

#[test]
fn guessing_codes_is_rate_limited_but_enrolling_a_room_of_tablets_is_not() {
    let w = world();
    let mentor = w.user(Role::Mentor, true);
    // Twelve tablets enrolled one after another from the same address.
    for _ in 0..12 {
        w.device(&mentor);
    }
    let guess = |code: &str| {
        codec::encode(&ClientMessage::Enrol(onward_sync::message::Enrol {
            code: code.into(),
            device_name: "Guess".into(),
        }))
    };
    for i in 0..onward_server::http::FAILURES_PER_WINDOW {
        let (status, _) = w.post(&guess(&format!("AAAA-BBBB-{i:04}")));
        assert_eq!(status, 401, "attempt {i}");
    }
    // Now even a good code waits, and is still good after the wait.
    let code = admin::issue_code(&*w.storage, mentor.id, 1).unwrap();
    let (status, reply) = w.post(&guess(&code));
    assert_eq!(status, 429);
    let ServerMessage::Error(e) = reply else {
        panic!()
    };
    assert!(e.message.contains("wait a minute"), "{}", e.message);
    let devices = w.storage.devices(w.org.id).unwrap().len();
    assert_eq!(devices, 12, "a refused enrolment adds no device");
}

#[test]
fn the_demo_organisation_signs_in_and_syncs_by_role() {
    let w = world();
    let demo = admin::seed_demo(&*w.storage, "Demo Charity", 9).unwrap();
    assert!(admin::seed_demo(&*w.storage, "Demo Charity", 9).is_err());
    let sign_in = |username: &str| {
        App::enrol(
            &w.dir.path().join(username),
            &StoreKey::from_bytes([3; 32]),
            &w.server.url(),
            Credentials::Password {
                username: username.into(),
                password: admin::DEMO_PASSWORD.into(),
            },
            "Demo tablet",
            &mut HttpTransport::new(&w.server.url()).unwrap(),
        )
        .unwrap()
    };
    let kinds = |app: &App| {
        let mut held: Vec<DocKind> = app
            .store()
            .held_docs()
            .unwrap()
            .iter()
            .map(|d| d.kind)
            .collect();
        held.sort_by_key(|k| *k as u8);
        held.dedup();
        held
    };
    let mut coordinator = sign_in("coordinator");
    coordinator.sync_now().unwrap();
    assert_eq!(caseload(&mut coordinator).len(), demo.participants);
    let mut cleared = sign_in("mentor1");
    cleared.sync_now().unwrap();
    assert_eq!(caseload(&mut cleared).len(), 3);
    assert_eq!(
        kinds(&cleared),
        [DocKind::Plan, DocKind::Notes, DocKind::Restricted]
    );
    let mut peer = sign_in("peer-mentor");
    peer.sync_now().unwrap();
    assert_eq!(caseload(&mut peer).len(), 3);
    // A peer mentor holds Plan and Notes, never Restricted; a concern only where they raised
    // it (the demo draws its concerns from a history that ends today, so some days there is one).
    let held = kinds(&peer);
    assert!(
        held == [DocKind::Plan, DocKind::Notes]
            || held == [DocKind::Plan, DocKind::Notes, DocKind::Concern],
        "a peer mentor held {held:?}"
    );
    let peer_user = demo
        .users
        .iter()
        .find(|(name, _)| name == "peer-mentor")
        .map(|(_, u)| u.id)
        .unwrap();
    for id in peer.store().held_docs().unwrap() {
        if id.kind == DocKind::Concern {
            let doc = peer
                .store()
                .load_doc::<onward_core::model::Safeguarding>(id)
                .unwrap()
                .unwrap();
            assert_eq!(doc.read().concern.raised.by, peer_user, "another's concern");
        }
    }
}

#[test]
fn background_sync_backs_off_while_the_server_is_down_and_catches_up_when_it_returns() {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    let mut w = world();
    let mentor = w.user(Role::Mentor, true);
    let app = Arc::new(Mutex::new(w.device(&mentor)));
    let addr = w.server.addr;
    // The server goes away (no signal at the prison gate).
    std::mem::replace(
        &mut w.server,
        TestServer::start(w.storage.clone(), None).unwrap(),
    )
    .stop();

    let p = participant(&mut app.lock().unwrap(), "Offline");
    let timing = onward_app::Timing {
        soon: Duration::from_millis(20),
        every: Duration::from_secs(60),
        first_retry: Duration::from_millis(50),
        max_backoff: Duration::from_millis(300),
    };
    let background = onward_app::BackgroundSync::start(app.clone(), timing);
    let wait_for = |what: &str, done: &dyn Fn(&SyncStatus) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = app.lock().unwrap().sync_status().unwrap();
            if done(&status) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {status:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let down = wait_for("a failed attempt", &|s| s.last_error.is_some());
    assert!(down.waiting > 0);
    assert!(
        down.last_error
            .unwrap()
            .contains("could not reach the office")
    );

    // Signal returns: the same server comes back on the same address.
    let back = TestServer::start(w.storage.clone(), Some(addr)).unwrap();
    background.nudge();
    let up = wait_for("the changes to reach the server", &|s| {
        s.waiting == 0 && s.last_error.is_none()
    });
    assert!(up.last_synced.is_some());
    assert_eq!(w.storage.assignments(p).unwrap(), vec![mentor.id]);
    background.stop();
    back.stop();
}

#[test]
fn a_long_first_sync_reports_its_progress_after_every_round_trip() {
    let w = world();
    let coordinator = w.user(Role::Coordinator, true);
    // More documents than a device asks for in one round, so the first sync takes several.
    let participants = onward_sync::client::MAX_WANT / 3 + 50;
    let demo = onward_core::demo::organisation(
        7,
        onward_core::demo::DemoSize {
            participants,
            max_history_days: 0,
        },
        onward_core::time::Timestamp::now(),
    )
    .unwrap();
    let concerns: usize = demo
        .participants
        .iter()
        .map(|(_, d)| d.concerns.len())
        .sum();
    for (_, mut docs) in demo.participants {
        admin::import_participant(&*w.storage, &w.org, &mut docs, None).unwrap();
    }
    let app = std::sync::Mutex::new(w.device(&coordinator));
    let mut http = HttpTransport::new(&w.server.url()).unwrap();
    let mut seen: Vec<SyncReport> = Vec::new();
    let report =
        onward_app::sync_shared_reporting(&app, &mut http, &mut |r| seen.push(r.clone())).unwrap();
    assert_eq!(report.fetched, (3 * participants + concerns) as u64);
    assert!(
        seen.len() >= 2,
        "a sync of {} documents reported progress {} times",
        report.fetched,
        seen.len()
    );
    // Each report is the run so far: rounds and records only ever go up, and the last one
    // before the end is short of the total.
    for pair in seen.windows(2) {
        assert!(pair[1].rounds > pair[0].rounds);
        assert!(pair[1].fetched >= pair[0].fetched);
    }
    let last = seen.last().unwrap();
    assert!(last.fetched > 0 && last.fetched < report.fetched);
    assert!(last.rounds < report.rounds);
}

/// Who a participant's mentors are, as a coordinator's device last heard from the office.
fn mentors_of(app: &mut App, p: ParticipantId) -> Vec<UserId> {
    let mut ids: Vec<UserId> = app
        .handle(ParticipantMentors { participant: p })
        .unwrap()
        .assigned
        .iter()
        .map(|m| m.user)
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_coordinator_assigns_and_reassigns_from_their_device_and_mentors_tablets_follow() {
    let w = world();
    let coordinator = w.user(Role::Coordinator, true);
    let first = w.user(Role::Mentor, true);
    let second = w.user(Role::PeerMentor, false);
    let mut c = w.device(&coordinator);
    let mut a = w.device(&first);
    let mut b = w.device(&second);

    // A referral recorded at the office: no one's caseload yet.
    let p = participant(&mut c, "Robin");
    c.sync_now().unwrap();
    assert_eq!(
        c.handle(GetOverview {}).unwrap().waiting_for_mentor,
        Some(1)
    );
    let staff: Vec<(UserId, Role, u32)> = c
        .handle(GetStaff {})
        .unwrap()
        .iter()
        .map(|m| (m.user, m.role, m.caseload))
        .collect();
    for who in [
        (coordinator.id, Role::Coordinator, 0),
        (first.id, Role::Mentor, 0),
        (second.id, Role::PeerMentor, 0),
    ] {
        assert!(staff.contains(&who), "{staff:?}");
    }

    // Assigned on the coordinator's device: it waits there until the next sync.
    let order = c
        .handle(AssignMentor {
            participant: p,
            mentor: first.id,
        })
        .unwrap();
    let waiting = c.handle(ParticipantMentors { participant: p }).unwrap();
    assert!(waiting.assigned.is_empty());
    assert_eq!(waiting.orders.len(), 1);
    assert_eq!(
        (waiting.orders[0].id, waiting.orders[0].answered_at),
        (order, None)
    );
    assert!(w.storage.assignments(p).unwrap().is_empty());
    c.sync_now().unwrap();
    assert_eq!(w.storage.assignments(p).unwrap(), vec![first.id]);
    let done = c.handle(ParticipantMentors { participant: p }).unwrap();
    assert!(done.orders[0].answered_at.is_some());
    assert_eq!(done.orders[0].refused, None);
    assert_eq!(mentors_of(&mut c, p), vec![first.id]);
    assert_eq!(
        c.handle(GetOverview {}).unwrap().waiting_for_mentor,
        Some(0)
    );
    a.sync_now().unwrap();
    b.sync_now().unwrap();
    assert_eq!(caseload(&mut a), vec![p]);
    assert!(caseload(&mut b).is_empty());

    // Reassigned: it leaves the first mentor's tablet and reaches the peer mentor's.
    c.handle(UnassignMentor {
        participant: p,
        mentor: first.id,
    })
    .unwrap();
    c.handle(AssignMentor {
        participant: p,
        mentor: second.id,
    })
    .unwrap();
    c.sync_now().unwrap();
    assert_eq!(w.storage.assignments(p).unwrap(), vec![second.id]);
    assert_eq!(mentors_of(&mut c, p), vec![second.id]);
    a.sync_now().unwrap();
    b.sync_now().unwrap();
    assert!(caseload(&mut a).is_empty());
    assert!(a.store().held_docs().unwrap().is_empty());
    assert_eq!(caseload(&mut b), vec![p]);
    assert!(view(&mut b, p).restricted.is_none(), "a peer mentor");

    // The admin log says who did it, from the office's own knowledge of the token.
    let log = w.storage.admin_log(Some(w.org.id), 50).unwrap();
    let mine: Vec<(&str, Option<&str>)> = log
        .iter()
        .filter(|e| e.by == format!("coordinator {}", coordinator.id))
        .map(|e| (e.action.as_str(), e.subject.as_deref()))
        .collect();
    let subject = p.to_string();
    assert_eq!(
        mine,
        [
            ("assign", Some(subject.as_str())),
            ("unassign", Some(subject.as_str())),
            ("assign", Some(subject.as_str())),
        ]
    );
}

#[test]
fn orders_for_the_office_are_judged_by_who_sends_them_and_done_once() {
    use onward_core::ids::CommandId;
    use onward_sync::message::{Command, Order};

    let w = world();
    let coordinator = w.user(Role::Coordinator, true);
    let other_coordinator = w.user(Role::Coordinator, true);
    let mentor = w.user(Role::Mentor, true);
    let off = w.user(Role::Mentor, true);
    let mut c = w.device(&coordinator);
    let mut m = w.device(&mentor);
    let c2 = w.device(&other_coordinator);
    admin::disable_user(&*w.storage, off.id).unwrap();
    let p = participant(&mut c, "Sky");
    c.sync_now().unwrap();
    m.sync_now().unwrap();
    // A participant of another charity.
    let elsewhere_org = w.storage.create_org("Other Charity", 0).unwrap();
    let elsewhere_user = admin::add_user(
        &*w.storage,
        &elsewhere_org,
        NewUser {
            role: Some(Role::Mentor),
            display_name: "Elsewhere".into(),
            cleared: true,
            ..NewUser::default()
        },
    )
    .unwrap();
    let mut e = w.device(&elsewhere_user);
    let theirs = participant(&mut e, "Theirs");
    e.sync_now().unwrap();

    let send = |app: &App, commands: Vec<Command>, directory| {
        let (_, reply) = w.orders(app, commands, directory);
        let ServerMessage::Synced(resp) = reply else {
            panic!("{reply:?}")
        };
        resp
    };
    let assign = |participant, mentor| Command {
        id: CommandId::new(),
        order: Order::Assign {
            participant,
            mentor,
        },
    };
    // Each order, who sends it, and the answer written out by hand.
    let table: Vec<(&App, Command, Option<Refused>)> = vec![
        (&m, assign(p, mentor.id), Some(Refused::CoordinatorOnly)),
        (
            &c,
            assign(p, other_coordinator.id),
            Some(Refused::NotAMentor),
        ),
        (&c, assign(p, off.id), Some(Refused::AccountOff)),
        (&c, assign(p, UserId::new()), Some(Refused::UnknownPerson)),
        (
            &c,
            assign(p, elsewhere_user.id),
            Some(Refused::UnknownPerson),
        ),
        (
            &c,
            assign(theirs, mentor.id),
            Some(Refused::UnknownParticipant),
        ),
        (
            &c,
            assign(ParticipantId::new(), mentor.id),
            Some(Refused::UnknownParticipant),
        ),
    ];
    let before = w.storage.position(w.org.id).unwrap();
    for (app, command, expected) in &table {
        let resp = send(app, vec![command.clone()], None);
        assert_eq!(resp.answers.len(), 1);
        assert_eq!(
            (&resp.answers[0].id, &resp.answers[0].refused),
            (&command.id, expected),
            "{:?}",
            command.order
        );
    }
    // Nothing refused changed anything: no assignment, the same scope generation.
    assert!(w.storage.assignments(p).unwrap().is_empty());
    assert!(w.storage.assignments(theirs).unwrap() == vec![elsewhere_user.id]);
    assert_eq!(w.storage.position(w.org.id).unwrap(), before);

    // Done once: the same order again gets the same answer and is not carried out again.
    let order = assign(p, mentor.id);
    assert_eq!(send(&c, vec![order.clone()], None).answers[0].refused, None);
    assert_eq!(w.storage.assignments(p).unwrap(), vec![mentor.id]);
    w.storage.set_assignment(p, mentor.id, false).unwrap();
    assert_eq!(send(&c, vec![order.clone()], None).answers[0].refused, None);
    assert!(
        w.storage.assignments(p).unwrap().is_empty(),
        "carried out twice"
    );
    // Another person cannot reuse its id.
    assert_eq!(
        send(&c2, vec![order.clone()], None).answers[0].refused,
        Some(Refused::AlreadyExists)
    );

    // The directory goes to coordinators who ask, and only when theirs differs.
    let none = send(&m, vec![], Some([0; 32]));
    assert!(none.directory.is_none(), "a mentor got the directory");
    let first = send(&c, vec![], Some([0; 32])).directory.unwrap();
    assert!(first.staff.iter().all(|s| s.role != Role::Participant));
    assert!(!first.staff.iter().any(|s| s.user == elsewhere_user.id));
    assert!(send(&c, vec![], Some(first.digest())).directory.is_none());

    // A request with more orders than the limit is refused whole.
    let many: Vec<Command> = (0..onward_sync::client::MAX_COMMANDS + 1)
        .map(|_| assign(p, mentor.id))
        .collect();
    let (status, reply) = w.orders(&c, many, None);
    assert_eq!(status, 413, "{reply:?}");
    assert!(w.storage.assignments(p).unwrap().is_empty());
}

/// The latest order's answer on a coordinator's device: (refused, code).
fn last_order(app: &mut App) -> OfficeOrder {
    app.handle(GetOfficeOrders {}).unwrap().remove(0)
}

#[test]
fn people_and_tablets_are_managed_from_a_coordinators_device() {
    use onward_core::ids::CommandId;
    use onward_sync::message::{Command, Order};

    let w = world();
    let coordinator = w.user(Role::Coordinator, true);
    let mentor = w.user(Role::Mentor, true);
    let mut c = w.device(&coordinator);
    let mut first = w.device(&mentor);
    let p = participant(&mut first, "Jo");
    first.sync_now().unwrap();
    c.sync_now().unwrap();

    // A code for the mentor's new tablet: made by the office at the sync, shown once.
    c.handle(IssueEnrolmentCode { user: mentor.id }).unwrap();
    assert_eq!(last_order(&mut c).code, None, "before the sync");
    c.sync_now().unwrap();
    let order = last_order(&mut c);
    assert_eq!(order.refused, None);
    let code = order.code.expect("the office's code");
    let mut second = App::enrol(
        &w.dir.path().join("second-tablet"),
        &StoreKey::from_bytes([9; 32]),
        &w.server.url(),
        Credentials::Code(code.clone()),
        "Second tablet",
        &mut HttpTransport::new(&w.server.url()).unwrap(),
    )
    .unwrap();
    second.sync_now().unwrap();
    assert_eq!(caseload(&mut second), vec![p]);
    // Used once.
    assert!(
        App::enrol(
            &w.dir.path().join("third-tablet"),
            &StoreKey::from_bytes([9; 32]),
            &w.server.url(),
            Credentials::Code(code),
            "Third tablet",
            &mut HttpTransport::new(&w.server.url()).unwrap(),
        )
        .is_err()
    );
    c.sync_now().unwrap();
    let staff = c.handle(GetStaff {}).unwrap();
    let theirs = staff.iter().find(|m| m.user == mentor.id).unwrap();
    let names: Vec<&str> = theirs.devices.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Test tablet", "Second tablet"]);

    // Withdraw the first tablet: it deletes its records at its next contact.
    let device = first.identity().device;
    c.handle(RevokeDevice { device }).unwrap();
    c.sync_now().unwrap();
    assert_eq!(last_order(&mut c).refused, None);
    assert_eq!(first.sync_now().unwrap_err().kind, ErrorKind::Forbidden);
    assert!(first.store().held_docs().unwrap().is_empty());
    second.sync_now().unwrap();

    // Turn the account off: every tablet withdrawn; a coordinator cannot turn off their own.
    assert_eq!(
        c.handle(SetAccountEnabled {
            user: coordinator.id,
            enabled: false,
        })
        .unwrap_err()
        .kind,
        ErrorKind::Forbidden
    );
    c.handle(SetAccountEnabled {
        user: mentor.id,
        enabled: false,
    })
    .unwrap();
    c.sync_now().unwrap();
    assert_eq!(last_order(&mut c).refused, None);
    assert_eq!(second.sync_now().unwrap_err().kind, ErrorKind::Forbidden);
    let staff = c.handle(GetStaff {}).unwrap();
    let theirs = staff.iter().find(|m| m.user == mentor.id).unwrap();
    assert!(!theirs.enabled && theirs.devices.is_empty());
    // A code for a turned-off account is refused by the office.
    c.handle(IssueEnrolmentCode { user: mentor.id }).unwrap();
    c.sync_now().unwrap();
    let refused = last_order(&mut c);
    assert_eq!(
        (refused.refused, refused.code),
        (Some(Refused::AccountOff), None)
    );

    // Every change is in the admin log as this coordinator's.
    let log = w.storage.admin_log(Some(w.org.id), 50).unwrap();
    let mine: Vec<&str> = log
        .iter()
        .filter(|e| e.by == format!("coordinator {}", coordinator.id))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(mine, ["enrol-code", "revoke", "disable-user"]);

    // From a modified client: judged by the sender and the organisation, done once.
    let other_org = w.storage.create_org("Other Charity", 0).unwrap();
    let stranger = admin::add_user(
        &*w.storage,
        &other_org,
        NewUser {
            role: Some(Role::Mentor),
            display_name: "Stranger".into(),
            cleared: true,
            ..NewUser::default()
        },
    )
    .unwrap();
    let stranger_tablet = w.device(&stranger);
    let peer = w.user(Role::PeerMentor, false);
    let peer_tablet = w.device(&peer);
    let send = |app: &App, order: Order| {
        let command = Command {
            id: CommandId::new(),
            order,
        };
        let (_, reply) = w.orders(app, vec![command], None);
        let ServerMessage::Synced(mut resp) = reply else {
            panic!("{reply:?}")
        };
        let a = resp.answers.remove(0);
        (a.refused, a.code.is_some())
    };
    let table: Vec<(&App, Order, Option<Refused>, bool)> = vec![
        (
            &peer_tablet,
            Order::IssueCode { user: peer.id },
            Some(Refused::CoordinatorOnly),
            false,
        ),
        (
            &c,
            Order::IssueCode { user: stranger.id },
            Some(Refused::UnknownPerson),
            false,
        ),
        (
            &c,
            Order::RevokeDevice {
                device: stranger_tablet.identity().device,
            },
            Some(Refused::UnknownDevice),
            false,
        ),
        (
            &c,
            Order::SetEnabled {
                user: stranger.id,
                enabled: false,
            },
            Some(Refused::UnknownPerson),
            false,
        ),
        (
            &c,
            Order::SetEnabled {
                user: coordinator.id,
                enabled: false,
            },
            Some(Refused::OwnAccount),
            false,
        ),
        (&c, Order::IssueCode { user: peer.id }, None, true),
    ];
    for (app, order, refused, with_code) in table {
        assert_eq!(send(app, order.clone()), (refused, with_code), "{order:?}");
    }
    // The stranger's tablet still works: nothing of theirs was touched.
    let mut stranger_tablet = stranger_tablet;
    stranger_tablet.sync_now().unwrap();
}
