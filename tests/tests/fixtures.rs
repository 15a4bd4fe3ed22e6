//! Saved documents from schema version 1 are kept as fixtures: every later version of Onward
//! must still load them and read the same values, and export them to the same JSON.
//! Regenerate (only when deliberately starting a new fixture set) with
//! `ONWARD_WRITE_FIXTURES=1 cargo test -p onward-tests --test fixtures`.

use std::path::PathBuf;

use onward_core::document::{Ctx, Doc, DocId};
use onward_core::export::ParticipantExport;
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::model::*;
use onward_core::ops;
use onward_core::time::Timestamp;
use onward_core::vocab::*;

fn dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("fixtures/v1")
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A participant with one of every record, at fixed times.
fn build() -> ops::ParticipantDocs {
    let mentor = Author {
        user: UserId::new(),
        device: DeviceId::new(),
    };
    let coordinator = Author {
        user: UserId::new(),
        device: DeviceId::new(),
    };
    let at = |s: &str| Ctx::new(mentor, t(s));
    let mut d = ops::create_participant(
        &at("2026-03-02T10:00:00Z"),
        &NewParticipant {
            preferred_name: "Fixture Person".into(),
            programme: "Next Steps".into(),
            pathways: vec![Pathway::Employment, Pathway::Accommodation],
        },
    )
    .unwrap();
    let c = at("2026-03-02T10:30:00Z");
    ops::plan::update_profile(
        &mut d.plan,
        &c,
        &ProfileChange {
            preferred_name: None,
            programme: None,
            status: Some(ParticipantStatus::Active),
            pathways: vec![],
        },
    )
    .unwrap();
    let goal = ops::plan::add_goal(
        &mut d.plan,
        &c,
        &NewGoal {
            title: "Get my CSCS card".into(),
            pathway: Pathway::Employment,
            why_it_matters: "To work on building sites".into(),
            target_date: Some("2026-06-01".parse().unwrap()),
            review_due: Some("2026-04-01".parse().unwrap()),
        },
    )
    .unwrap();
    let step = ops::plan::add_step(
        &mut d.plan,
        &c,
        &NewStep {
            goal,
            text: "Book the test".into(),
            by_whom: "me".into(),
            due: Some("2026-03-20".parse().unwrap()),
        },
    )
    .unwrap();
    ops::plan::tick_step(
        &mut d.plan,
        &at("2026-03-19T09:00:00Z"),
        &StepTick {
            goal,
            step,
            done: true,
        },
    )
    .unwrap();
    ops::plan::review_goal(
        &mut d.plan,
        &at("2026-04-01T11:00:00Z"),
        &NewReview {
            goal,
            rating: 6,
            comment: "Test booked".into(),
            next_review: Some("2026-05-01".parse().unwrap()),
        },
    )
    .unwrap();
    ops::plan::sign_off_goal(
        &mut d.plan,
        &Ctx::new(
            Author {
                user: UserId::new(),
                device: mentor.device,
            },
            t("2026-04-01T11:05:00Z"),
        ),
        &GoalSignOff { goal },
    )
    .unwrap();
    let appt = ops::plan::plan_appointment(
        &mut d.plan,
        &c,
        &NewAppointment {
            starts_at: t("2026-03-10T09:30:00Z"),
            ends_at: Some(t("2026-03-10T10:30:00Z")),
            kind: AppointmentKind::JobCentre,
            with_whom: "Work coach".into(),
            location: "Fixture Jobcentre".into(),
            reminder: true,
            travel_arranged: true,
            accompanied_by: None,
        },
    )
    .unwrap();
    ops::plan::record_appointment_outcome(
        &mut d.plan,
        &at("2026-03-10T11:00:00Z"),
        &AppointmentOutcome {
            appointment: appt,
            status: AppointmentStatus::Attended,
            outcome: "Claim sorted".into(),
            went_with_them: true,
            follow_up: Some("Send payslips".into()),
            follow_up_due: Some("2026-03-17".parse().unwrap()),
            expenses_pence: Some(640),
        },
    )
    .unwrap();
    ops::plan::record_achievement(
        &mut d.plan,
        &c,
        &NewAchievement {
            kind: AchievementKind::Qualification,
            title: "Health and Safety".into(),
            date: "2026-05-05".parse().unwrap(),
            organisation: "Fixture Awarding Body".into(),
            level: "Level 1".into(),
            certificate: true,
            hours: None,
        },
    )
    .unwrap();
    let prog = ops::plan::record_progression(
        &mut d.plan,
        &c,
        &NewProgression {
            kind: ProgressionKind::Employment,
            description: "Labourer".into(),
            organisation: "Fixture Builders".into(),
            start_date: "2026-06-01".parse().unwrap(),
        },
    )
    .unwrap();
    ops::plan::check_sustained(
        &mut d.plan,
        &at("2026-09-01T09:00:00Z"),
        &SustainedCheck {
            progression: prog,
            weeks: 13,
            sustained: true,
        },
    )
    .unwrap();
    ops::plan::record_checkin(
        &mut d.plan,
        &c,
        &NewCheckIn {
            scores: vec![
                PathwayScore {
                    pathway: Pathway::Employment,
                    score: 3,
                },
                PathwayScore {
                    pathway: Pathway::Accommodation,
                    score: 5,
                },
            ],
            comment: "First check-in".into(),
        },
    )
    .unwrap();
    ops::plan::save_disclosure(
        &mut d.plan,
        &c,
        &DisclosureText {
            text: "In my own words.".into(),
        },
    )
    .unwrap();
    let s = ops::notes::log_session(
        &mut d.notes,
        &mut d.plan,
        &at("2026-03-03T14:00:00Z"),
        &NewSession {
            topics: vec![Pathway::Employment],
            mood_before: Some(2),
            mood_after: Some(4),
            summary: "We made a plan".into(),
            next_steps: "Book the test".into(),
            private_notes: "Fixture private note".into(),
            ..NewSession::attended(t("2026-03-03T13:00:00Z"), 60)
        },
    )
    .unwrap();
    ops::notes::edit_session(
        &mut d.notes,
        &mut d.plan,
        &at("2026-03-03T15:00:00Z"),
        &SessionEdit {
            duration_minutes: Some(50),
            ..SessionEdit::of(s)
        },
    )
    .unwrap();
    ops::notes::sign_off_session(
        &mut d.notes,
        &at("2026-03-03T15:05:00Z"),
        &SessionSignOff { session: s },
    )
    .unwrap();
    ops::notes::add_addendum(
        &mut d.notes,
        &at("2026-03-04T09:00:00Z"),
        &NewAddendum {
            session: s,
            text: "Also discussed the bus pass".into(),
        },
    )
    .unwrap();
    ops::restricted::record_referral(
        &mut d.restricted,
        &c,
        &NewReferral {
            source: ReferralSource::Probation,
            referrer: "Fixture referrer".into(),
            date: "2026-02-20".parse().unwrap(),
            reason: "Employment support".into(),
            supervision_end: Some("2027-02-20".parse().unwrap()),
            risk_level: RiskLevel::Medium,
        },
    )
    .unwrap();
    ops::restricted::record_consent(
        &mut d.restricted,
        &c,
        &NewConsent {
            version: "2026-01".into(),
            scope: "Sharing with probation".into(),
            given: true,
            given_by: "Fixture Person".into(),
        },
    )
    .unwrap();
    ops::restricted::add_key_contact(
        &mut d.restricted,
        &c,
        &NewContact {
            role: "Case manager".into(),
            name: "Fixture Manager".into(),
            organisation: "Fixture Probation".into(),
            phone: "01632 960001".into(),
            email: "fixture@example.org".into(),
        },
    )
    .unwrap();
    // Schema-v1 documents kept concerns in the Restricted document; write one as the v1 app
    // did (concerns now have documents of their own).
    let raised = at("2026-03-05T12:00:00Z");
    let concern = ConcernId::new();
    let legacy = Concern {
        id: concern,
        category: ConcernCategory::Housing,
        urgency: Urgency::High,
        description: "May lose room".into(),
        status: ConcernStatus::Open,
        responses: Default::default(),
        raised: raised.stamp(),
    };
    d.restricted
        .change(&raised, "raise_concern", |w| {
            w.put_entry("concerns", &concern.to_string(), &legacy)
        })
        .unwrap();
    ops::concern::respond_to_legacy_concern(
        &mut d.restricted,
        &Ctx::new(coordinator, t("2026-03-05T13:00:00Z")),
        &ConcernReply {
            concern,
            text: "Called the hostel".into(),
            status: ConcernStatus::Closed,
        },
    )
    .unwrap();
    d
}

fn export_of(plan: &Plan, notes: &Notes, restricted: &Restricted) -> String {
    let e = ParticipantExport::new(
        plan.clone(),
        Some(notes.clone()),
        Some(restricted.clone()),
        Vec::new(),
        t("2026-11-23T12:00:00Z"),
    );
    serde_json::to_string_pretty(&e).unwrap() + "\n"
}

#[test]
fn schema_v1_documents_still_load_and_export_the_same() {
    if std::env::var_os("ONWARD_WRITE_FIXTURES").is_some() {
        let mut d = build();
        std::fs::create_dir_all(dir()).unwrap();
        std::fs::write(
            dir().join("participant.txt"),
            d.plan.id().participant.to_string(),
        )
        .unwrap();
        std::fs::write(dir().join("plan.automerge"), d.plan.save()).unwrap();
        std::fs::write(dir().join("notes.automerge"), d.notes.save()).unwrap();
        std::fs::write(dir().join("restricted.automerge"), d.restricted.save()).unwrap();
        std::fs::write(
            dir().join("export.json"),
            export_of(d.plan.read(), d.notes.read(), d.restricted.read()),
        )
        .unwrap();
    }
    let participant: ParticipantId = std::fs::read_to_string(dir().join("participant.txt"))
        .unwrap()
        .parse()
        .unwrap();
    let load = |kind: DocKind| std::fs::read(dir().join(format!("{kind}.automerge"))).unwrap();
    let plan =
        Doc::<Plan>::load(DocId::new(participant, DocKind::Plan), &load(DocKind::Plan)).unwrap();
    let notes = Doc::<Notes>::load(
        DocId::new(participant, DocKind::Notes),
        &load(DocKind::Notes),
    )
    .unwrap();
    let restricted = Doc::<Restricted>::load(
        DocId::new(participant, DocKind::Restricted),
        &load(DocKind::Restricted),
    )
    .unwrap();

    // Values read back as written.
    let p = plan.read();
    assert_eq!(p.profile.preferred_name, "Fixture Person");
    assert_eq!(p.profile.status, ParticipantStatus::Active);
    let goal = p.goals.values().next().unwrap();
    assert_eq!(goal.title, "Get my CSCS card");
    assert!(goal.steps[0].done.is_some());
    assert_eq!(goal.reviews.values().next().unwrap().rating, 6);
    assert!(goal.sign_off.is_some());
    let a = p.appointments.values().next().unwrap();
    assert_eq!(
        (a.expenses_pence, a.status),
        (640, AppointmentStatus::Attended)
    );
    assert!(a.support.accompanied_by.is_some());
    assert_eq!(
        p.progressions
            .values()
            .next()
            .unwrap()
            .sustained_13_weeks
            .map(|c| c.sustained),
        Some(true)
    );
    assert_eq!(
        p.checkins.values().next().unwrap().scores["accommodation"],
        5
    );
    assert_eq!(p.disclosure.as_ref().unwrap().text, "In my own words.");
    let sessions = notes.read().sessions();
    let s = sessions.values().next().unwrap();
    assert_eq!(s.revisions.len(), 2);
    assert_eq!(s.current().unwrap().duration_minutes, 50);
    assert_eq!(s.addenda[0].text, "Also discussed the bus pass");
    let r = restricted.read();
    assert_eq!(r.referral.as_ref().unwrap().risk_level, RiskLevel::Medium);
    assert_eq!(
        r.concerns.values().next().unwrap().status,
        ConcernStatus::Closed
    );

    // And the export is byte-for-byte what it was.
    let golden = std::fs::read_to_string(dir().join("export.json")).unwrap();
    let now = export_of(p, notes.read(), r);
    assert!(
        now == golden,
        "the export format changed; if deliberate, bump EXPORT_VERSION and document it in docs/EXPORT.md"
    );
}
