//! The server's judgement of pushed changes, as a property: random valid operations by each
//! role are accepted and judged to be what they are; random mutations of a valid change (a
//! different label, a foreign author, a foreign or backdated stamp, a time the server cannot
//! believe, a key outside the record) are refused with the reason written out here by hand.

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{Change, ScalarValue};
use onward_core::document::{Ctx, Doc, DocId, actor_for};
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::model::{Author, Safeguarding};
use onward_core::ops::{self, ParticipantDocs};
use onward_core::policy::{Actor, Operation, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::*;
use onward_sync::check::{Pusher, accept_push};
use proptest::prelude::*;

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The server's clock as the pushes arrive, and when the pushing device was enrolled.
fn now() -> Timestamp {
    t("2026-12-03T12:00:00Z")
}
fn enrolled() -> Timestamp {
    t("2026-11-01T09:00:00Z")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Coordinator,
    ClearedMentor,
    Mentor,
    PeerMentor,
    Participant,
}

impl Who {
    fn actor(self, user: UserId) -> Actor {
        let (role, cleared) = match self {
            Who::Coordinator => (Role::Coordinator, true),
            Who::ClearedMentor => (Role::Mentor, true),
            Who::Mentor => (Role::Mentor, false),
            Who::PeerMentor => (Role::PeerMentor, false),
            Who::Participant => (Role::Participant, false),
        };
        Actor {
            user,
            role,
            cleared,
        }
    }
}

/// What each role may do, written out by hand from DESIGN.md.
fn allowed(who: Who) -> Vec<&'static str> {
    let participant = [
        "tick_step",
        "review_goal",
        "sign_off_goal",
        "record_checkin",
        "save_disclosure",
    ];
    let staff = [
        "update_profile",
        "add_goal",
        "update_goal",
        "add_step",
        "tick_step",
        "review_goal",
        "sign_off_goal",
        "plan_appointment",
        "record_appointment_outcome",
        "complete_follow_up",
        "record_achievement",
        "record_progression",
        "check_sustained",
        "record_checkin",
        "save_disclosure",
        "log_session",
        "edit_session",
        "sign_off_session",
        "add_addendum",
        "raise_concern",
    ];
    let cleared = ["record_referral", "record_consent", "add_key_contact"];
    match who {
        Who::Participant => participant.to_vec(),
        Who::Mentor | Who::PeerMentor => staff.to_vec(),
        Who::ClearedMentor => [&staff[..], &cleared[..]].concat(),
        Who::Coordinator => [&staff[..], &cleared[..], &["respond_to_concern"][..]].concat(),
    }
}

/// The office's copy of one participant's record, made by a coordinator before the pushes.
struct Office {
    docs: ParticipantDocs,
    concern: Doc<Safeguarding>,
    goal: GoalId,
    step: StepId,
    appointment: AppointmentId,
    progression: ProgressionId,
    session: SessionId,
}

fn office() -> Office {
    let author = Author {
        user: UserId::new(),
        device: DeviceId::new(),
    };
    let ctx = Ctx::new(author, t("2026-11-10T10:00:00Z"));
    let mut docs = ops::create_participant(
        &ctx,
        &NewParticipant {
            preferred_name: "Robin".into(),
            programme: "Next Steps".into(),
            pathways: vec![Pathway::Employment],
        },
    )
    .unwrap();
    let goal = ops::plan::add_goal(
        &mut docs.plan,
        &ctx,
        &NewGoal {
            title: "Get my CSCS card".into(),
            pathway: Pathway::Employment,
            why_it_matters: String::new(),
            target_date: None,
            review_due: None,
        },
    )
    .unwrap();
    let step = ops::plan::add_step(
        &mut docs.plan,
        &ctx,
        &NewStep {
            goal,
            text: "Book the test".into(),
            by_whom: "me".into(),
            due: None,
        },
    )
    .unwrap();
    let appointment = ops::plan::plan_appointment(
        &mut docs.plan,
        &ctx,
        &NewAppointment {
            starts_at: t("2026-11-12T10:00:00Z"),
            ends_at: None,
            kind: AppointmentKind::JobCentre,
            with_whom: "Work coach".into(),
            location: String::new(),
            reminder: false,
            travel_arranged: false,
            accompanied_by: None,
        },
    )
    .unwrap();
    ops::plan::record_appointment_outcome(
        &mut docs.plan,
        &ctx,
        &AppointmentOutcome {
            appointment,
            status: AppointmentStatus::Attended,
            outcome: String::new(),
            went_with_them: false,
            follow_up: Some("Send CV".into()),
            follow_up_due: None,
            expenses_pence: None,
        },
    )
    .unwrap();
    let progression = ops::plan::record_progression(
        &mut docs.plan,
        &ctx,
        &NewProgression {
            kind: ProgressionKind::Employment,
            description: "Warehouse job".into(),
            organisation: String::new(),
            start_date: "2026-01-05".parse().unwrap(),
        },
    )
    .unwrap();
    let session = ops::notes::log_session(
        &mut docs.notes,
        &mut docs.plan,
        &ctx,
        &NewSession {
            summary: "We talked about work.".into(),
            ..NewSession::attended(t("2026-11-10T09:00:00Z"), 45)
        },
    )
    .unwrap();
    let mut concern = ops::concern::raise_concern(
        docs.plan.id().participant,
        &ctx,
        &NewConcern {
            category: ConcernCategory::Housing,
            urgency: Urgency::High,
            description: "May lose their room".into(),
        },
    )
    .unwrap();
    // Mark everything as the server's saved copy.
    docs.plan.save();
    docs.notes.save();
    docs.restricted.save();
    concern.save();
    Office {
        docs,
        concern,
        goal,
        step,
        appointment,
        progression,
        session,
    }
}

/// Random inputs for an operation.
#[derive(Debug, Clone)]
struct Inputs {
    words: String,
    number: u8,
    minutes: i64,
    done: bool,
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        "[A-Za-z][A-Za-z ]{0,60}[a-z]",
        0u8..=10,
        1i64..40_000,
        any::<bool>(),
    )
        .prop_map(|(words, number, minutes, done)| Inputs {
            words,
            number,
            minutes,
            done,
        })
}

/// A push: one document, its server copy (if any) and the new changes.
struct Push {
    doc: DocId,
    current: Option<Vec<u8>>,
    /// For a Plan, the participant's Notes as the server holds them.
    notes: Option<Vec<u8>>,
    changes: Vec<Change>,
}

fn changes_of<T: onward_core::document::Record>(
    doc: &mut Doc<T>,
    since: &[automerge::ChangeHash],
) -> Vec<Change> {
    doc.automerge().get_changes(since)
}

/// Runs `op` as `author` on the office's record and returns what the device would push.
fn run(op: &str, o: &Office, author: Author, at: Timestamp, i: &Inputs) -> Vec<Push> {
    let ctx = Ctx::new(author, at);
    let mut docs = o.docs.clone();
    let mut concern = o.concern.clone();
    let p = docs.plan.id().participant;
    let heads = (
        docs.plan.heads(),
        docs.notes.heads(),
        docs.restricted.heads(),
        concern.heads(),
    );
    let w = i.words.clone();
    let mut new_concern = None;
    match op {
        "update_profile" => ops::plan::update_profile(
            &mut docs.plan,
            &ctx,
            &ProfileChange {
                preferred_name: None,
                programme: Some(w),
                status: None,
                pathways: vec![],
            },
        )
        .unwrap(),
        "add_goal" => {
            ops::plan::add_goal(
                &mut docs.plan,
                &ctx,
                &NewGoal {
                    title: w,
                    pathway: Pathway::Volunteering,
                    why_it_matters: String::new(),
                    target_date: None,
                    review_due: None,
                },
            )
            .unwrap();
        }
        "update_goal" => ops::plan::update_goal(
            &mut docs.plan,
            &ctx,
            &GoalChange {
                goal: o.goal,
                title: Some(w),
                why_it_matters: None,
                target_date: None,
                review_due: None,
                status: None,
            },
        )
        .unwrap(),
        "add_step" => {
            ops::plan::add_step(
                &mut docs.plan,
                &ctx,
                &NewStep {
                    goal: o.goal,
                    text: w,
                    by_whom: String::new(),
                    due: None,
                },
            )
            .unwrap();
        }
        "tick_step" => ops::plan::tick_step(
            &mut docs.plan,
            &ctx,
            &StepTick {
                goal: o.goal,
                step: o.step,
                done: true,
            },
        )
        .unwrap(),
        "review_goal" => {
            ops::plan::review_goal(
                &mut docs.plan,
                &ctx,
                &NewReview {
                    goal: o.goal,
                    rating: i.number,
                    comment: w,
                    next_review: None,
                },
            )
            .unwrap();
        }
        "sign_off_goal" => {
            ops::plan::sign_off_goal(&mut docs.plan, &ctx, &GoalSignOff { goal: o.goal }).unwrap()
        }
        "plan_appointment" => {
            ops::plan::plan_appointment(
                &mut docs.plan,
                &ctx,
                &NewAppointment {
                    starts_at: at.plus_minutes(i.minutes),
                    ends_at: None,
                    kind: AppointmentKind::Housing,
                    with_whom: w,
                    location: String::new(),
                    reminder: i.done,
                    travel_arranged: false,
                    accompanied_by: None,
                },
            )
            .unwrap();
        }
        "record_appointment_outcome" => ops::plan::record_appointment_outcome(
            &mut docs.plan,
            &ctx,
            &AppointmentOutcome {
                appointment: o.appointment,
                status: AppointmentStatus::Attended,
                outcome: w,
                went_with_them: i.done,
                follow_up: None,
                follow_up_due: None,
                expenses_pence: Some(i64::from(i.number) * 100),
            },
        )
        .unwrap(),
        "complete_follow_up" => ops::plan::complete_follow_up(
            &mut docs.plan,
            &ctx,
            &FollowUpDone {
                appointment: o.appointment,
            },
        )
        .unwrap(),
        "record_achievement" => {
            ops::plan::record_achievement(
                &mut docs.plan,
                &ctx,
                &NewAchievement {
                    kind: AchievementKind::Course,
                    title: w,
                    date: at.london_day(),
                    organisation: String::new(),
                    level: String::new(),
                    certificate: i.done,
                    hours: None,
                },
            )
            .unwrap();
        }
        "record_progression" => {
            ops::plan::record_progression(
                &mut docs.plan,
                &ctx,
                &NewProgression {
                    kind: ProgressionKind::Training,
                    description: w,
                    organisation: String::new(),
                    start_date: at.london_day(),
                },
            )
            .unwrap();
        }
        "check_sustained" => ops::plan::check_sustained(
            &mut docs.plan,
            &ctx,
            &SustainedCheck {
                progression: o.progression,
                weeks: if i.done { 13 } else { 26 },
                sustained: true,
            },
        )
        .unwrap(),
        "record_checkin" => {
            ops::plan::record_checkin(
                &mut docs.plan,
                &ctx,
                &NewCheckIn {
                    scores: vec![PathwayScore {
                        pathway: Pathway::Accommodation,
                        score: i.number,
                    }],
                    comment: w,
                },
            )
            .unwrap();
        }
        "save_disclosure" => {
            ops::plan::save_disclosure(&mut docs.plan, &ctx, &DisclosureText { text: w }).unwrap()
        }
        "log_session" => {
            ops::notes::log_session(
                &mut docs.notes,
                &mut docs.plan,
                &ctx,
                &NewSession {
                    summary: w,
                    ..NewSession::attended(at.plus_minutes(-60), 30)
                },
            )
            .unwrap();
        }
        "edit_session" => ops::notes::edit_session(
            &mut docs.notes,
            &mut docs.plan,
            &ctx,
            &SessionEdit {
                duration_minutes: Some(u32::from(i.number) + 1),
                summary: Some(w),
                ..SessionEdit::of(o.session)
            },
        )
        .unwrap(),
        "sign_off_session" => {
            ops::notes::sign_off_session(
                &mut docs.notes,
                &ctx,
                &SessionSignOff { session: o.session },
            )
            .unwrap();
        }
        "add_addendum" => {
            ops::notes::add_addendum(
                &mut docs.notes,
                &ctx,
                &NewAddendum {
                    session: o.session,
                    text: w,
                },
            )
            .unwrap();
        }
        "record_referral" => ops::restricted::record_referral(
            &mut docs.restricted,
            &ctx,
            &NewReferral {
                source: ReferralSource::Probation,
                referrer: w,
                date: "2026-10-01".parse().unwrap(),
                reason: String::new(),
                supervision_end: None,
                risk_level: RiskLevel::Low,
            },
        )
        .unwrap(),
        "record_consent" => {
            ops::restricted::record_consent(
                &mut docs.restricted,
                &ctx,
                &NewConsent {
                    version: "v2".into(),
                    scope: w,
                    given: i.done,
                    given_by: "Robin".into(),
                },
            )
            .unwrap();
        }
        "add_key_contact" => {
            ops::restricted::add_key_contact(
                &mut docs.restricted,
                &ctx,
                &NewContact {
                    role: "Case manager".into(),
                    name: w,
                    organisation: String::new(),
                    phone: String::new(),
                    email: String::new(),
                },
            )
            .unwrap();
        }
        "raise_concern" => {
            new_concern = Some(
                ops::concern::raise_concern(
                    p,
                    &ctx,
                    &NewConcern {
                        category: ConcernCategory::Health,
                        urgency: Urgency::Medium,
                        description: w,
                    },
                )
                .unwrap(),
            );
        }
        "respond_to_concern" => {
            let id = concern.read().concern.id;
            ops::concern::respond_to_concern(
                &mut concern,
                &ctx,
                &ConcernReply {
                    concern: id,
                    text: w,
                    status: ConcernStatus::Acknowledged,
                },
            )
            .unwrap();
        }
        other => panic!("no such operation {other}"),
    }
    let mut out = Vec::new();
    if let Some(mut doc) = new_concern {
        out.push(Push {
            doc: doc.id(),
            current: None,
            notes: None,
            changes: changes_of(&mut doc, &[]),
        });
    }
    let mut office = o.docs.clone();
    let mut office_concern = o.concern.clone();
    let office_notes = office.notes.save();
    let pushes = [
        (
            docs.notes.id(),
            changes_of(&mut docs.notes, &heads.1),
            office.notes.save(),
        ),
        (
            docs.plan.id(),
            changes_of(&mut docs.plan, &heads.0),
            office.plan.save(),
        ),
        (
            docs.restricted.id(),
            changes_of(&mut docs.restricted, &heads.2),
            office.restricted.save(),
        ),
        (
            concern.id(),
            changes_of(&mut concern, &heads.3),
            office_concern.save(),
        ),
    ];
    for (doc, changes, current) in pushes {
        if !changes.is_empty() {
            out.push(Push {
                doc,
                current: Some(current),
                notes: (doc.kind == DocKind::Plan).then(|| office_notes.clone()),
                changes,
            });
        }
    }
    assert!(!out.is_empty(), "{op} changed nothing");
    out
}

fn bytes(changes: &[Change]) -> Vec<u8> {
    changes
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect()
}

fn pusher(who: Who, author: Author) -> Pusher {
    Pusher {
        actor: who.actor(author.user),
        device: author.device,
        enrolled_at: enrolled(),
        received_at: now(),
    }
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::Coordinator),
        Just(Who::ClearedMentor),
        Just(Who::Mentor),
        Just(Who::PeerMentor),
        Just(Who::Participant),
    ]
}

/// How a modified client might change a valid change.
#[derive(Debug, Clone)]
enum Mutation {
    /// A label from another operation.
    Relabel(usize),
    /// Dated a day after the server's clock.
    Future,
    /// Dated before the device was enrolled.
    BeforeEnrolment,
    /// Signed as someone else on the same device.
    ForeignAuthor,
    /// Writes a key the record does not have.
    ExtraKey,
    /// A stamp naming someone else.
    ForeignStamp,
    /// A stamp dated before the device was enrolled.
    BackdatedStamp,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0usize..100).prop_map(Mutation::Relabel),
        Just(Mutation::Future),
        Just(Mutation::BeforeEnrolment),
        Just(Mutation::ForeignAuthor),
        Just(Mutation::ExtraKey),
        Just(Mutation::ForeignStamp),
        Just(Mutation::BackdatedStamp),
    ]
}

/// Applies `m` to `change`, or `None` when it does not apply (a change without stamps).
fn mutate(
    change: &Change,
    m: &Mutation,
    author: Author,
    op: Operation,
) -> Option<(Change, Refused)> {
    let mut e = change.decode();
    let me = author.user.to_string();
    let other = UserId::new().to_string();
    let expected = match m {
        Mutation::Relabel(i) => {
            let labels: Vec<&str> = Operation::ALL
                .iter()
                .map(|o| o.label())
                .filter(|l| !onward_core::judge::label_fits(op, l))
                .collect();
            let label = labels[i % labels.len()];
            e.message = Some(label.to_string());
            Refused::Mislabelled {
                says: label.to_string(),
                does: op,
            }
        }
        Mutation::Future => {
            e.time = now().millis() + 24 * 3_600_000;
            Refused::FromTheFuture
        }
        Mutation::BeforeEnrolment => {
            e.time = enrolled().millis() - 24 * 3_600_000;
            Refused::BeforeEnrolment
        }
        Mutation::ForeignAuthor => {
            e.actor_id = actor_for(&Author {
                user: UserId::new(),
                device: author.device,
            });
            Refused::NotThePusher
        }
        Mutation::ExtraKey => {
            let mut extra = e.operations.first()?.clone();
            extra.action = OpType::Put(ScalarValue::from("anything at all"));
            extra.obj = ObjectId::Root;
            extra.key = Key::Map("extra".into());
            extra.insert = false;
            extra.pred = automerge::legacy::SortedVec::new();
            e.operations.push(extra);
            Refused::Malformed
        }
        Mutation::ForeignStamp | Mutation::BackdatedStamp => {
            let mut found = false;
            for o in &mut e.operations {
                if let OpType::Put(ScalarValue::Str(s)) = &o.action
                    && s.contains(&format!("\"by\":\"{me}\""))
                {
                    let new = match m {
                        Mutation::ForeignStamp => s.replace(&me, &other),
                        _ => backdate(s),
                    };
                    o.action = OpType::Put(ScalarValue::Str(new.into()));
                    found = true;
                }
            }
            if !found {
                return None;
            }
            match m {
                Mutation::ForeignStamp => Refused::NotThePusher,
                _ => Refused::BeforeEnrolment,
            }
        }
    };
    e.hash = None;
    Some((Change::from(e), expected))
}

/// Moves every `"at":"…"` in a sealed record to a day before the device was enrolled.
fn backdate(json: &str) -> String {
    // Written exactly as a sealed record writes a time, so only the date is wrong.
    let early = serde_json::to_string(&Timestamp::from_millis(
        enrolled().millis() - 24 * 3_600_000,
    ))
    .unwrap();
    let early = early.trim_matches('"');
    let mut out = String::new();
    let mut rest = json;
    while let Some(i) = rest.find("\"at\":\"") {
        let start = i + 6;
        out.push_str(&rest[..start]);
        let end = rest[start..].find('"').map_or(rest.len(), |e| start + e);
        out.push_str(early);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn valid_operations_by_each_role_are_accepted_as_what_they_are(
        who in who(),
        pick in any::<prop::sample::Index>(),
        minutes_ago in 1i64..30_000,
        i in inputs(),
    ) {
        let o = office();
        let ops_allowed = allowed(who);
        let op = ops_allowed[pick.index(ops_allowed.len())];
        let author = Author { user: UserId::new(), device: DeviceId::new() };
        let at = now().plus_minutes(-minutes_ago);
        for push in run(op, &o, author, at, &i) {
            let accepted = accept_push(push.doc, push.current.as_deref(), push.notes.as_deref(), &bytes(&push.changes), &pusher(who, author));
            let accepted = accepted.map_err(|e| TestCaseError::fail(format!("{who:?} {op} {}: {e:?}", push.doc.kind)))?;
            let judged: Vec<Option<Operation>> = accepted.changes.iter().map(|c| c.operation).collect();
            let expected = Operation::from_name(op).unwrap();
            // The Plan's part of editing a session is the same write as logging one.
            let fits = |j: &Option<Operation>| *j == Some(expected)
                || (expected == Operation::EditSession && *j == Some(Operation::LogSession));
            prop_assert!(judged.iter().all(fits), "{who:?} {op}: judged {judged:?}");
        }
    }

    #[test]
    fn operations_a_role_may_not_run_are_refused(
        who in who(),
        pick in any::<prop::sample::Index>(),
        i in inputs(),
    ) {
        // Every operation outside the role's hand-written list is refused (by the rules, not
        // by what the change says about itself).
        let o = office();
        let forbidden: Vec<&str> = allowed(Who::Coordinator)
            .into_iter()
            .filter(|op| !allowed(who).contains(op))
            .collect();
        prop_assume!(!forbidden.is_empty());
        let op = forbidden[pick.index(forbidden.len())];
        let author = Author { user: UserId::new(), device: DeviceId::new() };
        let pushes = run(op, &o, author, now().plus_minutes(-5), &i);
        let refused = pushes.iter().any(|push| {
            accept_push(push.doc, push.current.as_deref(), push.notes.as_deref(), &bytes(&push.changes), &pusher(who, author)).is_err()
        });
        prop_assert!(refused, "{who:?} ran {op}");
    }

    #[test]
    fn mutated_changes_are_refused_and_say_why(
        pick in any::<prop::sample::Index>(),
        m in mutation(),
        i in inputs(),
    ) {
        let o = office();
        let ops_allowed = allowed(Who::Coordinator);
        let op = ops_allowed[pick.index(ops_allowed.len())];
        let author = Author { user: UserId::new(), device: DeviceId::new() };
        let push = run(op, &o, author, now().plus_minutes(-5), &i).remove(0);
        prop_assume!(push.changes.len() == 1);
        let judged = accept_push(push.doc, push.current.as_deref(), push.notes.as_deref(), &bytes(&push.changes), &pusher(Who::Coordinator, author))
            .unwrap().changes[0].operation.unwrap();
        let mutated = mutate(&push.changes[0], &m, author, judged);
        prop_assume!(mutated.is_some());
        let (change, expected) = mutated.unwrap();
        let got = accept_push(push.doc, push.current.as_deref(), push.notes.as_deref(), change.raw_bytes(), &pusher(Who::Coordinator, author));
        prop_assert_eq!(got.err(), Some(expected), "{} {:?}", op, m);
    }
}
