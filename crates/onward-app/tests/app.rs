//! The app core against real encrypted SQLite files: durability across reopen, derived tables
//! that match the documents, role limits, compaction, and bad input changing nothing.

use std::path::Path;
use std::sync::Arc;

use onward_api::*;
use onward_app::App;
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::time::Timestamp;
use onward_core::vocab::*;
use onward_store::{Store, StoreKey};

fn key() -> StoreKey {
    StoreKey::from_bytes([42; 32])
}

fn identity(role: Role) -> Identity {
    Identity {
        user: UserId::new(),
        device: DeviceId::new(),
        role,
        display_name: "Test user".into(),
        cleared: true,
    }
}

fn session(minutes: u32) -> NewSession {
    NewSession {
        topics: vec![Pathway::Employment],
        mood_before: Some(2),
        mood_after: Some(4),
        summary: "We looked at jobs.".into(),
        next_steps: "Apply for two.".into(),
        private_notes: "Synthetic note.".into(),
        ..NewSession::attended("2026-11-20T10:00:00Z".parse().unwrap(), minutes)
    }
}

fn new_participant(app: &mut App, name: &str) -> ParticipantId {
    app.handle(CreateParticipant {
        input: NewParticipant {
            preferred_name: name.into(),
            programme: "Next Steps".into(),
            pathways: vec![Pathway::Employment],
        },
    })
    .unwrap()
}

#[test]
fn edits_survive_reopening_and_notify_subscribers() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Mentor)).unwrap();
    let events = app.subscribe();
    let p = new_participant(&mut app, "Robin");
    let s = app
        .handle(LogSession {
            participant: p,
            input: session(45),
        })
        .unwrap();
    let g = app
        .handle(AddGoal {
            participant: p,
            input: NewGoal {
                title: "Get my CSCS card".into(),
                pathway: Pathway::Employment,
                why_it_matters: String::new(),
                target_date: None,
                review_due: Some("2026-11-25".parse().unwrap()),
            },
        })
        .unwrap();
    assert_eq!(events.try_iter().count(), 3);
    drop(app);

    let mut app = App::open(dir.path(), &key()).unwrap();
    let view = app.handle(GetParticipant { participant: p }).unwrap();
    assert_eq!(view.plan.profile.preferred_name, "Robin");
    assert!(view.plan.goals.contains_key(&g.to_string()));
    let notes = view.notes.unwrap();
    assert_eq!(
        notes
            .session(s)
            .unwrap()
            .current()
            .unwrap()
            .duration_minutes,
        45
    );
    assert_eq!(view.summary.unsigned_sessions, 1);
    let today = app
        .handle(Today {
            day: Some("2026-11-20".parse().unwrap()),
        })
        .unwrap();
    assert_eq!(today.goals_due.len(), 1);
    assert_eq!(today.unsigned_sessions.len(), 1);
}

#[test]
fn bad_input_is_refused_with_the_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Mentor)).unwrap();
    let p = new_participant(&mut app, "Sky");
    let before = app.handle(History { participant: p }).unwrap().len();
    for (minutes, field) in [(0, "duration"), (721, "duration")] {
        let err = app
            .handle(LogSession {
                participant: p,
                input: session(minutes),
            })
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert_eq!(err.field.as_deref(), Some(field));
    }
    let mut long = session(30);
    long.private_notes = "x".repeat(20_001);
    assert!(
        app.handle(LogSession {
            participant: p,
            input: long
        })
        .unwrap_err()
        .message
        .contains("shorten it")
    );
    let err = app
        .handle(PlanAppointment {
            participant: p,
            input: NewAppointment {
                starts_at: "2026-11-20T10:00:00Z".parse().unwrap(),
                ends_at: Some("2026-11-20T09:00:00Z".parse().unwrap()),
                kind: AppointmentKind::Bank,
                with_whom: String::new(),
                location: String::new(),
                reminder: false,
                travel_arranged: false,
                accompanied_by: None,
            },
        })
        .unwrap_err();
    assert_eq!(err.message, "end time must be after the start time");
    let a = app
        .handle(PlanAppointment {
            participant: p,
            input: NewAppointment {
                starts_at: "2026-11-20T10:00:00Z".parse().unwrap(),
                ends_at: None,
                kind: AppointmentKind::Bank,
                with_whom: String::new(),
                location: String::new(),
                reminder: false,
                travel_arranged: false,
                accompanied_by: None,
            },
        })
        .unwrap();
    let err = app
        .handle(RecordAppointmentOutcome {
            participant: p,
            input: AppointmentOutcome {
                appointment: a,
                status: AppointmentStatus::Attended,
                outcome: String::new(),
                went_with_them: true,
                follow_up: None,
                follow_up_due: None,
                expenses_pence: Some(-5),
            },
        })
        .unwrap_err();
    assert!(err.message.contains("cannot be negative"));
    let err = app
        .handle(AddGoal {
            participant: p,
            input: NewGoal {
                title: "   ".into(),
                pathway: Pathway::Employment,
                why_it_matters: String::new(),
                target_date: None,
                review_due: None,
            },
        })
        .unwrap_err();
    assert_eq!(err.message, "title cannot be empty");
    let s = app
        .handle(LogSession {
            participant: p,
            input: session(30),
        })
        .unwrap();
    app.handle(SignOffSession {
        participant: p,
        input: SessionSignOff { session: s },
    })
    .unwrap();
    let err = app
        .handle(EditSession {
            participant: p,
            input: SessionEdit {
                duration_minutes: Some(40),
                ..SessionEdit::of(s)
            },
        })
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    // Only the three successful edits reached the history.
    let after = app.handle(History { participant: p }).unwrap().len();
    assert_eq!(
        after,
        before + 3 + 1,
        "plan appointment, log session (2 docs), sign-off"
    );
    // Unknown participants and malformed requests get clear errors.
    let err = app
        .handle(GetParticipant {
            participant: ParticipantId::new(),
        })
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    let err = app
        .dispatch("log_session", serde_json::json!({"participant": "nope"}))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadRequest);
    let err = app
        .dispatch("drop_tables", serde_json::json!({}))
        .unwrap_err();
    assert!(err.message.contains("no command called"));
}

#[test]
fn roles_see_only_what_they_may() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Mentor)).unwrap();
    let p = new_participant(&mut app, "Kit");
    app.handle(LogSession {
        participant: p,
        input: session(30),
    })
    .unwrap();
    app.handle(RaiseConcern {
        participant: p,
        input: NewConcern {
            category: ConcernCategory::Housing,
            urgency: Urgency::High,
            description: "Synthetic concern".into(),
        },
    })
    .unwrap();
    drop(app);

    // The same store opened as each role (the server will decide roles; here we set them).
    for (role, notes, restricted) in [
        (Role::Mentor, true, true),
        (Role::PeerMentor, true, false),
        (Role::Participant, false, false),
    ] {
        let sub = tempfile::tempdir().unwrap();
        std::fs::copy(dir.path().join("onward.db"), sub.path().join("onward.db")).unwrap();
        let mut store = Store::open(&sub.path().join("onward.db"), &key()).unwrap();
        store
            .set_meta("identity", &serde_json::to_string(&identity(role)).unwrap())
            .unwrap();
        drop(store);
        let mut app = App::open(sub.path(), &key()).unwrap();
        let view = app.handle(GetParticipant { participant: p }).unwrap();
        assert_eq!(view.notes.is_some(), notes, "{role}");
        assert_eq!(view.restricted.is_some(), restricted, "{role}");
        let refused = app.handle(RecordReferral {
            participant: p,
            input: NewReferral {
                source: ReferralSource::Probation,
                referrer: String::new(),
                date: "2026-01-01".parse().unwrap(),
                reason: String::new(),
                supervision_end: None,
                risk_level: RiskLevel::Low,
            },
        });
        assert_eq!(refused.is_err(), role != Role::Mentor, "{role}");
        if role == Role::Participant {
            assert_eq!(
                app.handle(LogSession {
                    participant: p,
                    input: session(30)
                })
                .unwrap_err()
                .kind,
                ErrorKind::Forbidden
            );
            assert!(app.handle(Export { participant: p }).is_err());
        }
    }
}

#[test]
fn derived_tables_always_match_a_rebuild_from_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Coordinator)).unwrap();
    let now: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
    app.set_clock(Arc::new(move || now));
    let org = onward_core::demo::organisation(
        7,
        onward_core::demo::DemoSize {
            participants: 6,
            max_history_days: 120,
        },
        now,
    )
    .unwrap();
    let mut ids = Vec::new();
    for (_, docs) in org.participants {
        ids.push(app.import(docs).unwrap());
    }
    // More edits of every kind through the app, then compare with a rebuild.
    for (i, p) in ids.iter().enumerate() {
        let view = app.handle(GetParticipant { participant: *p }).unwrap();
        let goal = view.plan.goals.values().next().unwrap().id;
        app.handle(ReviewGoal {
            participant: *p,
            input: NewReview {
                goal,
                rating: 7,
                comment: String::new(),
                next_review: Some(now.london_day().plus_days(i as i64)),
            },
        })
        .unwrap();
        app.handle(UpdateGoal {
            participant: *p,
            input: GoalChange {
                goal,
                title: None,
                why_it_matters: None,
                target_date: None,
                review_due: None,
                status: Some(GoalStatus::Achieved),
            },
        })
        .unwrap();
        let c = app
            .handle(RaiseConcern {
                participant: *p,
                input: NewConcern {
                    category: ConcernCategory::Health,
                    urgency: Urgency::Low,
                    description: "Synthetic".into(),
                },
            })
            .unwrap();
        if i % 2 == 0 {
            app.handle(RespondToConcern {
                participant: *p,
                input: ConcernReply {
                    concern: c,
                    text: "Done".into(),
                    status: ConcernStatus::Closed,
                },
            })
            .unwrap();
        }
        app.handle(LogSession {
            participant: *p,
            input: session(20),
        })
        .unwrap();
    }
    let incremental = app.store().derived_tables().unwrap();
    assert_eq!(incremental.caseload.len(), 6);
    let path = app.store().path().to_path_buf();
    drop(app);
    let mut store = Store::open(&path, &key()).unwrap();
    store.rebuild_derived().unwrap();
    assert_eq!(store.derived_tables().unwrap(), incremental);
}

#[test]
fn compaction_folds_changes_without_losing_any() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Mentor)).unwrap();
    let p = new_participant(&mut app, "Lee");
    for m in 1..=100 {
        app.handle(LogSession {
            participant: p,
            input: session(m),
        })
        .unwrap();
    }
    app.flush_compaction();
    assert_eq!(app.compaction_error(), None);
    let pending = app.store().pending_changes().unwrap();
    assert!(
        pending < onward_store::COMPACT_AFTER * 2,
        "compaction ran ({pending} changes left)"
    );
    drop(app);
    let mut app = App::open(dir.path(), &key()).unwrap();
    let view = app.handle(GetParticipant { participant: p }).unwrap();
    let mut minutes: Vec<u32> = view
        .notes
        .unwrap()
        .sessions()
        .values()
        .map(|s| s.current().unwrap().duration_minutes)
        .collect();
    minutes.sort();
    assert_eq!(minutes, (1..=100).collect::<Vec<_>>());
}

#[test]
fn a_wrong_key_a_damaged_file_or_a_foreign_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Mentor)).unwrap();
    new_participant(&mut app, "Wren");
    drop(app);
    let err = App::open(dir.path(), &StoreKey::from_bytes([1; 32])).unwrap_err();
    assert!(err.message.contains("key is wrong"), "{}", err.message);

    // Damage the file: overwrite its first pages.
    let db = dir.path().join("onward.db");
    let mut bytes = std::fs::read(&db).unwrap();
    for b in bytes.iter_mut().take(8192) {
        *b = 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    let _ = std::fs::remove_file(dir.path().join("onward.db-wal"));
    let err = App::open(dir.path(), &key()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Storage);

    // A plain SQLite file that is not ours.
    let other = tempfile::tempdir().unwrap();
    plain_sqlite(&other.path().join("onward.db"));
    let err = App::open(other.path(), &key()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Storage);
    // And a folder with no profile says so.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        App::open(empty.path(), &key()).unwrap_err().kind,
        ErrorKind::NotFound
    );
}

fn plain_sqlite(path: &Path) {
    std::fs::write(
        path,
        b"SQLite format 3\0 but not really a database at all, padded..........",
    )
    .unwrap();
}

#[test]
fn an_edit_after_reopening_appends_only_its_own_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Mentor)).unwrap();
    let p = new_participant(&mut app, "Noor");
    for m in 1..=10 {
        app.handle(LogSession {
            participant: p,
            input: session(m),
        })
        .unwrap();
    }
    drop(app);
    let mut app = App::open(dir.path(), &key()).unwrap();
    let before = app.store().size_on_disk();
    let pending_before = app.store().pending_changes().unwrap();
    app.handle(LogSession {
        participant: p,
        input: session(11),
    })
    .unwrap();
    // One new change row per document touched (notes and plan), not the whole history again.
    assert_eq!(app.store().pending_changes().unwrap(), pending_before + 2);
    // The write-ahead log holds each page the transaction touched once: the two documents'
    // change rows and every query table and index the edit moves (about eighteen pages);
    // the whole history written again would be far more.
    let after = app.store().size_on_disk();
    assert!(after < before + 96 * 1024, "{before} → {after}");
}

/// Reopens the store in `dir` as someone with `role` (roles are the server's to decide; here
/// the test sets them).
fn reopen_as(dir: &Path, role: Role) -> (tempfile::TempDir, App) {
    let sub = tempfile::tempdir().unwrap();
    let db = sub.path().join("onward.db");
    std::fs::copy(dir.join("onward.db"), &db).unwrap();
    let mut store = Store::open(&db, &key()).unwrap();
    store
        .set_meta("identity", &serde_json::to_string(&identity(role)).unwrap())
        .unwrap();
    drop(store);
    let app = App::open(sub.path(), &key()).unwrap();
    (sub, app)
}

#[test]
fn a_coordinator_gets_a_funder_report_and_no_one_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::create(dir.path(), &key(), identity(Role::Coordinator)).unwrap();
    let at = |t: &str| -> onward_app::Clock {
        let t: Timestamp = t.parse().unwrap();
        Arc::new(move || t)
    };
    // Robin: record made 5 January 2026 (no referral recorded, so referred that day); a
    // 45-minute session on 10 January, and one at 00:30 BST on 1 April (23:30 UTC on 31
    // March), which is not in the first quarter.
    app.set_clock(at("2026-01-05T09:00:00Z"));
    let robin = new_participant(&mut app, "Robin");
    for (started, minutes) in [("2026-01-10T10:00:00Z", 45), ("2026-03-31T23:30:00Z", 60)] {
        app.handle(LogSession {
            participant: robin,
            input: NewSession::attended(started.parse().unwrap(), minutes),
        })
        .unwrap();
    }
    // Sky: another programme, record made in December 2025, a 30-minute session on 1 February.
    app.set_clock(at("2025-12-01T09:00:00Z"));
    let sky = app
        .handle(CreateParticipant {
            input: NewParticipant {
                preferred_name: "Sky".into(),
                programme: "Fresh Start".into(),
                pathways: vec![],
            },
        })
        .unwrap();
    app.handle(LogSession {
        participant: sky,
        input: NewSession::attended("2026-02-01T10:00:00Z".parse().unwrap(), 30),
    })
    .unwrap();

    let q1 = |programme: Option<&str>| FunderReport {
        from: "2026-01-01".parse().unwrap(),
        to: "2026-03-31".parse().unwrap(),
        programme: programme.map(str::to_string),
        mentor: None,
    };
    // (participants supported, referrals, starts, sessions delivered, contact minutes)
    let figures = |r: &onward_core::reports::Report| {
        (
            r.participants_supported,
            r.referrals,
            r.starts,
            r.sessions_delivered,
            r.contact_minutes,
        )
    };
    let report = app.handle(q1(None)).unwrap();
    assert_eq!(figures(&report), (2, 1, 2, 2, 75));
    let fresh = app.handle(q1(Some("Fresh Start"))).unwrap();
    assert_eq!(figures(&fresh), (1, 0, 1, 1, 30));

    // Read back from the store rather than memory, and by name as the shells call it.
    app.forget_loaded();
    let by_name = app
        .dispatch(
            "funder_report",
            serde_json::json!({"from": "2026-01-01", "to": "2026-03-31"}),
        )
        .unwrap();
    assert_eq!(by_name, serde_json::to_value(&report).unwrap());

    // The same report as a PDF: its figures are text in its (uncompressed) pages, written out
    // here by hand: 2 sessions, 75 minutes as 1.25 hours.
    let pdf = app
        .handle(FunderReportPdf {
            from: "2026-01-01".parse().unwrap(),
            to: "2026-03-31".parse().unwrap(),
            programme: None,
            mentor: None,
        })
        .unwrap();
    assert_eq!(pdf.file_name, "onward-report-2026-01-01-2026-03-31.pdf");
    let bytes = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(&pdf.base64)
            .unwrap()
    };
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"));
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has("(Period: 1 January 2026 to 31 March 2026"));
    assert!(has("(Sessions delivered) Tj"));
    assert!(has("(1.25) Tj"));
    assert!(has("/BaseFont /Helvetica"));

    // A period that ends before it starts is refused, naming the field.
    let backwards = app
        .handle(FunderReport {
            from: "2026-03-31".parse().unwrap(),
            to: "2026-01-01".parse().unwrap(),
            programme: None,
            mentor: None,
        })
        .unwrap_err();
    assert_eq!(
        (backwards.kind, backwards.field.as_deref()),
        (ErrorKind::Invalid, Some("end_time"))
    );
    drop(app);

    // Everyone else is refused, whatever they hold.
    for (role, code) in [
        (Role::Mentor, "coordinator_only"),
        (Role::PeerMentor, "coordinator_only"),
        (Role::Participant, "handed_over"),
    ] {
        let (_dir, mut other) = reopen_as(dir.path(), role);
        let err = other.handle(q1(None)).unwrap_err();
        assert_eq!(
            (err.kind, err.code.as_deref()),
            (ErrorKind::Forbidden, Some(code)),
            "{role}"
        );
        let err = other
            .handle(FunderReportPdf {
                from: "2026-01-01".parse().unwrap(),
                to: "2026-03-31".parse().unwrap(),
                programme: None,
                mentor: None,
            })
            .unwrap_err();
        assert_eq!(
            (err.kind, err.code.as_deref()),
            (ErrorKind::Forbidden, Some(code)),
            "{role}"
        );
    }
}

#[test]
fn a_coordinator_sees_the_organisation_at_a_glance_and_every_open_concern() {
    let dir = tempfile::tempdir().unwrap();
    let me = identity(Role::Coordinator);
    let mut app = App::create(dir.path(), &key(), me.clone()).unwrap();
    let at = |t: &str| -> onward_app::Clock {
        let t: Timestamp = t.parse().unwrap();
        Arc::new(move || t)
    };
    let t = |s: &str| -> Timestamp { s.parse().unwrap() };
    app.set_clock(at("2026-07-01T08:00:00Z"));
    let robin = new_participant(&mut app, "Robin");
    let sky = new_participant(&mut app, "Sky");
    let _ash = new_participant(&mut app, "Ash");
    // Robin active, Sky paused, Ash still referred.
    for (p, status) in [
        (robin, ParticipantStatus::Active),
        (sky, ParticipantStatus::Paused),
    ] {
        app.handle(UpdateProfile {
            participant: p,
            input: ProfileChange {
                preferred_name: None,
                programme: None,
                status: Some(status),
                pathways: vec![],
            },
        })
        .unwrap();
    }
    // Sessions. July 2026 in London runs from 30 June 23:00 UTC to 31 July 23:00 UTC.
    for (p, started, minutes, attended) in [
        (robin, "2026-07-01T09:00:00Z", 45, true), // in July
        (robin, "2026-06-30T23:30:00Z", 60, true), // 00:30 BST on 1 July: in July
        (robin, "2026-06-30T22:30:00Z", 30, true), // 23:30 BST on 30 June: not
        (sky, "2026-07-10T10:00:00Z", 60, false),  // missed, in July
    ] {
        let mut input = NewSession::attended(t(started), minutes);
        if !attended {
            input.attendance = Attendance::DidNotAttend;
            input.absence_reason = "Unwell".into();
        }
        app.handle(LogSession {
            participant: p,
            input,
        })
        .unwrap();
    }
    // Appointments. The week of Thursday 16 July is Monday 13 to Sunday 19 July (London).
    let appointment = |app: &mut App, p, starts: &str, with_me: bool| {
        app.handle(PlanAppointment {
            participant: p,
            input: NewAppointment {
                starts_at: t(starts),
                ends_at: None,
                kind: AppointmentKind::JobCentre,
                with_whom: "Work coach".into(),
                location: String::new(),
                reminder: false,
                travel_arranged: false,
                accompanied_by: with_me.then_some(me.user),
            },
        })
        .unwrap()
    };
    appointment(&mut app, robin, "2026-07-13T08:00:00Z", true); // Monday: in the week
    appointment(&mut app, sky, "2026-07-19T22:30:00Z", false); // 23:30 BST Sunday: in
    appointment(&mut app, sky, "2026-07-19T23:30:00Z", false); // 00:30 BST Monday 20th: not
    let cancelled = appointment(&mut app, robin, "2026-07-14T10:00:00Z", false);
    app.handle(RecordAppointmentOutcome {
        participant: robin,
        input: AppointmentOutcome {
            appointment: cancelled,
            status: AppointmentStatus::Cancelled,
            outcome: String::new(),
            went_with_them: false,
            follow_up: None,
            follow_up_due: None,
            expenses_pence: None,
        },
    })
    .unwrap();
    // Goals: Robin's review was due on 15 July (overdue on the 16th), Sky's is due on the 16th.
    for (p, due) in [(robin, "2026-07-15"), (sky, "2026-07-16")] {
        app.handle(AddGoal {
            participant: p,
            input: NewGoal {
                title: "Find a course".into(),
                pathway: Pathway::EducationTraining,
                why_it_matters: String::new(),
                target_date: None,
                review_due: Some(due.parse().unwrap()),
            },
        })
        .unwrap();
    }
    // Concerns, each raised at its own time.
    let raise = |app: &mut App, p, when: &str, urgency| {
        app.set_clock(at(when));
        app.handle(RaiseConcern {
            participant: p,
            input: NewConcern {
                category: ConcernCategory::Housing,
                urgency,
                description: "Synthetic concern.".into(),
            },
        })
        .unwrap()
    };
    let robin_new = raise(&mut app, robin, "2026-07-14T10:00:00Z", Urgency::High);
    let robin_old = raise(&mut app, robin, "2026-07-10T10:00:00Z", Urgency::High);
    let sky_closed = raise(&mut app, sky, "2026-07-01T10:00:00Z", Urgency::Low);
    let sky_now = raise(&mut app, sky, "2026-07-16T09:00:00Z", Urgency::Immediate);
    app.set_clock(at("2026-07-16T09:30:00Z"));
    for (p, c, status) in [
        (robin, robin_old, ConcernStatus::Acknowledged),
        (sky, sky_closed, ConcernStatus::Closed),
        (sky, sky_now, ConcernStatus::Acknowledged),
    ] {
        app.handle(RespondToConcern {
            participant: p,
            input: ConcernReply {
                concern: c,
                text: "Called them back.".into(),
                status,
            },
        })
        .unwrap();
    }

    // Thursday 16 July 2026, 11:00 in London.
    app.set_clock(at("2026-07-16T10:00:00Z"));
    let o = app.handle(GetOverview {}).unwrap();
    assert_eq!(o.today, Some("2026-07-16".parse().unwrap()));
    assert_eq!(
        o.by_status,
        [
            (ParticipantStatus::Referred, 1),
            (ParticipantStatus::Active, 1),
            (ParticipantStatus::Paused, 1),
            (ParticipantStatus::Completed, 0),
            (ParticipantStatus::Withdrawn, 0),
        ]
    );
    let concerns: Vec<(Urgency, u32, Option<i64>)> = o
        .concerns
        .iter()
        .map(|c| (c.urgency, c.open, c.oldest_days))
        .collect();
    assert_eq!(
        concerns,
        [
            (Urgency::Immediate, 1, Some(0)),
            (Urgency::High, 2, Some(6)),
            (Urgency::Medium, 0, None),
            (Urgency::Low, 0, None),
        ]
    );
    assert_eq!(o.concerns_unanswered, 1);
    assert_eq!(o.reviews_overdue, 1);
    assert_eq!(
        (o.appointments_this_week, o.appointments_accompanied),
        (2, 1)
    );
    assert_eq!(
        (o.sessions_delivered, o.sessions_missed, o.minutes_delivered),
        (2, 1, 105)
    );
    assert_eq!(onward_core::overview::hours(o.minutes_delivered), "1.75");

    // The lists behind the figures.
    let OverviewRows::Goals(goals) = app
        .handle(OverviewList {
            figure: OverviewFigure::ReviewsOverdue,
        })
        .unwrap()
    else {
        panic!("goals expected")
    };
    let goals: Vec<&str> = goals.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(goals, ["Robin"]);
    let OverviewRows::Appointments(week) = app
        .handle(OverviewList {
            figure: OverviewFigure::AppointmentsThisWeek,
        })
        .unwrap()
    else {
        panic!("appointments expected")
    };
    let week: Vec<(&str, bool)> = week
        .iter()
        .map(|a| (a.name.as_str(), a.row.accompanied_by.is_some()))
        .collect();
    assert_eq!(week, [("Robin", true), ("Sky", false)]);
    let OverviewRows::Sessions(sessions) = app
        .handle(OverviewList {
            figure: OverviewFigure::SessionsThisMonth,
        })
        .unwrap()
    else {
        panic!("sessions expected")
    };
    let sessions: Vec<(&str, u32, bool)> = sessions
        .iter()
        .map(|s| (s.name.as_str(), s.row.minutes, s.row.delivered))
        .collect();
    assert_eq!(
        sessions,
        [("Sky", 60, false), ("Robin", 45, true), ("Robin", 60, true)]
    );

    // The inbox: the immediate one, then the older high one (answered), then the newer.
    let inbox = app.handle(ConcernInbox {}).unwrap();
    let listed: Vec<(ConcernId, &str, i64, bool)> = inbox
        .iter()
        .map(|c| {
            (
                c.concern.concern,
                c.name.as_str(),
                c.age_days,
                c.concern.last_response_at.is_some(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (sky_now, "Sky", 0, true),
            (robin_old, "Robin", 6, true),
            (robin_new, "Robin", 2, false),
        ]
    );
    assert!(inbox.iter().all(|c| c.raised_by_me));
    assert_eq!(app.sync_status().unwrap().urgent_concerns, Some(3));

    // No one else sees the office's view.
    drop(app);
    let (_sub, mut mentor) = reopen_as(dir.path(), Role::Mentor);
    for refused in [
        mentor.handle(GetOverview {}).err(),
        mentor.handle(ConcernInbox {}).err(),
        mentor
            .handle(OverviewList {
                figure: OverviewFigure::ReviewsOverdue,
            })
            .err(),
    ] {
        assert_eq!(refused.map(|e| e.kind), Some(ErrorKind::Forbidden));
    }
    assert_eq!(mentor.sync_status().unwrap().urgent_concerns, None);
}
