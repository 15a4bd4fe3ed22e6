//! A mentor's calendar export read back with the icalendar crate's parser: an appointment in
//! British Summer Time and one in winter at the UTC instants worked out by hand, where, with
//! whom and who goes with them in the event, and nothing from notes or the Restricted record.

use std::sync::Arc;

use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventLike};
use onward_api::*;
use onward_app::{App, StoreKey};
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::time::Timestamp;
use onward_core::vocab::*;

fn mentor(dir: &std::path::Path) -> App {
    let me = Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role: Role::Mentor,
        display_name: "Sam Mentor".into(),
        cleared: true,
    };
    let mut app = App::create(dir, &StoreKey::from_bytes([4; 32]), me).unwrap();
    let now: Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
    app.set_clock(Arc::new(move || now));
    app
}

fn appointment(app: &mut App, p: ParticipantId, input: NewAppointment) -> AppointmentId {
    app.handle(PlanAppointment {
        participant: p,
        input,
    })
    .unwrap()
}

fn start_of(e: &icalendar::Event) -> String {
    match e.get_start() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => t.to_rfc3339(),
        other => panic!("not a UTC time: {other:?}"),
    }
}

fn end_of(e: &icalendar::Event) -> Option<String> {
    match e.get_end() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => Some(t.to_rfc3339()),
        None => None,
        other => panic!("not a UTC time: {other:?}"),
    }
}

#[test]
fn summer_and_winter_appointments_at_the_right_instants_and_nothing_private() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = mentor(dir.path());
    let me = app.identity().user;
    let robin = app
        .handle(CreateParticipant {
            input: NewParticipant {
                preferred_name: "Robin".into(),
                programme: "Next Steps".into(),
                pathways: vec![],
            },
        })
        .unwrap();
    // Winter: 10:00 in London on 12 January is 10:00 UTC.
    let winter = appointment(
        &mut app,
        robin,
        NewAppointment {
            starts_at: "2027-01-12 10:00".parse().unwrap(),
            ends_at: Some("2027-01-12 10:45".parse().unwrap()),
            kind: AppointmentKind::JobCentre,
            with_whom: "Work coach".into(),
            location: "Job Centre, High Street".into(),
            reminder: true,
            travel_arranged: false,
            accompanied_by: Some(me),
        },
    );
    // Summer: 14:30 in London on 15 July is 13:30 UTC (British Summer Time).
    let summer = appointment(
        &mut app,
        robin,
        NewAppointment {
            starts_at: "2027-07-15 14:30".parse().unwrap(),
            ends_at: None,
            kind: AppointmentKind::Housing,
            with_whom: "Housing officer".into(),
            location: "Council offices".into(),
            reminder: false,
            travel_arranged: true,
            accompanied_by: None,
        },
    );
    // Already happened: not in the calendar.
    appointment(
        &mut app,
        robin,
        NewAppointment {
            starts_at: "2026-11-20 10:00".parse().unwrap(),
            ends_at: None,
            kind: AppointmentKind::Bank,
            with_whom: String::new(),
            location: String::new(),
            reminder: false,
            travel_arranged: false,
            accompanied_by: None,
        },
    );
    // Private and restricted things that must never reach a phone's calendar.
    app.handle(LogSession {
        participant: robin,
        input: NewSession {
            private_notes: "PRIVATE-NOTE-WORDS".into(),
            summary: "SHARED-SUMMARY-WORDS".into(),
            ..NewSession::attended("2026-11-30T10:00:00Z".parse().unwrap(), 30)
        },
    })
    .unwrap();
    app.handle(RecordReferral {
        participant: robin,
        input: NewReferral {
            source: ReferralSource::Probation,
            referrer: "REFERRER-WORDS".into(),
            date: "2026-10-01".parse().unwrap(),
            reason: "REFERRAL-REASON-WORDS".into(),
            supervision_end: None,
            risk_level: RiskLevel::High,
        },
    })
    .unwrap();

    let file = app
        .handle(ExportCalendar {
            days: Some(366),
            only_mine: false,
        })
        .unwrap();
    assert_eq!(file.events, 2);
    for secret in [
        "PRIVATE-NOTE-WORDS",
        "SHARED-SUMMARY-WORDS",
        "REFERRER-WORDS",
        "REFERRAL-REASON-WORDS",
        "Next Steps",
    ] {
        assert!(!file.ics.contains(secret), "{secret} is in the file");
    }
    // Written as UTC instants, which every calendar shows in its own zone.
    assert!(
        file.ics.contains("DTSTART:20270112T100000Z"),
        "{}",
        file.ics
    );
    assert!(
        file.ics.contains("DTSTART:20270715T133000Z"),
        "{}",
        file.ics
    );

    let cal: icalendar::Calendar = file.ics.parse().unwrap();
    let mut events: Vec<&icalendar::Event> = cal.events().collect();
    events.sort_by_key(|e| start_of(e));
    assert_eq!(events.len(), 2);

    let w = events[0];
    assert_eq!(w.get_uid(), Some(format!("{winter}@onward").as_str()));
    assert_eq!(start_of(w), "2027-01-12T10:00:00+00:00");
    assert_eq!(end_of(w).as_deref(), Some("2027-01-12T10:45:00+00:00"));
    assert_eq!(w.get_summary(), Some("Robin: Job centre"));
    assert_eq!(w.get_location(), Some("Job Centre, High Street"));
    assert_eq!(
        w.get_description(),
        Some(
            "With: Work coach\nGoing with Robin: Sam Mentor (you)\nReminder sent: yes\nTravel arranged: no"
        )
    );

    let s = events[1];
    assert_eq!(s.get_uid(), Some(format!("{summer}@onward").as_str()));
    assert_eq!(start_of(s), "2027-07-15T13:30:00+00:00");
    assert_eq!(end_of(s), None);
    assert_eq!(s.get_summary(), Some("Robin: Housing"));
    assert_eq!(s.get_location(), Some("Council offices"));
    assert_eq!(
        s.get_description(),
        Some(
            "With: Housing officer\nGoing with Robin: no one yet\nReminder sent: no\nTravel arranged: yes"
        )
    );

    // Only the ones I go to; and the default window (90 days) leaves July out.
    let mine = app
        .handle(ExportCalendar {
            days: Some(366),
            only_mine: true,
        })
        .unwrap();
    assert_eq!(mine.events, 1);
    assert!(mine.ics.contains("20270112T100000Z"));
    let default = app.handle(ExportCalendar::default()).unwrap();
    assert_eq!(default.events, 1);
    // Out-of-range windows are refused with the field's rule.
    let e = app
        .handle(ExportCalendar {
            days: Some(0),
            only_mine: false,
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("calendar_days"));
}

#[test]
fn a_participant_holding_the_tablet_cannot_export_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let me = Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role: Role::Participant,
        display_name: "Handed over".into(),
        cleared: false,
    };
    let mut app = App::create(dir.path(), &StoreKey::from_bytes([4; 32]), me).unwrap();
    let e = app.handle(ExportCalendar::default()).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("handed_over"));
}
