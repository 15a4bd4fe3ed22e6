//! A coordinator imports participants from a CSV file (docs/IMPORT.md) on their tablet, syncs
//! with the real server on a loopback port, and the server accepts every record: it stores the
//! participants with their goals and appointments, and another coordinator's tablet receives
//! them.

use std::sync::Arc;

use onward_api::*;
use onward_app::{App, Credentials, HttpTransport, StoreKey};
use onward_core::document::{Doc, DocId};
use onward_core::ids::*;
use onward_core::model::Plan;
use onward_core::vocab::*;
use onward_server::TestServer;
use onward_server::admin::{self, NewUser};
use onward_server::storage::Storage;
use onward_server::storage::sqlite::Sqlite;

/// The documented example's layout, with appointments a month and two months from now (the
/// server judges records against its own clock, and an import takes only appointments still to
/// come).
fn example_from_now() -> String {
    let now = onward_core::time::Timestamp::now();
    let in_days = |d: i64| now.plus_minutes(d * 24 * 60).london_display();
    format!(
        "ref,preferred_name,programme,status,pathways,goal,goal_pathway,why_it_matters,appointment_starts,appointment_kind,with_whom,location,reminder\n\
         A001,Robin,Next Steps,active,employment;finance-benefits,Get a warehouse job,employment,\"I want my own money, and to show my kids I can\",{},job-centre,Work coach,\"Job Centre, High Street\",yes\n\
         A001,,,,,Open a bank account,finance-benefits,,,,,,\n\
         A002,Sam,Next Steps,active,accommodation,Find a flat of my own,accommodation,,{},housing,Housing officer,Council offices,no\n\
         A003,Jordan,Women's Project,referred,,,,,,,,,\n",
        in_days(30),
        in_days(60)
    )
}

#[test]
fn imported_participants_reach_the_server_at_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Sqlite::open(&dir.path().join("server.db")).unwrap());
    let org = storage.create_org("Test Charity", 0).unwrap();
    let server = TestServer::start(storage.clone(), None).unwrap();
    let device = |name: &str| {
        let user = admin::add_user(
            &*storage,
            &org,
            NewUser {
                role: Some(Role::Coordinator),
                display_name: name.into(),
                cleared: true,
                ..NewUser::default()
            },
        )
        .unwrap();
        let code = admin::issue_code(&*storage, user.id, 1).unwrap();
        App::enrol(
            &dir.path().join(DeviceId::new().to_string()),
            &StoreKey::from_bytes([7; 32]),
            &server.url(),
            Credentials::Code(code),
            "Office laptop",
            &mut HttpTransport::new(&server.url()).unwrap(),
        )
        .unwrap()
    };
    let mut office = device("Test coordinator");
    let report = office
        .handle(ImportParticipants {
            csv: example_from_now(),
        })
        .unwrap();
    assert_eq!(report.refused, vec![]);
    assert_eq!(report.participants.len(), 3);
    assert_eq!(office.handle(GetSyncStatus {}).unwrap().waiting, 9);

    let synced = office.sync_now().unwrap();
    assert_eq!(
        synced.refused,
        vec![],
        "the server refused imported records"
    );
    assert_eq!(office.handle(GetSyncStatus {}).unwrap().waiting, 0);
    assert_eq!(office.handle(GetNotAccepted {}).unwrap(), vec![]);

    // The server holds each participant's documents, with what the file said.
    let mut names = Vec::new();
    let (mut goals, mut appointments) = (0, 0);
    for p in &report.participants {
        let docs = storage
            .documents(&DocId::participant_docs(p.participant))
            .unwrap();
        assert_eq!(docs.len(), 3, "row {}", p.row);
        let plan_id = DocId::new(p.participant, DocKind::Plan);
        let (_, bytes) = docs.iter().find(|(id, _)| *id == plan_id).unwrap();
        let plan = Doc::<Plan>::load(plan_id, bytes).unwrap();
        names.push(plan.read().profile.preferred_name.clone());
        goals += plan.read().goals.len();
        appointments += plan.read().appointments.len();
    }
    assert_eq!(names, vec!["Robin", "Sam", "Jordan"]);
    assert_eq!((goals, appointments), (3, 2));

    // Another coordinator's tablet receives them, statuses and all.
    let mut other = device("Second coordinator");
    other.sync_now().unwrap();
    let mut rows: Vec<(String, ParticipantStatus, u32)> = other
        .handle(Caseload::default())
        .unwrap()
        .into_iter()
        .map(|r| (r.preferred_name, r.status, r.open_goals))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        vec![
            ("Jordan".to_string(), ParticipantStatus::Referred, 0),
            ("Robin".to_string(), ParticipantStatus::Active, 2),
            ("Sam".to_string(), ParticipantStatus::Active, 1),
        ]
    );
}
