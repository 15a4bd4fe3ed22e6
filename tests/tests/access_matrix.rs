//! The access-control matrix, enforced by the server: every role × document kind × operation.
//! Each change is made by a "rogue" copy of the app that skips the device's own role checks
//! (it signs changes as the real user and device), then pushed with the real device token.
//! The server must store exactly the combinations `onward_core::access` allows on documents
//! the person may hold, and refuse every other one with a reason.

use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::access;
use onward_core::document::{Doc, DocId};
use onward_core::ids::*;
use onward_core::model::{Notes, Plan, Restricted};
use onward_core::ops::ParticipantDocs;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Storage, User};
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

fn docs_from_server(storage: &Sqlite, p: ParticipantId) -> ParticipantDocs {
    let id = |kind| DocId {
        participant: p,
        kind,
    };
    let got = storage
        .documents(&[
            id(DocKind::Plan),
            id(DocKind::Notes),
            id(DocKind::Restricted),
        ])
        .unwrap();
    assert_eq!(got.len(), 3);
    ParticipantDocs {
        plan: Doc::<Plan>::load(id(DocKind::Plan), &got[0].1).unwrap(),
        notes: Doc::<Notes>::load(id(DocKind::Notes), &got[1].1).unwrap(),
        restricted: Doc::<Restricted>::load(id(DocKind::Restricted), &got[2].1).unwrap(),
    }
}

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
    // Every operation that changes a document is in the matrix.
    let names: Vec<&str> = operations(&setup(&mut c)).iter().map(|(o, _)| *o).collect();
    for (op, _) in access::OPERATIONS.iter().filter(|(op, _)| *op != "create") {
        assert!(names.contains(op), "{op} is missing from the matrix");
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
    for (label, role, cleared) in people {
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
            rogue.import(docs_from_server(&storage, p)).unwrap();
            let mut args = args.clone();
            args["participant"] = json!(p);
            rogue
                .dispatch(op, args)
                .unwrap_or_else(|e| panic!("{op} could not run: {e}"));
            let entries = rogue.store().outbox(100).unwrap();
            assert!(!entries.is_empty(), "{op} made no change");
            for entry in entries {
                let kind = entry.doc.kind;
                let holds = assigned
                    && access::may_hold(person.user.role, person.user.cleared, kind)
                    && (person.user.role != Role::Participant
                        || person.user.participant == Some(p));
                let allowed = holds && access::may_change(person.user.role, op, kind).is_ok();
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
                if allowed {
                    assert!(
                        resp.refused.is_empty(),
                        "{label} {op} {kind}: refused {:?}",
                        resp.refused
                    );
                    assert!(stored, "{label} {op} {kind}: allowed but nothing stored");
                } else {
                    assert_eq!(
                        resp.refused.len(),
                        1,
                        "{label} {op} {kind}: should be refused"
                    );
                    assert!(!resp.refused[0].reason.is_empty());
                    assert!(
                        !stored,
                        "{label} {op} {kind}: refused but something was stored"
                    );
                }
                checked += 1;
            }
        }
    }
    // 6 people × 24 operations, log_session and edit_session touching two documents each.
    assert_eq!(checked, 6 * 26);
}
