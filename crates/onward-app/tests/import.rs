//! Importing participants from a CSV file (docs/IMPORT.md) on a real encrypted store: good
//! rows become participants with their goals and appointments, queued for the office; bad rows
//! are each refused with the reason (written out here by hand) and nothing is stored; a file
//! cut off half-way imports nothing; only coordinators import.

use std::sync::Arc;

use onward_api::*;
use onward_app::{App, StoreKey};
use onward_core::ids::*;
use onward_core::time::Timestamp;
use onward_core::vocab::*;

/// The example file shipped with the documentation.
const EXAMPLE: &str = include_str!("../../../docs/import-example.csv");

fn app(dir: &std::path::Path, role: Role) -> App {
    let me = Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role,
        display_name: "Test coordinator".into(),
        cleared: true,
    };
    let mut app = App::create(dir, &StoreKey::from_bytes([3; 32]), me).unwrap();
    // 1 December 2026: every appointment in the example is still to come.
    let now: Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
    app.set_clock(Arc::new(move || now));
    app
}

fn import(app: &mut App, csv: &str) -> ImportReport {
    app.handle(ImportParticipants { csv: csv.into() }).unwrap()
}

/// Nothing is stored and nothing waits for the office.
fn assert_nothing_stored(app: &mut App) {
    assert!(app.handle(Caseload::default()).unwrap().is_empty());
    assert_eq!(app.store().outbox_len().unwrap(), 0);
}

#[test]
fn the_example_file_imports_participants_goals_and_appointments() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), Role::Coordinator);
    let report = import(&mut app, EXAMPLE);
    assert_eq!(report.refused, vec![]);
    assert_eq!(
        report
            .participants
            .iter()
            .map(|p| p.row)
            .collect::<Vec<_>>(),
        vec![2, 4, 5]
    );
    assert_eq!((report.goals, report.appointments), (3, 2));

    let robin = app
        .handle(GetParticipant {
            participant: report.participants[0].participant,
        })
        .unwrap();
    assert_eq!(robin.plan.profile.preferred_name, "Robin");
    assert_eq!(robin.plan.profile.programme, "Next Steps");
    assert_eq!(robin.plan.profile.status, ParticipantStatus::Active);
    assert_eq!(
        robin.plan.profile.pathways,
        vec![Pathway::Employment, Pathway::FinanceBenefits]
    );
    let mut goals: Vec<_> = robin.plan.goals.values().collect();
    goals.sort_by_key(|g| g.title.clone());
    assert_eq!(goals[0].title, "Get a warehouse job");
    assert_eq!(
        goals[0].why_it_matters,
        "I want my own money, and to show my kids I can"
    );
    assert_eq!(goals[0].target_date.unwrap().to_string(), "2027-06-30");
    assert_eq!(goals[0].review_due.unwrap().to_string(), "2027-02-01");
    assert_eq!(goals[0].status, GoalStatus::Active);
    assert_eq!(goals[1].title, "Open a bank account");
    assert_eq!(goals[1].pathway, Pathway::FinanceBenefits);
    let appointment = robin.plan.appointments.values().next().unwrap();
    assert_eq!(appointment.kind, AppointmentKind::JobCentre);
    // 12 January is winter: London time is UTC.
    assert_eq!(
        appointment.starts_at.to_string(),
        "2027-01-12T10:00:00.000Z"
    );
    assert_eq!(
        appointment.ends_at.unwrap().to_string(),
        "2027-01-12T10:45:00.000Z"
    );
    assert_eq!(appointment.location, "Job Centre, High Street");
    assert_eq!(appointment.with_whom, "Work coach");
    assert!(appointment.support.reminder && !appointment.support.travel_arranged);

    let sam = app
        .handle(GetParticipant {
            participant: report.participants[1].participant,
        })
        .unwrap();
    // 15/07/2027 14:30 is British Summer Time: 13:30 UTC.
    let a = sam.plan.appointments.values().next().unwrap();
    assert_eq!(a.starts_at.to_string(), "2027-07-15T13:30:00.000Z");
    assert_eq!(a.kind, AppointmentKind::Housing);
    assert!(a.support.travel_arranged);
    let g = sam.plan.goals.values().next().unwrap();
    assert_eq!(g.review_due.unwrap().to_string(), "2027-02-15");

    let jordan = app
        .handle(GetParticipant {
            participant: report.participants[2].participant,
        })
        .unwrap();
    assert_eq!(jordan.plan.profile.status, ParticipantStatus::Referred);
    assert!(jordan.plan.goals.is_empty() && jordan.plan.appointments.is_empty());

    assert_eq!(app.handle(Caseload::default()).unwrap().len(), 3);
    // Each participant's three documents wait in the outbox for the office.
    let queued: std::collections::BTreeSet<_> = app
        .store()
        .outbox(1000)
        .unwrap()
        .into_iter()
        .map(|e| e.doc)
        .collect();
    assert_eq!(queued.len(), 9);
    // Still there after reopening: it was committed.
    drop(app);
    let mut again = App::open(dir.path(), &StoreKey::from_bytes([3; 32])).unwrap();
    assert_eq!(again.handle(Caseload::default()).unwrap().len(), 3);
}

#[test]
fn every_bad_row_is_refused_with_its_reason_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), Role::Coordinator);
    let long_name = "x".repeat(201);
    let csv = format!(
        "ref,preferred_name,programme,status,pathways,goal,goal_pathway,target_date,appointment_starts,appointment_ends,appointment_kind,reminder,accompanied_by\n\
         1,Alex,Next Steps,active,employment,Get a job,employment,2027-05-01,2027-01-05 10:00,,job-centre,yes,\n\
         2,   ,Next Steps,,,,,,,,,,\n\
         3,{long_name},,,,,,,,,,,\n\
         4,Casey,,asleep,,,,,,,,,\n\
         5,Drew,,,jobs,,,,,,,,\n\
         6,Eden,,,,Learn to drive,,,,,,,\n\
         7,Finley,,,,Learn to cook,health-wellbeing,next spring,,,,,\n\
         8,Gray,,,,,,,2026-11-01 10:00,,probation,,\n\
         9,Harper,,,,,,,2027-01-05 10:00,2027-01-05 09:00,court,,\n\
         10,Indy,,,,,,,2027-01-05 10:00,,dentist,maybe,\n\
         11,Jude,,,,,,,,,housing,,\n\
         12,Kai,,,,,,,2027-01-05 10:00,,bank,,Dave\n\
         1,Alexa,,,,,,,,,,,\n\
         13,Lee,Next Steps\n"
    );
    let report = import(&mut app, &csv);
    assert!(report.participants.is_empty());
    let got: Vec<(u64, Option<&str>, &str)> = report
        .refused
        .iter()
        .map(|r| (r.row, r.column.as_deref(), r.reason.as_str()))
        .collect();
    let expected: Vec<(u64, Option<&str>, &str)> = vec![
        (3, Some("preferred_name"), "cannot be empty"),
        (
            4,
            Some("preferred_name"),
            "is 201 characters long; shorten it to 200 or fewer",
        ),
        (
            5,
            Some("status"),
            "'asleep' is not one of: referred, active, paused, completed, withdrawn",
        ),
        (
            6,
            Some("pathways"),
            "'jobs' is not one of: employment, education-training, volunteering, accommodation, finance-benefits, health-wellbeing, substance-use, family-relationships, attitudes-thinking",
        ),
        (
            7,
            Some("goal_pathway"),
            "cannot be empty when the row has a goal: use one of employment, education-training, volunteering, accommodation, finance-benefits, health-wellbeing, substance-use, family-relationships, attitudes-thinking",
        ),
        (
            8,
            Some("target_date"),
            "'next spring' is not a date: write it as 2026-03-01 or 01/03/2026",
        ),
        (
            9,
            Some("appointment_starts"),
            "'2026-11-01 10:00' is in the past: import only appointments still to come",
        ),
        (10, Some("appointment_ends"), "must be after the start time"),
        (
            11,
            Some("appointment_kind"),
            "'dentist' is not one of: probation, job-centre, housing, health, court, college, interview, bank, other",
        ),
        (11, Some("reminder"), "'maybe' is not yes or no"),
        (
            12,
            Some("appointment_starts"),
            "cannot be empty when the row has an appointment: give the date and time it starts",
        ),
        (
            13,
            Some("accompanied_by"),
            "'Dave' is not a user id: give the mentor's id as `onward-server users` lists it, or leave it empty",
        ),
        (
            14,
            Some("preferred_name"),
            "differs from row 2 for the same ref: leave it empty on later rows for the same person, or give this person another ref",
        ),
        (
            15,
            None,
            "this row has 3 of the 13 columns and the file ends here: the file looks cut off, so nothing was imported; export it again",
        ),
    ];
    assert_eq!(got, expected);
    // The rule's own field and problem travel with a refusal the app's rules made.
    assert_eq!(
        report.refused[0].field,
        Some(onward_core::validate::Field::PreferredName)
    );
    assert_eq!(
        report.refused[0].problem,
        Some(onward_core::validate::Problem::Empty)
    );
    assert_nothing_stored(&mut app);
}

#[test]
fn a_file_cut_off_half_way_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), Role::Coordinator);
    // Half of the example: it ends part-way through a row.
    let half = &EXAMPLE[..EXAMPLE.len() / 2];
    let report = import(&mut app, half);
    assert!(report.participants.is_empty());
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    assert!(
        report.refused[0].reason.contains("looks cut off"),
        "{:?}",
        report.refused
    );
    assert_nothing_stored(&mut app);

    // Cut inside a quoted cell, whatever the number of columns: still nothing.
    let at = EXAMPLE.find("my own money").unwrap();
    let report = import(&mut app, &EXAMPLE[..at]);
    assert_eq!(
        report
            .refused
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect::<Vec<_>>(),
        vec![(
            2,
            "the file ends inside a quoted cell on this row: it looks cut off, so nothing was imported; export it again"
        )]
    );
    assert_nothing_stored(&mut app);

    // The whole file afterwards imports as usual.
    assert_eq!(import(&mut app, EXAMPLE).participants.len(), 3);
}

#[test]
fn unknown_columns_and_missing_names_are_refused_before_any_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), Role::Coordinator);
    let report = import(&mut app, "preferred_name,offence\nRobin,theft\n");
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].row, 1);
    assert!(
        report.refused[0]
            .reason
            .starts_with("the column 'offence' is not one Onward imports"),
        "{}",
        report.refused[0].reason
    );
    let report = import(&mut app, "programme\nNext Steps\n");
    assert_eq!(
        report.refused[0].reason,
        "the file has no preferred_name column: every participant needs one"
    );
    let report = import(&mut app, "");
    assert_eq!(report.refused[0].row, 1);
    assert_nothing_stored(&mut app);
}

#[test]
fn only_coordinators_import() {
    for (role, code) in [
        (Role::Mentor, "coordinator_only"),
        (Role::PeerMentor, "coordinator_only"),
        (Role::Participant, "handed_over"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), role);
        let e = app
            .handle(ImportParticipants {
                csv: EXAMPLE.into(),
            })
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Forbidden, "{role}");
        assert_eq!(e.code.as_deref(), Some(code), "{role}");
        assert_nothing_stored(&mut app);
    }
}
