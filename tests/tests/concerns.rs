//! Concerns always reach the office, and nothing recorded on a tablet is silently deleted.
//! The real server on a loopback port with SQLite storage, and app cores enrolled with real
//! codes; "offline" is a tablet that records without syncing.

use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::document::DocId;
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::policy::Refused;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::sqlite::Sqlite;
use onward_server::storage::{Organisation, Storage, User};

struct World {
    dir: tempfile::TempDir,
    storage: Arc<Sqlite>,
    server: TestServer,
    org: Organisation,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let org = storage.create_org("Concern Charity", 0).unwrap();
    let server = TestServer::start(storage.clone(), None).unwrap();
    World {
        dir,
        storage,
        server,
        org,
    }
}

impl World {
    fn user(&self, role: Role, cleared: bool, name: &str) -> User {
        admin::add_user(
            &*self.storage,
            &self.org,
            NewUser {
                role: Some(role),
                display_name: name.into(),
                cleared,
                ..NewUser::default()
            },
        )
        .unwrap()
    }

    fn device(&self, user: &User) -> App {
        let code = admin::issue_code(&*self.storage, user.id, 1).unwrap();
        App::enrol(
            &self.dir.path().join(DeviceId::new().to_string()),
            &StoreKey::from_bytes([3; 32]),
            &self.server.url(),
            Credentials::Code(code),
            "Concern tablet",
            &mut HttpTransport::new(&self.server.url()).unwrap(),
        )
        .unwrap()
    }
}

fn new_participant(app: &mut App, name: &str) -> ParticipantId {
    app.handle(CreateParticipant {
        input: NewParticipant {
            preferred_name: name.into(),
            programme: "Next Steps".into(),
            pathways: vec![],
        },
    })
    .unwrap()
}

fn raise(app: &mut App, p: ParticipantId, what: &str) -> ConcernId {
    app.handle(RaiseConcern {
        participant: p,
        input: NewConcern {
            category: ConcernCategory::RiskToSelf,
            urgency: Urgency::High,
            description: what.into(),
        },
    })
    .unwrap()
}

fn concerns(app: &mut App, p: ParticipantId) -> Vec<onward_core::model::Concern> {
    app.handle(GetParticipant { participant: p })
        .unwrap()
        .concerns
}

/// Every stored byte of every document the app holds, decrypted, in one buffer.
fn everything_held(app: &App) -> Vec<u8> {
    let store = app.store();
    let mut all = Vec::new();
    for d in store.held_docs().unwrap() {
        all.extend(store.load_bytes(d).unwrap().unwrap_or_default());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_peer_mentors_concerns_reach_the_office_and_the_answer_comes_back() {
    let w = world();
    let coordinator = w.user(Role::Coordinator, true, "Office Pat");
    let peer = w.user(Role::PeerMentor, false, "Peer Jo");
    let mut c = w.device(&coordinator);

    // A participant already on the peer mentor's caseload, with restricted details that the
    // peer mentor must never hold.
    let known = new_participant(&mut c, "Known");
    c.handle(RecordReferral {
        participant: known,
        input: NewReferral {
            source: ReferralSource::Probation,
            referrer: "Probation officer".into(),
            date: "2026-10-01".parse().unwrap(),
            reason: "REFERRAL-REASON-SECRET".into(),
            supervision_end: None,
            risk_level: RiskLevel::VeryHigh,
        },
    })
    .unwrap();
    let office_concern = raise(&mut c, known, "OFFICE-CONCERN-TEXT");
    c.sync_now().unwrap();
    w.storage.set_assignment(known, peer.id, true).unwrap();

    let mut p = w.device(&peer);
    p.sync_now().unwrap();
    assert!(
        concerns(&mut p, known).is_empty(),
        "the office's concern is not theirs"
    );

    // Offline: a new referral met in the community, and concerns about both participants.
    let met = new_participant(&mut p, "Met Today");
    let about_new = raise(&mut p, met, "Sleeping rough since Friday");
    let about_known = raise(&mut p, known, "Talked about hurting themself");
    assert_eq!(concerns(&mut p, met).len(), 1);

    let report = p.sync_now().unwrap();
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(w.storage.assignments(met).unwrap(), vec![peer.id]);

    // The coordinator sees both, urgent, in the open concerns.
    c.sync_now().unwrap();
    let today = c.handle(Today::default()).unwrap();
    let open: Vec<ConcernId> = today.open_concerns.iter().map(|r| r.concern).collect();
    for id in [about_new, about_known, office_concern] {
        assert!(open.contains(&id), "{id} missing from {open:?}");
    }
    assert_eq!(
        concerns(&mut c, met)
            .iter()
            .map(|c| c.description.as_str())
            .collect::<Vec<_>>(),
        ["Sleeping rough since Friday"]
    );

    // The coordinator answers both; the peer mentor sees each answer on their own concern.
    for (p_id, concern, text) in [
        (met, about_new, "Called the outreach team"),
        (known, about_known, "Spoke to them and their GP"),
    ] {
        c.handle(RespondToConcern {
            participant: p_id,
            input: ConcernReply {
                concern,
                text: text.into(),
                status: ConcernStatus::Acknowledged,
            },
        })
        .unwrap();
    }
    c.sync_now().unwrap();
    p.sync_now().unwrap();
    let answered = |app: &mut App, who: ParticipantId| -> Vec<(ConcernStatus, Vec<String>)> {
        concerns(app, who)
            .into_iter()
            .map(|c| {
                (
                    c.status,
                    c.responses.values().map(|r| r.text.clone()).collect(),
                )
            })
            .collect()
    };
    assert_eq!(
        answered(&mut p, met),
        vec![(
            ConcernStatus::Acknowledged,
            vec!["Called the outreach team".to_string()]
        )]
    );
    assert_eq!(
        answered(&mut p, known),
        vec![(
            ConcernStatus::Acknowledged,
            vec!["Spoke to them and their GP".to_string()]
        )]
    );

    // The history shows, beside each change's own time, when the office received it: for the
    // peer mentor's own changes and for the coordinator's answer alike.
    let history = p.handle(History { participant: met }).unwrap();
    assert!(history.len() >= 4, "{history:?}");
    for item in &history {
        let received = item
            .entry
            .received
            .unwrap_or_else(|| panic!("{} has no office time", item.entry.operation));
        assert!(
            received.millis() >= item.entry.at.millis() - 60_000,
            "{item:?}"
        );
    }
    assert!(
        history
            .iter()
            .any(|i| i.entry.operation == "respond_to_concern")
    );

    // The peer mentor's tablet never holds referral, risk or the office's own concern.
    let kinds: Vec<DocKind> = p
        .store()
        .held_docs()
        .unwrap()
        .iter()
        .map(|d| d.kind)
        .collect();
    assert!(!kinds.contains(&DocKind::Restricted), "{kinds:?}");
    assert!(
        !p.store()
            .held_docs()
            .unwrap()
            .contains(&DocId::concern(known, office_concern))
    );
    let bytes = everything_held(&p);
    for secret in ["REFERRAL-REASON-SECRET", "very-high", "OFFICE-CONCERN-TEXT"] {
        assert!(
            !contains(&bytes, secret),
            "{secret} reached the peer mentor"
        );
    }
    assert!(
        p.handle(GetParticipant { participant: known })
            .unwrap()
            .restricted
            .is_none()
    );
}

#[test]
fn a_change_the_office_refuses_stays_on_the_tablet_and_the_coordinator_is_told() {
    let w = world();
    let coordinator = w.user(Role::Coordinator, true, "Office Pat");
    let mentor = w.user(Role::Mentor, true, "Mentor Sam");
    let mut c = w.device(&coordinator);
    let robin = new_participant(&mut c, "Robin");
    c.sync_now().unwrap();
    w.storage.set_assignment(robin, mentor.id, true).unwrap();
    let mut m = w.device(&mentor);
    m.sync_now().unwrap();

    // Offline, the mentor logs a session; meanwhile the office moves Robin to someone else.
    m.handle(LogSession {
        participant: robin,
        input: NewSession {
            private_notes: "Robin said the new job starts Monday".into(),
            ..NewSession::attended("2026-12-01T10:00:00Z".parse().unwrap(), 40)
        },
    })
    .unwrap();
    w.storage.set_assignment(robin, mentor.id, false).unwrap();

    let report = m.sync_now().unwrap();
    assert!(
        report.refused.contains(&Refused::NotOnCaseload),
        "{:?}",
        report.refused
    );
    // Robin has left the tablet, but what was written has not.
    assert!(m.handle(Caseload::default()).unwrap().is_empty());
    let held = m.handle(GetNotAccepted {}).unwrap();
    assert!(!held.is_empty());
    let notes = held
        .iter()
        .find(|h| h.document == DocKind::Notes)
        .expect("the session is kept");
    assert_eq!(notes.participant, robin);
    assert_eq!(notes.preferred_name, "Robin");
    assert_eq!(
        notes.operation,
        Some(onward_core::policy::Operation::LogSession)
    );
    assert_eq!(notes.why, Refused::NotOnCaseload);
    assert!(
        serde_json::to_string(&notes.recorded)
            .unwrap()
            .contains("Robin said the new job starts Monday")
    );
    assert_eq!(
        m.handle(GetSyncStatus {}).unwrap().not_accepted,
        held.len() as u64
    );

    // The coordinator is told who, about whom, what kind of change and why; not its content.
    c.sync_now().unwrap();
    let notices = c.handle(GetOfficeNotices {}).unwrap();
    let n = notices
        .iter()
        .find(|n| n.document == DocKind::Notes)
        .expect("the coordinator is told");
    assert_eq!(
        (n.user, n.participant, n.operation, n.why.clone()),
        (
            mentor.id,
            robin,
            Some(onward_core::policy::Operation::LogSession),
            Refused::NotOnCaseload
        )
    );
    assert_eq!(n.user_name, "Mentor Sam");
    assert!(
        !serde_json::to_string(&notices)
            .unwrap()
            .contains("new job starts Monday")
    );
    // Only coordinators see office notices.
    assert_eq!(
        m.handle(GetOfficeNotices {}).unwrap_err().kind,
        ErrorKind::Forbidden
    );

    // Once the mentor has dealt with them, they are no longer listed.
    for h in &held {
        m.handle(ResolveNotAccepted { id: h.id }).unwrap();
    }
    assert!(m.handle(GetNotAccepted {}).unwrap().is_empty());
    assert_eq!(
        m.handle(ResolveNotAccepted { id: held[0].id })
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
}

#[test]
fn an_edit_made_offline_after_someone_signed_the_session_off_is_kept_not_merged() {
    let w = world();
    let coordinator = w.user(Role::Coordinator, true, "Office Pat");
    let mentor = w.user(Role::Mentor, true, "Mentor Sam");
    let mut c = w.device(&coordinator);
    let robin = new_participant(&mut c, "Robin");
    let session = c
        .handle(LogSession {
            participant: robin,
            input: NewSession {
                private_notes: "Signed version".into(),
                ..NewSession::attended("2026-12-01T10:00:00Z".parse().unwrap(), 40)
            },
        })
        .unwrap();
    c.sync_now().unwrap();
    w.storage.set_assignment(robin, mentor.id, true).unwrap();
    let mut m = w.device(&mentor);
    m.sync_now().unwrap();

    // The office signs the session off; the mentor, offline, edits it.
    c.handle(SignOffSession {
        participant: robin,
        input: SessionSignOff { session },
    })
    .unwrap();
    c.sync_now().unwrap();
    m.handle(EditSession {
        participant: robin,
        input: SessionEdit {
            private_notes: Some("Edited offline afterwards".into()),
            ..SessionEdit::of(session)
        },
    })
    .unwrap();
    let report = m.sync_now().unwrap();
    assert!(
        report.refused.contains(&Refused::SignedOff),
        "{:?}",
        report.refused
    );

    // Both tablets agree on the signed content; the offline edit is kept for the mentor.
    for app in [&mut c, &mut m] {
        app.sync_now().unwrap();
        let notes = app
            .handle(GetParticipant { participant: robin })
            .unwrap()
            .notes
            .unwrap();
        let record = notes.session(session).unwrap();
        assert!(record.is_signed_off());
        assert_eq!(record.current().unwrap().private_notes, "Signed version");
    }
    let held = m.handle(GetNotAccepted {}).unwrap();
    let edit = held
        .iter()
        .find(|h| h.why == Refused::SignedOff)
        .expect("the offline edit is kept");
    assert_eq!(
        edit.operation,
        Some(onward_core::policy::Operation::EditSession)
    );
    assert!(
        serde_json::to_string(&edit.recorded)
            .unwrap()
            .contains("Edited offline afterwards")
    );
}
