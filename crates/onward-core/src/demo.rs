//! A synthetic demo organisation: made-up people with up to three years of history, for the
//! demo and the benchmarks. Deterministic for a given seed (apart from ids). Every name is
//! invented; nothing here describes a real person.

use crate::OpError;
use crate::document::Ctx;
use crate::ids::*;
use crate::input::*;
use crate::model::Author;
use crate::ops::{self, ParticipantDocs};
use crate::time::Timestamp;
use crate::vocab::*;

const FIRST: &[&str] = &[
    "Alex", "Billie", "Casey", "Dani", "Eden", "Frankie", "Glen", "Harley", "Indy", "Jules", "Kit",
    "Lee", "Morgan", "Nico", "Oakley", "Parker", "Quinn", "Robin", "Sasha", "Tyler", "Umar", "Vic",
    "Wren", "Yusuf", "Zane", "Ash", "Blake", "Cam", "Drew", "Ellis", "Finley", "Gray", "Hollis",
    "Iqbal", "Jordan", "Kai", "Lennie", "Marley", "Noor", "Ollie",
];
const INITIALS: &str = "ABCDEFGHJKLMNPRSTW";
const MENTORS: &[&str] = &[
    "Demo Mentor Amira",
    "Demo Mentor Ben",
    "Demo Peer Mentor Cal",
];
const GOALS: &[(&str, Pathway)] = &[
    ("Get my CSCS card", Pathway::Employment),
    ("Find a job in a warehouse", Pathway::Employment),
    ("Do my maths level 1", Pathway::EducationTraining),
    ("Start a barista course", Pathway::EducationTraining),
    ("Volunteer at the food bank", Pathway::Volunteering),
    ("Get my own flat", Pathway::Accommodation),
    ("Open a bank account", Pathway::FinanceBenefits),
    ("Sort out my Universal Credit", Pathway::FinanceBenefits),
    ("Register with a GP", Pathway::HealthWellbeing),
    ("Stay off the drink", Pathway::SubstanceUse),
    ("See my kids every week", Pathway::FamilyRelationships),
    ("Stay calm when things go wrong", Pathway::AttitudesThinking),
];
const SUMMARIES: &[&str] = &[
    "We looked at jobs online and picked two to apply for.",
    "We talked about the week. Things are getting better.",
    "We filled in the college form together.",
    "We practised for the interview.",
    "We made a plan for paying the bills.",
];

/// One synthetic user.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub user: UserId,
    pub device: DeviceId,
    pub role: Role,
    pub name: String,
}

/// The demo organisation.
#[derive(Debug)]
pub struct DemoOrg {
    pub coordinator: DemoUser,
    pub mentors: Vec<DemoUser>,
    /// Each participant's documents and the index of their mentor.
    pub participants: Vec<(usize, ParticipantDocs)>,
}

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub participants: usize,
    /// The longest anyone has been on the programme, in days.
    pub max_history_days: i64,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self {
            participants: 40,
            max_history_days: 3 * 365,
        }
    }
}

/// Generates a demo organisation whose "now" is `now`.
pub fn organisation(seed: u64, size: DemoSize, now: Timestamp) -> Result<DemoOrg, OpError> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let coordinator = DemoUser {
        user: UserId::new(),
        device: DeviceId::new(),
        role: Role::Coordinator,
        name: "Demo Coordinator".into(),
    };
    let mentors: Vec<DemoUser> = MENTORS
        .iter()
        .enumerate()
        .map(|(i, n)| DemoUser {
            user: UserId::new(),
            device: DeviceId::new(),
            role: if i == 2 {
                Role::PeerMentor
            } else {
                Role::Mentor
            },
            name: (*n).into(),
        })
        .collect();
    let mut participants = Vec::with_capacity(size.participants);
    for i in 0..size.participants {
        let m = i % mentors.len();
        let author = Author {
            user: mentors[m].user,
            device: mentors[m].device,
        };
        let name = format!(
            "{} {}.",
            FIRST[i % FIRST.len()],
            INITIALS.as_bytes()[rng.usize(..INITIALS.len())] as char
        );
        participants.push((
            m,
            participant(&mut rng, author, coordinator.user, &name, size, now)?,
        ));
    }
    Ok(DemoOrg {
        coordinator,
        mentors,
        participants,
    })
}

fn participant(
    rng: &mut fastrand::Rng,
    author: Author,
    coordinator: UserId,
    name: &str,
    size: DemoSize,
    now: Timestamp,
) -> Result<ParticipantDocs, OpError> {
    let history = rng.i64(14..=size.max_history_days.max(15));
    let start = now.plus_minutes(-history * 24 * 60);
    let at = |t: Timestamp| Ctx::new(author, t);
    let goals_for: Vec<(&str, Pathway)> = (0..rng.usize(2..=4))
        .map(|_| GOALS[rng.usize(..GOALS.len())])
        .collect();
    let mut pathways: Vec<Pathway> = goals_for.iter().map(|g| g.1).collect();
    pathways.dedup();
    let mut docs = ops::create_participant(
        &at(start),
        &NewParticipant {
            preferred_name: name.into(),
            programme: if rng.bool() {
                "Next Steps".into()
            } else {
                "Through the Gate".into()
            },
            pathways,
        },
    )?;
    let status = if history > 700 && rng.u8(..3) == 0 {
        ParticipantStatus::Completed
    } else if rng.u8(..10) == 0 {
        ParticipantStatus::Paused
    } else {
        ParticipantStatus::Active
    };
    let ctx = at(start.plus_minutes(60));
    ops::plan::update_profile(
        &mut docs.plan,
        &ctx,
        &ProfileChange {
            preferred_name: None,
            programme: None,
            status: Some(status),
            pathways: vec![],
        },
    )?;
    let start_day = start.london_day();
    ops::restricted::record_referral(
        &mut docs.restricted,
        &ctx,
        &NewReferral {
            source: [
                ReferralSource::Probation,
                ReferralSource::Prison,
                ReferralSource::SelfReferral,
            ][rng.usize(..3)],
            referrer: "Demo referrer".into(),
            date: start_day.plus_days(-7),
            reason: "Wants help finding work after release.".into(),
            supervision_end: Some(start_day.plus_days(rng.i64(180..900))),
            risk_level: [RiskLevel::Low, RiskLevel::Medium, RiskLevel::NotGiven][rng.usize(..3)],
        },
    )?;
    ops::restricted::record_consent(
        &mut docs.restricted,
        &ctx,
        &NewConsent {
            version: "2026-01".into(),
            scope: "Sharing progress with probation and the funder".into(),
            given: true,
            given_by: name.into(),
        },
    )?;
    ops::restricted::add_key_contact(
        &mut docs.restricted,
        &ctx,
        &NewContact {
            role: "Case manager".into(),
            name: "Demo Case Manager".into(),
            organisation: "Demo Probation Service".into(),
            phone: "01632 960000".into(),
            email: "case.manager@example.org".into(),
        },
    )?;

    let mut goal_ids = Vec::new();
    for (title, pathway) in goals_for {
        let g = ops::plan::add_goal(
            &mut docs.plan,
            &ctx,
            &NewGoal {
                title: title.into(),
                pathway,
                why_it_matters: "It will help me stay on track.".into(),
                target_date: Some(now.london_day().plus_days(rng.i64(-30..120))),
                review_due: Some(now.london_day().plus_days(rng.i64(-3..21))),
            },
        )?;
        for s in ["Find out what I need", "Fill in the form", "Book a date"] {
            ops::plan::add_step(
                &mut docs.plan,
                &ctx,
                &NewStep {
                    goal: g,
                    text: s.into(),
                    by_whom: "me".into(),
                    due: None,
                },
            )?;
        }
        if rng.bool() {
            ops::plan::sign_off_goal(&mut docs.plan, &ctx, &GoalSignOff { goal: g })?;
        }
        goal_ids.push(g);
    }

    // Sessions, roughly weekly, to now (or to the end of the programme).
    let end = if status == ParticipantStatus::Completed {
        now.plus_minutes(-rng.i64(30..200) * 24 * 60)
    } else {
        now
    };
    // Each week on a weekday-ish day, between 09:00 and 16:00 London time.
    let mut day = start.london_day().plus_days(1);
    let mut week = 0;
    loop {
        let t = day.start_in_london().plus_minutes(rng.i64(9 * 60..16 * 60));
        if t >= end {
            break;
        }
        let ctx = at(t);
        let attended = rng.u8(..10) != 0;
        let session = ops::notes::log_session(
            &mut docs.notes,
            &mut docs.plan,
            &ctx,
            &NewSession {
                started_at: t,
                duration_minutes: [30, 45, 60, 90][rng.usize(..4)],
                mode: [
                    SessionMode::InPerson,
                    SessionMode::Phone,
                    SessionMode::AtAppointment,
                ][rng.usize(..3)],
                session_type: SessionType::OneToOne,
                attendance: if attended {
                    Attendance::Attended
                } else {
                    Attendance::DidNotAttend
                },
                absence_reason: if attended {
                    String::new()
                } else {
                    "Phone was off".into()
                },
                topics: vec![Pathway::ALL[rng.usize(..Pathway::ALL.len())]],
                mood_before: Some(rng.u8(1..=5)),
                mood_after: Some(rng.u8(2..=5)),
                summary: if attended {
                    SUMMARIES[rng.usize(..SUMMARIES.len())].into()
                } else {
                    String::new()
                },
                next_steps: if attended {
                    "Call the college on Monday.".into()
                } else {
                    String::new()
                },
                private_notes: "Seemed more settled this week.".into(),
            },
        )?;
        // Older sessions are signed off; the last couple may not be yet.
        if t < now.plus_minutes(-10 * 24 * 60) || rng.bool() {
            ops::notes::sign_off_session(&mut docs.notes, &ctx, &SessionSignOff { session })?;
        }
        if week % 4 == 3 {
            let g = goal_ids[rng.usize(..goal_ids.len())];
            ops::plan::review_goal(
                &mut docs.plan,
                &ctx,
                &NewReview {
                    goal: g,
                    rating: rng.u8(2..=9),
                    comment: "Getting there.".into(),
                    next_review: None,
                },
            )?;
            ops::plan::record_checkin(
                &mut docs.plan,
                &ctx,
                &NewCheckIn {
                    scores: Pathway::ALL
                        .iter()
                        .take(5)
                        .map(|p| PathwayScore {
                            pathway: *p,
                            score: (2 + week / 8).min(10) as u8,
                        })
                        .collect(),
                    comment: String::new(),
                },
            )?;
        }
        if week % 6 == 2 {
            let a = ops::plan::plan_appointment(
                &mut docs.plan,
                &ctx,
                &NewAppointment {
                    starts_at: t.plus_minutes(2 * 24 * 60),
                    ends_at: Some(t.plus_minutes(2 * 24 * 60 + 60)),
                    kind: AppointmentKind::ALL[rng.usize(..AppointmentKind::ALL.len())],
                    with_whom: "Work coach".into(),
                    location: "Demo Jobcentre".into(),
                    reminder: true,
                    travel_arranged: rng.bool(),
                    accompanied_by: None,
                },
            )?;
            if t.plus_minutes(2 * 24 * 60) < now {
                ops::plan::record_appointment_outcome(
                    &mut docs.plan,
                    &ctx,
                    &AppointmentOutcome {
                        appointment: a,
                        status: if rng.u8(..5) == 0 {
                            AppointmentStatus::Missed
                        } else {
                            AppointmentStatus::Attended
                        },
                        outcome: "It went fine.".into(),
                        went_with_them: rng.bool(),
                        follow_up: None,
                        follow_up_due: None,
                        expenses_pence: Some(rng.i64(0..1200)),
                    },
                )?;
            }
        }
        week += 1;
        day = day.plus_days(7 + rng.i64(-1..=1));
    }

    // Something today and this week for the Today screen.
    let ctx = at(now.plus_minutes(-60));
    let today_nine = now
        .london_day()
        .start_in_london()
        .plus_minutes(9 * 60 + 30 + rng.i64(0..8) * 60);
    ops::plan::plan_appointment(
        &mut docs.plan,
        &ctx,
        &NewAppointment {
            starts_at: today_nine.plus_minutes(rng.i64(0..7) * 24 * 60),
            ends_at: None,
            kind: AppointmentKind::ALL[rng.usize(..AppointmentKind::ALL.len())],
            with_whom: "Demo Housing Officer".into(),
            location: "Demo Council Offices".into(),
            reminder: true,
            travel_arranged: true,
            accompanied_by: if rng.bool() { Some(author.user) } else { None },
        },
    )?;
    if history > 90 && rng.u8(..3) == 0 {
        ops::plan::record_achievement(
            &mut docs.plan,
            &ctx,
            &NewAchievement {
                kind: AchievementKind::Qualification,
                title: "Food Safety".into(),
                date: now.london_day().plus_days(-rng.i64(10..80)),
                organisation: "Demo Awarding Body".into(),
                level: "Level 2".into(),
                certificate: true,
                hours: None,
            },
        )?;
    }
    if history > 200 && rng.u8(..3) == 0 {
        ops::plan::record_progression(
            &mut docs.plan,
            &ctx,
            &NewProgression {
                kind: ProgressionKind::Employment,
                description: "Warehouse operative, full time".into(),
                organisation: "Demo Logistics Ltd".into(),
                start_date: now.london_day().plus_days(-rng.i64(100..190)),
            },
        )?;
    }
    if rng.u8(..8) == 0 {
        let mut concern = ops::concern::raise_concern(
            docs.plan.id().participant,
            &ctx,
            &NewConcern {
                category: ConcernCategory::Housing,
                urgency: Urgency::High,
                description: "Said they may lose their room at the hostel.".into(),
            },
        )?;
        let c = concern.read().concern.id;
        if rng.bool() {
            let cctx = Ctx::new(
                Author {
                    user: coordinator,
                    device: author.device,
                },
                now.plus_minutes(-30),
            );
            ops::concern::respond_to_concern(
                &mut concern,
                &cctx,
                &ConcernReply {
                    concern: c,
                    text: "Called the hostel manager.".into(),
                    status: ConcernStatus::Acknowledged,
                },
            )?;
        }
        docs.concerns.push(concern);
    }
    Ok(docs)
}
