//! The access-control matrix, enforced by the server: every role × operation × document.
//! Each change is made by a "rogue" copy of the app that skips the device's own checks (it
//! signs changes as the real user and device), then pushed with the real device token. The
//! expected outcome of every combination is written out by hand in [`EXPECTED`], never
//! computed from the policy code under test.

use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::document::{Doc, DocId};
use onward_core::ids::*;
use onward_core::model::{Notes, Plan, Restricted, Safeguarding};
use onward_core::ops::ParticipantDocs;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Rule, Storage, User};
use onward_sync::codec;
use onward_sync::message::*;
use onward_sync::scope::Scope;
use serde_json::json;

struct Person {
    user: User,
    device: DeviceId,
    token: String,
}

fn enrol(storage: &Sqlite, server: &TestServer, user: User, dir: &std::path::Path) -> Person {
    let code = admin::issue_code(storage, user.id, 1).unwrap();
    let mut http = HttpTransport::new(&server.url()).unwrap();
    let app = App::enrol(
        &dir.join(user.id.to_string()),
        &StoreKey::from_bytes([5; 32]),
        &server.url(),
        Credentials::Code(code),
        "Matrix tablet",
        &mut http,
    )
    .unwrap();
    Person {
        device: app.identity().device,
        token: app.store().meta("sync.token").unwrap().unwrap(),
        user,
    }
}

fn docs_from_server(storage: &Sqlite, office: &User, p: ParticipantId) -> ParticipantDocs {
    let id = |kind| DocId::new(p, kind);
    let got = storage
        .documents(&[
            id(DocKind::Plan),
            id(DocKind::Notes),
            id(DocKind::Restricted),
        ])
        .unwrap();
    assert_eq!(got.len(), 3);
    let (_, all) = storage.scope(office.org, Rule::of(office)).unwrap();
    let concern_ids: Vec<DocId> = all
        .into_iter()
        .filter(|d| d.participant == p && d.kind == DocKind::Concern)
        .collect();
    let concerns = storage
        .documents(&concern_ids)
        .unwrap()
        .into_iter()
        .map(|(id, bytes)| Doc::<Safeguarding>::load(id, &bytes).unwrap())
        .collect();
    ParticipantDocs {
        plan: Doc::<Plan>::load(id(DocKind::Plan), &got[0].1).unwrap(),
        notes: Doc::<Notes>::load(id(DocKind::Notes), &got[1].1).unwrap(),
        restricted: Doc::<Restricted>::load(id(DocKind::Restricted), &got[2].1).unwrap(),
        concerns,
    }
}

/// What the server must do with each change, worked out by hand from DESIGN.md: `S` stored,
/// otherwise the refusal's code. Columns: coordinator, cleared mentor, uncleared mentor, peer
/// mentor, the participant (their own record), a cleared mentor of another caseload. An
/// operation that writes two documents has a row for each.
const S: &str = "stored";
const NOT_OURS: &str = "not_on_caseload";
const HANDED: &str = "handed_over";
const HOLD: &str = "may_not_hold";
#[rustfmt::skip]
const EXPECTED: &[(&str, DocKind, [&str; 6])] = &[
    ("update_profile",             DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("add_goal",                   DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("update_goal",                DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("add_step",                   DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("tick_step",                  DocKind::Plan,       [S, S, S, S, S, NOT_OURS]),
    ("review_goal",                DocKind::Plan,       [S, S, S, S, S, NOT_OURS]),
    ("sign_off_goal",              DocKind::Plan,       [S, S, S, S, S, NOT_OURS]),
    ("plan_appointment",           DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("complete_follow_up",         DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("record_appointment_outcome", DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("record_achievement",         DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("record_progression",         DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("check_sustained",            DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("record_checkin",             DocKind::Plan,       [S, S, S, S, S, NOT_OURS]),
    ("save_disclosure",            DocKind::Plan,       [S, S, S, S, S, NOT_OURS]),
    ("log_session",                DocKind::Notes,      [S, S, S, S, HOLD, NOT_OURS]),
    ("log_session",                DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("edit_session",               DocKind::Notes,      [S, S, S, S, HOLD, NOT_OURS]),
    ("edit_session",               DocKind::Plan,       [S, S, S, S, HANDED, NOT_OURS]),
    ("sign_off_session",           DocKind::Notes,      [S, S, S, S, HOLD, NOT_OURS]),
    ("add_addendum",               DocKind::Notes,      [S, S, S, S, HOLD, NOT_OURS]),
    ("record_referral",            DocKind::Restricted, [S, S, HOLD, HOLD, HOLD, NOT_OURS]),
    ("record_consent",             DocKind::Restricted, [S, S, HOLD, HOLD, HOLD, NOT_OURS]),
    ("add_key_contact",            DocKind::Restricted, [S, S, HOLD, HOLD, HOLD, NOT_OURS]),
    ("raise_concern",              DocKind::Concern,    [S, S, S, S, HANDED, NOT_OURS]),
    ("respond_to_concern",         DocKind::Concern,    [S, "coordinator_only", HOLD, HOLD, HOLD, NOT_OURS]),
];

/// The participant made for one person, and the things operations act on.
#[derive(Clone)]
struct Ids {
    participant: ParticipantId,
    goal: serde_json::Value,
    step: serde_json::Value,
    appointment: serde_json::Value,
    progression: serde_json::Value,
    session: serde_json::Value,
    concern: serde_json::Value,
}

#[test]
fn every_role_kind_and_operation_is_checked_by_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let org = storage.create_org("Matrix Charity", 0).unwrap();
    let server = TestServer::start(storage.clone(), None).unwrap();
    let add = |role, cleared, participant| {
        admin::add_user(
            &*storage,
            &org,
            NewUser {
                role: Some(role),
                display_name: format!("Matrix {role}"),
                cleared,
                participant,
                ..NewUser::default()
            },
        )
        .unwrap()
    };

    // A coordinator sets up a participant with something for every operation to act on.
    let coordinator = add(Role::Coordinator, true, None);
    let code = admin::issue_code(&*storage, coordinator.id, 1).unwrap();
    let mut c = App::enrol(
        &dir.path().join("coordinator"),
        &StoreKey::from_bytes([5; 32]),
        &server.url(),
        Credentials::Code(code),
        "Office laptop",
        &mut HttpTransport::new(&server.url()).unwrap(),
    )
    .unwrap();
    let call = |app: &mut App, name: &str, args: serde_json::Value| {
        app.dispatch(name, args)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let setup = |c: &mut App| -> Ids {
        let p: ParticipantId = serde_json::from_value(call(
            c,
            "create_participant",
            json!({"preferred_name": "Matrix", "programme": "Next Steps", "pathways": []}),
        ))
        .unwrap();
        let goal = call(
            c,
            "add_goal",
            json!({"participant": p, "title": "A goal", "pathway": "employment"}),
        );
        let step = call(
            c,
            "add_step",
            json!({"participant": p, "goal": goal, "text": "A step"}),
        );
        let appointment = call(
            c,
            "plan_appointment",
            json!({"participant": p, "starts_at": "2026-11-20T10:00:00Z", "kind": "job-centre", "with_whom": "Work coach"}),
        );
        call(
            c,
            "record_appointment_outcome",
            json!({"participant": p, "appointment": appointment, "status": "attended", "follow_up": "Send CV"}),
        );
        let progression = call(
            c,
            "record_progression",
            json!({"participant": p, "kind": "employment", "description": "Warehouse job", "start_date": "2026-01-05"}),
        );
        let session = call(
            c,
            "log_session",
            json!({"participant": p, "started_at": "2026-11-20T10:00:00Z", "duration_minutes": 30,
               "mode": "in-person", "session_type": "one-to-one", "attendance": "attended"}),
        );
        let concern = call(
            c,
            "raise_concern",
            json!({"participant": p, "category": "health", "urgency": "low", "description": "Seemed low"}),
        );
        c.sync_now().unwrap();
        Ids {
            participant: p,
            goal,
            step,
            appointment,
            progression,
            session,
            concern,
        }
    };

    let operations = |ids: &Ids| -> Vec<(&'static str, serde_json::Value)> {
        let Ids {
            goal,
            step,
            appointment,
            progression,
            session,
            concern,
            ..
        } = ids.clone();
        vec![
            ("update_profile", json!({"programme": "Next Steps 2"})),
            (
                "add_goal",
                json!({"title": "Another goal", "pathway": "education-training"}),
            ),
            ("update_goal", json!({"goal": goal, "title": "Renamed"})),
            ("add_step", json!({"goal": goal, "text": "Another step"})),
            (
                "tick_step",
                json!({"goal": goal, "step": step, "done": true}),
            ),
            ("review_goal", json!({"goal": goal, "rating": 7})),
            ("sign_off_goal", json!({"goal": goal})),
            (
                "plan_appointment",
                json!({"starts_at": "2026-12-01T10:00:00Z", "kind": "housing", "with_whom": "Officer"}),
            ),
            ("complete_follow_up", json!({"appointment": appointment})),
            (
                "record_appointment_outcome",
                json!({"appointment": appointment, "status": "attended", "outcome": "Went well"}),
            ),
            (
                "record_achievement",
                json!({"kind": "course", "title": "First aid", "date": "2026-11-01"}),
            ),
            (
                "record_progression",
                json!({"kind": "volunteering", "description": "Food bank", "start_date": "2026-11-01"}),
            ),
            (
                "check_sustained",
                json!({"progression": progression, "weeks": 13, "sustained": true}),
            ),
            (
                "record_checkin",
                json!({"scores": [{"pathway": "employment", "score": 6}]}),
            ),
            ("save_disclosure", json!({"text": "In my own words."})),
            (
                "log_session",
                json!({"started_at": "2026-11-21T10:00:00Z", "duration_minutes": 20,
                                "mode": "phone", "session_type": "one-to-one", "attendance": "attended", "summary": "We talked."}),
            ),
            (
                "edit_session",
                json!({"session": session, "duration_minutes": 40, "summary": "We talked about work."}),
            ),
            ("sign_off_session", json!({"session": session})),
            (
                "add_addendum",
                json!({"session": session, "text": "Also discussed housing."}),
            ),
            (
                "record_referral",
                json!({"source": "probation", "referrer": "Case manager", "date": "2026-10-01",
                                    "reason": "Wants work", "risk_level": "low"}),
            ),
            (
                "record_consent",
                json!({"version": "v2", "scope": "Sharing with college", "given": true, "given_by": "Participant"}),
            ),
            (
                "add_key_contact",
                json!({"role": "Case manager", "name": "A. Person"}),
            ),
            (
                "raise_concern",
                json!({"category": "health", "urgency": "medium", "description": "Missed two sessions"}),
            ),
            (
                "respond_to_concern",
                json!({"concern": concern, "text": "Called them", "status": "closed"}),
            ),
        ]
    };
    // Every operation a request can run is in the matrix (creating a participant is tested
    // with the sync scenarios).
    let names: Vec<&str> = operations(&setup(&mut c)).iter().map(|(o, _)| *o).collect();
    for name in onward_api::REQUEST_NAMES {
        if onward_api::changes(name)
            && !matches!(
                *name,
                "create_participant"
                    | "sync_now"
                    | "resolve_not_accepted"
                    // A batch of create_participant, update_profile, add_goal and
                    // plan_appointment, each judged as such (tests/tests/import.rs).
                    | "import_participants"
                    // Orders for the office, not document changes: judged by the server as
                    // commands (tests/tests/sync.rs, orders_for_the_office_… and
                    // people_and_tablets_…).
                    | "assign_mentor"
                    | "unassign_mentor"
                    | "issue_enrolment_code"
                    | "revoke_device"
                    | "set_account_enabled"
            )
        {
            assert!(names.contains(name), "{name} is missing from the matrix");
        }
    }

    let people = [
        ("coordinator", Role::Coordinator, true),
        ("cleared mentor", Role::Mentor, true),
        ("uncleared mentor", Role::Mentor, false),
        ("peer mentor", Role::PeerMentor, false),
        ("participant", Role::Participant, false),
        ("another caseload's mentor", Role::Mentor, true),
    ];
    let mut checked = 0;
    for (column, (label, role, cleared)) in people.into_iter().enumerate() {
        // A fresh participant for each person, so every operation acts on the same state.
        let ids = setup(&mut c);
        let p = ids.participant;
        let user = add(role, cleared, (role == Role::Participant).then_some(p));
        let assigned = !label.starts_with("another");
        if assigned && matches!(role, Role::Mentor | Role::PeerMentor) {
            storage.set_assignment(p, user.id, true).unwrap();
        }
        let person = enrol(&storage, &server, user, dir.path());
        for (op, args) in &operations(&ids) {
            // A rogue copy of the app: signs as the real user and device, checks nothing.
            let rogue_dir = dir.path().join(format!("rogue-{}", DeviceId::new()));
            let mut rogue = App::create(
                &rogue_dir,
                &StoreKey::from_bytes([6; 32]),
                Identity {
                    user: person.user.id,
                    device: person.device,
                    role: Role::Coordinator,
                    display_name: "Rogue".into(),
                    cleared: true,
                },
            )
            .unwrap();
            rogue
                .import(docs_from_server(&storage, &coordinator, p))
                .unwrap();
            let mut args = args.clone();
            args["participant"] = json!(p);
            rogue
                .dispatch(op, args)
                .unwrap_or_else(|e| panic!("{op} could not run: {e}"));
            let entries = rogue.store().outbox(100).unwrap();
            assert!(!entries.is_empty(), "{op} made no change");
            for entry in entries {
                let kind = entry.doc.kind;
                let expected = EXPECTED
                    .iter()
                    .find(|(o, k, _)| o == op && *k == kind)
                    .unwrap_or_else(|| panic!("{op} {kind} is not in the table"))
                    .2[column];
                let (seq, scope_seq) = storage.position(org.id).unwrap();
                let request = ClientMessage::Sync(SyncRequest {
                    token: person.token.clone(),
                    cursor: seq,
                    scope_seq,
                    scope_digest: Scope::default().digest(),
                    push: vec![Pushed {
                        entry: entry.entry,
                        doc: entry.doc,
                        data: entry.data.clone(),
                    }],
                    want: vec![],
                    notices_after: 0,
                    commands: vec![],
                    directory: None,
                });
                let mut http = HttpTransport::new(&server.url()).unwrap();
                let reply =
                    onward_app::Transport::exchange(&mut http, &codec::encode(&request)).unwrap();
                let ServerMessage::Synced(resp) = codec::decode::<ServerMessage>(&reply).unwrap()
                else {
                    panic!("{label} {op}: the server did not answer a sync");
                };
                assert_eq!(resp.acked, vec![entry.entry], "{label} {op} {kind}");
                let stored = storage.position(org.id).unwrap().0 > seq;
                let outcome = match resp.refused.as_slice() {
                    [] => S,
                    [r] => r.why.code(),
                    more => panic!("{label} {op} {kind}: {more:?}"),
                };
                assert_eq!(outcome, expected, "{label} {op} {kind}");
                assert_eq!(
                    stored,
                    expected == S,
                    "{label} {op} {kind}: stored must match the outcome"
                );
                checked += 1;
            }
        }
    }
    // 6 people × 24 operations, log_session and edit_session touching two documents each.
    assert_eq!(checked, 6 * 26);
}
