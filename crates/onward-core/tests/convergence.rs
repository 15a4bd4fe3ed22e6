//! Property test: three replicas apply random operations, exchange changes in random order
//! with duplicates and omissions, and after a full exchange always converge to the same state
//! with every operation's effect present; a signed-off session is never changed by a merge.

use std::collections::{BTreeMap, BTreeSet};

use onward_core::OpError;
use onward_core::document::{Ctx, Doc, DocId, Record};
use onward_core::ids::*;
use onward_core::input::*;
use onward_core::model::*;
use onward_core::ops::{self, ParticipantDocs};
use onward_core::time::{Day, Timestamp};
use onward_core::vocab::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    AddGoal,
    AddStep(usize),
    TickStep(usize, usize, bool),
    Review(usize, u8),
    SignOffGoal(usize),
    PlanAppointment(i64),
    Outcome(usize, bool),
    LogSession(u32),
    EditSession(usize, u32),
    SignOff(usize),
    Addendum(usize),
    RaiseConcern,
    Respond(usize),
    CheckIn(u8),
    Achievement,
    Rename(u8),
    /// Deliver a random selection of the changes seen so far (seeded) to a replica.
    Deliver(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::AddGoal),
        2 => any::<usize>().prop_map(Op::AddStep),
        2 => (any::<usize>(), any::<usize>(), any::<bool>()).prop_map(|(a, b, c)| Op::TickStep(a, b, c)),
        2 => (any::<usize>(), 0u8..=10).prop_map(|(a, b)| Op::Review(a, b)),
        1 => any::<usize>().prop_map(Op::SignOffGoal),
        1 => (0i64..500).prop_map(Op::PlanAppointment),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(a, b)| Op::Outcome(a, b)),
        3 => (1u32..=720).prop_map(Op::LogSession),
        2 => (any::<usize>(), 1u32..=720).prop_map(|(a, b)| Op::EditSession(a, b)),
        2 => any::<usize>().prop_map(Op::SignOff),
        2 => any::<usize>().prop_map(Op::Addendum),
        1 => Just(Op::RaiseConcern),
        1 => any::<usize>().prop_map(Op::Respond),
        1 => (0u8..=10).prop_map(Op::CheckIn),
        1 => Just(Op::Achievement),
        1 => any::<u8>().prop_map(Op::Rename),
        4 => any::<u64>().prop_map(Op::Deliver),
    ]
}

/// Everything written, so the final state can be checked for it.
#[derive(Default)]
struct Expected {
    goals: BTreeSet<GoalId>,
    steps: BTreeSet<StepId>,
    reviews: BTreeSet<ReviewId>,
    appointments: BTreeSet<AppointmentId>,
    sessions: BTreeSet<SessionId>,
    revisions: BTreeSet<RevisionId>,
    sign_offs: BTreeSet<SignOffId>,
    addenda: BTreeSet<AddendumId>,
    concerns: BTreeSet<ConcernId>,
    responses: BTreeSet<ResponseId>,
    checkins: BTreeSet<CheckInId>,
    achievements: BTreeSet<AchievementId>,
}

struct Replica {
    docs: ParticipantDocs,
    ctx: Ctx,
}

/// All changes ever made, per document kind (the "network").
#[derive(Default)]
struct Network {
    plan: Vec<Vec<u8>>,
    notes: Vec<Vec<u8>>,
    restricted: Vec<Vec<u8>>,
    /// Concern documents: each one's creation (saved whole) and later changes.
    concerns: Vec<(DocId, Vec<u8>)>,
}

fn pick<T: Clone>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()].clone())
}

/// Allowed refusals: the generator may ask for things the rules forbid.
fn allowed(r: Result<impl Sized, OpError>) -> Option<()> {
    match r {
        Ok(_) => Some(()),
        Err(OpError::SignedOff | OpError::Invalid { .. }) => None,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn new_changes<T: Record>(
    doc: &mut Doc<T>,
    before: &[automerge::ChangeHash],
    out: &mut Vec<Vec<u8>>,
) {
    out.extend(doc.changes_since(before));
}

fn deliver<T: Record>(doc: &mut Doc<T>, pool: &[Vec<u8>], rng: &mut fastrand_like::Rng) {
    // A random selection, in random order, with duplicates.
    let n = pool.len();
    if n == 0 {
        return;
    }
    for _ in 0..rng.below(2 * n as u64 + 1) {
        let c = &pool[rng.below(n as u64) as usize];
        doc.apply(c).expect("a valid change applies");
    }
}

/// Delivers concern documents: a replica without the document can only start from its
/// creation; later changes to it wait (as a device fetches new documents whole).
fn deliver_concerns(
    docs: &mut Vec<Doc<Safeguarding>>,
    pool: &[(DocId, Vec<u8>)],
    rng: &mut fastrand_like::Rng,
    all: bool,
) {
    let n = pool.len();
    if n == 0 {
        return;
    }
    let picks: Vec<usize> = if all {
        (0..n).chain(0..n).collect()
    } else {
        (0..rng.below(2 * n as u64 + 1))
            .map(|_| rng.below(n as u64) as usize)
            .collect()
    };
    for k in picks {
        let (id, bytes) = &pool[k];
        match docs.iter_mut().find(|d| d.id() == *id) {
            Some(doc) => doc.apply(bytes).expect("a valid change applies"),
            None => {
                if let Ok(doc) = Doc::<Safeguarding>::load(*id, bytes) {
                    docs.push(doc);
                }
            }
        }
    }
    docs.sort_by_key(|d| d.id());
}

/// A tiny deterministic generator, so deliveries are reproducible from the proptest seed.
mod fastrand_like {
    pub struct Rng(pub u64);
    impl Rng {
        pub fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            if n == 0 { 0 } else { self.0 % n }
        }
    }
}

fn apply(rep: &mut Replica, op: &Op, step: i64, exp: &mut Expected) {
    let ctx = Ctx::new(
        rep.ctx.author,
        Timestamp::from_millis(1_760_000_000_000 + step * 60_000),
    );
    let plan = rep.docs.plan.read().clone();
    let notes = rep.docs.notes.read().clone();
    let goals: Vec<&Goal> = plan.goals.values().collect();
    let sessions: Vec<SessionId> = notes.sessions().keys().copied().collect();
    match op {
        Op::AddGoal => {
            let id = ops::plan::add_goal(
                &mut rep.docs.plan,
                &ctx,
                &NewGoal {
                    title: format!("goal {step}"),
                    pathway: Pathway::ALL[step as usize % Pathway::ALL.len()],
                    why_it_matters: String::new(),
                    target_date: Day::from_ymd(2027, 1, 1),
                    review_due: None,
                },
            )
            .unwrap();
            exp.goals.insert(id);
        }
        Op::AddStep(i) => {
            if let Some(g) = pick(&goals, *i) {
                let id = ops::plan::add_step(
                    &mut rep.docs.plan,
                    &ctx,
                    &NewStep {
                        goal: g.id,
                        text: format!("step {step}"),
                        by_whom: "me".into(),
                        due: None,
                    },
                )
                .unwrap();
                exp.steps.insert(id);
            }
        }
        Op::TickStep(i, j, done) => {
            if let Some(g) = pick(&goals, *i)
                && let Some(s) = pick(&g.steps, *j)
            {
                ops::plan::tick_step(
                    &mut rep.docs.plan,
                    &ctx,
                    &StepTick {
                        goal: g.id,
                        step: s.id,
                        done: *done,
                    },
                )
                .unwrap();
            }
        }
        Op::Review(i, rating) => {
            if let Some(g) = pick(&goals, *i) {
                let id = ops::plan::review_goal(
                    &mut rep.docs.plan,
                    &ctx,
                    &NewReview {
                        goal: g.id,
                        rating: *rating,
                        comment: "ok".into(),
                        next_review: None,
                    },
                )
                .unwrap();
                exp.reviews.insert(id);
            }
        }
        Op::SignOffGoal(i) => {
            if let Some(g) = pick(&goals, *i) {
                ops::plan::sign_off_goal(&mut rep.docs.plan, &ctx, &GoalSignOff { goal: g.id })
                    .unwrap();
            }
        }
        Op::PlanAppointment(mins) => {
            let id = ops::plan::plan_appointment(
                &mut rep.docs.plan,
                &ctx,
                &NewAppointment {
                    starts_at: ctx.now.plus_minutes(*mins),
                    ends_at: None,
                    kind: AppointmentKind::JobCentre,
                    with_whom: "work coach".into(),
                    location: String::new(),
                    reminder: true,
                    travel_arranged: false,
                    accompanied_by: None,
                },
            )
            .unwrap();
            exp.appointments.insert(id);
        }
        Op::Outcome(i, went) => {
            let apps: Vec<AppointmentId> = plan.appointments.values().map(|a| a.id).collect();
            if let Some(a) = pick(&apps, *i) {
                ops::plan::record_appointment_outcome(
                    &mut rep.docs.plan,
                    &ctx,
                    &AppointmentOutcome {
                        appointment: a,
                        status: AppointmentStatus::Attended,
                        outcome: "went well".into(),
                        went_with_them: *went,
                        follow_up: None,
                        follow_up_due: None,
                        expenses_pence: Some(420),
                    },
                )
                .unwrap();
            }
        }
        Op::LogSession(minutes) => {
            let id = ops::notes::log_session(
                &mut rep.docs.notes,
                &mut rep.docs.plan,
                &ctx,
                &NewSession {
                    topics: vec![Pathway::Employment],
                    mood_before: Some(2),
                    mood_after: Some(4),
                    summary: "we talked".into(),
                    next_steps: "call college".into(),
                    private_notes: format!("note {step}"),
                    ..NewSession::attended(ctx.now, *minutes)
                },
            )
            .unwrap();
            exp.sessions.insert(id);
        }
        Op::EditSession(i, minutes) => {
            if let Some(s) = pick(&sessions, *i)
                && allowed(ops::notes::edit_session(
                    &mut rep.docs.notes,
                    &mut rep.docs.plan,
                    &ctx,
                    &SessionEdit {
                        duration_minutes: Some(*minutes),
                        private_notes: Some(format!("edited {step}")),
                        ..SessionEdit::of(s)
                    },
                ))
                .is_some()
            {
                let rec = rep.docs.notes.read().session(s).unwrap();
                exp.revisions.insert(rec.latest_revision().unwrap().id);
            }
        }
        Op::SignOff(i) => {
            if let Some(s) = pick(&sessions, *i)
                && let Ok(id) = ops::notes::sign_off_session(
                    &mut rep.docs.notes,
                    &ctx,
                    &SessionSignOff { session: s },
                )
            {
                exp.sign_offs.insert(id);
            }
        }
        Op::Addendum(i) => {
            if let Some(s) = pick(&sessions, *i) {
                let id = ops::notes::add_addendum(
                    &mut rep.docs.notes,
                    &ctx,
                    &NewAddendum {
                        session: s,
                        text: "also".into(),
                    },
                )
                .unwrap();
                exp.addenda.insert(id);
            }
        }
        Op::RaiseConcern => {
            let doc = ops::concern::raise_concern(
                plan.participant,
                &ctx,
                &NewConcern {
                    category: ConcernCategory::Housing,
                    urgency: Urgency::High,
                    description: "no bed tonight".into(),
                },
            )
            .unwrap();
            exp.concerns.insert(doc.read().concern.id);
            rep.docs.concerns.push(doc);
        }
        Op::Respond(i) => {
            let n = rep.docs.concerns.len();
            if n > 0 {
                let doc = &mut rep.docs.concerns[*i % n];
                let concern = doc.read().concern.id;
                let id = ops::concern::respond_to_concern(
                    doc,
                    &ctx,
                    &ConcernReply {
                        concern,
                        text: "called the council".into(),
                        status: ConcernStatus::Acknowledged,
                    },
                )
                .unwrap();
                exp.responses.insert(id);
            }
        }
        Op::CheckIn(score) => {
            let id = ops::plan::record_checkin(
                &mut rep.docs.plan,
                &ctx,
                &NewCheckIn {
                    scores: vec![PathwayScore {
                        pathway: Pathway::Accommodation,
                        score: *score,
                    }],
                    comment: String::new(),
                },
            )
            .unwrap();
            exp.checkins.insert(id);
        }
        Op::Achievement => {
            let id = ops::plan::record_achievement(
                &mut rep.docs.plan,
                &ctx,
                &NewAchievement {
                    kind: AchievementKind::Qualification,
                    title: "Food hygiene".into(),
                    date: Day::from_ymd(2026, 5, 1).unwrap(),
                    organisation: "Highfield".into(),
                    level: "Level 2".into(),
                    certificate: true,
                    hours: None,
                },
            )
            .unwrap();
            exp.achievements.insert(id);
        }
        Op::Rename(n) => {
            ops::plan::update_profile(
                &mut rep.docs.plan,
                &ctx,
                &ProfileChange {
                    preferred_name: Some(format!("Name {n}")),
                    programme: None,
                    status: None,
                    pathways: vec![],
                },
            )
            .unwrap();
        }
        Op::Deliver(_) => unreachable!("handled by the driver"),
    }
}

/// Signed-off sessions as a replica sees them: session -> (sign-off ids, current content).
fn signed(rep: &Replica) -> BTreeMap<SessionId, (BTreeSet<SignOffId>, SessionContent)> {
    rep.docs
        .notes
        .read()
        .sessions()
        .values()
        .filter(|s| s.is_signed_off())
        .map(|s| {
            (
                s.id,
                (
                    s.sign_offs.iter().map(|x| x.id).collect(),
                    s.current().unwrap().clone(),
                ),
            )
        })
        .collect()
}

fn check_signed_unchanged(
    before: &BTreeMap<SessionId, (BTreeSet<SignOffId>, SessionContent)>,
    rep: &Replica,
) {
    let now = rep.docs.notes.read();
    for (id, (sign_offs, content)) in before {
        let rec = now.session(*id).expect("a signed session never disappears");
        assert!(
            rec.is_signed_off(),
            "a signed session never becomes unsigned"
        );
        let now_ids: BTreeSet<SignOffId> = rec.sign_offs.iter().map(|x| x.id).collect();
        assert!(now_ids.is_superset(sign_offs), "sign-offs are never lost");
        // Every pinned revision is still exactly there.
        for s in &rec.sign_offs {
            assert!(
                rec.revisions.iter().any(|r| r.id == s.revision),
                "a pinned revision is missing"
            );
        }
        if now_ids.len() == 1 {
            assert_eq!(
                rec.current().unwrap(),
                content,
                "a merge changed a signed-off session"
            );
        }
    }
}

fn run(ops_list: Vec<(usize, Op)>, seed: u64) {
    let authors: Vec<_> = (0..3)
        .map(|_| Author {
            user: UserId::new(),
            device: DeviceId::new(),
        })
        .collect();
    let ctx0 = Ctx::new(authors[0], Timestamp::from_millis(1_760_000_000_000));
    let origin = ops::create_participant(
        &ctx0,
        &NewParticipant {
            preferred_name: "Alex".into(),
            programme: "Next Steps".into(),
            pathways: vec![Pathway::Employment],
        },
    )
    .unwrap();
    let mut reps: Vec<Replica> = authors
        .iter()
        .map(|a| Replica {
            docs: origin.clone(),
            ctx: Ctx::new(*a, ctx0.now),
        })
        .collect();
    let mut net = Network::default();
    let mut exp = Expected::default();
    let mut rng = fastrand_like::Rng(seed | 1);

    for (step, (r, op)) in ops_list.iter().enumerate() {
        let r = r % 3;
        let before_signed = signed(&reps[r]);
        let rep = &mut reps[r];
        if let Op::Deliver(s) = op {
            rng.0 ^= s | 1;
            deliver(&mut rep.docs.plan, &net.plan, &mut rng);
            deliver(&mut rep.docs.notes, &net.notes, &mut rng);
            deliver(&mut rep.docs.restricted, &net.restricted, &mut rng);
            deliver_concerns(&mut rep.docs.concerns, &net.concerns, &mut rng, false);
        } else {
            let (hp, hn, hr) = (
                rep.docs.plan.heads(),
                rep.docs.notes.heads(),
                rep.docs.restricted.heads(),
            );
            let concern_heads: Vec<(DocId, Vec<automerge::ChangeHash>)> = rep
                .docs
                .concerns
                .iter_mut()
                .map(|d| (d.id(), d.heads()))
                .collect();
            apply(rep, op, step as i64, &mut exp);
            // The record kept in memory after a local change equals a fresh read.
            let fresh: Plan = autosurgeon::hydrate(rep.docs.plan.automerge()).unwrap();
            assert_eq!(
                &fresh,
                rep.docs.plan.read(),
                "plan out of step after {op:?}"
            );
            let fresh: Notes = autosurgeon::hydrate(rep.docs.notes.automerge()).unwrap();
            assert_eq!(
                &fresh,
                rep.docs.notes.read(),
                "notes out of step after {op:?}"
            );
            let fresh: Restricted = autosurgeon::hydrate(rep.docs.restricted.automerge()).unwrap();
            assert_eq!(
                &fresh,
                rep.docs.restricted.read(),
                "restricted out of step after {op:?}"
            );
            new_changes(&mut rep.docs.plan, &hp, &mut net.plan);
            new_changes(&mut rep.docs.notes, &hn, &mut net.notes);
            new_changes(&mut rep.docs.restricted, &hr, &mut net.restricted);
            for doc in rep.docs.concerns.iter_mut() {
                let id = doc.id();
                match concern_heads.iter().find(|(d, _)| *d == id) {
                    Some((_, heads)) => {
                        for c in doc.changes_since(heads) {
                            net.concerns.push((id, c));
                        }
                    }
                    // Raised just now: it travels whole.
                    None => net.concerns.push((id, doc.save())),
                }
            }
            rep.docs.concerns.sort_by_key(|d| d.id());
        }
        check_signed_unchanged(&before_signed, &reps[r]);
    }

    // Full exchange: every change to every replica, shuffled, each twice.
    for rep in reps.iter_mut() {
        let before_signed = signed(rep);
        for pool in [&net.plan, &net.notes, &net.restricted] {
            let mut order: Vec<usize> = (0..pool.len()).chain(0..pool.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            for i in order {
                let c = &pool[i];
                // Each change applies to the document of its kind; the others are ignored.
                if std::ptr::eq(pool, &net.plan) {
                    rep.docs.plan.apply(c).unwrap();
                } else if std::ptr::eq(pool, &net.notes) {
                    rep.docs.notes.apply(c).unwrap();
                } else {
                    rep.docs.restricted.apply(c).unwrap();
                }
            }
        }
        // Creations first, then the changes that follow them.
        deliver_concerns(&mut rep.docs.concerns, &net.concerns, &mut rng, true);
        deliver_concerns(&mut rep.docs.concerns, &net.concerns, &mut rng, true);
        check_signed_unchanged(&before_signed, rep);
    }

    type State = (Plan, Notes, Restricted, Vec<Safeguarding>);
    let states: Vec<State> = reps
        .iter()
        .map(|r| {
            (
                r.docs.plan.read().clone(),
                r.docs.notes.read().clone(),
                r.docs.restricted.read().clone(),
                r.docs.concerns.iter().map(|d| d.read().clone()).collect(),
            )
        })
        .collect();
    // The in-memory records kept in step with each change equal a fresh read of the document.
    for r in reps.iter_mut() {
        let plan: Plan = autosurgeon::hydrate(r.docs.plan.automerge()).unwrap();
        let notes: Notes = autosurgeon::hydrate(r.docs.notes.automerge()).unwrap();
        let restricted: Restricted = autosurgeon::hydrate(r.docs.restricted.automerge()).unwrap();
        assert_eq!(&plan, r.docs.plan.read());
        assert_eq!(&notes, r.docs.notes.read());
        assert_eq!(&restricted, r.docs.restricted.read());
    }
    assert_eq!(states[0], states[1], "replicas 0 and 1 diverged");
    assert_eq!(states[0], states[2], "replicas 0 and 2 diverged");
    let mut heads: Vec<_> = reps.iter_mut().map(|r| r.docs.plan.heads()).collect();
    heads.iter_mut().for_each(|h| h.sort());
    assert!(heads.windows(2).all(|w| w[0] == w[1]));

    // Every operation's effect is present.
    let (plan, notes, _, concern_docs) = &states[0];
    let goals: BTreeSet<GoalId> = plan.goals.values().map(|g| g.id).collect();
    assert_eq!(goals, exp.goals);
    let steps: BTreeSet<StepId> = plan
        .goals
        .values()
        .flat_map(|g| g.steps.iter().map(|s| s.id))
        .collect();
    assert_eq!(steps, exp.steps);
    let reviews: BTreeSet<ReviewId> = plan
        .goals
        .values()
        .flat_map(|g| g.reviews.values().map(|s| s.id))
        .collect();
    assert_eq!(reviews, exp.reviews);
    let apps: BTreeSet<AppointmentId> = plan.appointments.values().map(|a| a.id).collect();
    assert_eq!(apps, exp.appointments);
    let sessions: BTreeSet<SessionId> = notes.sessions().keys().copied().collect();
    assert_eq!(sessions, exp.sessions);
    let revisions: BTreeSet<RevisionId> = notes.revisions.values().map(|r| r.id).collect();
    assert!(revisions.is_superset(&exp.revisions));
    let sign_offs: BTreeSet<SignOffId> = notes.sign_offs.values().map(|r| r.id).collect();
    assert_eq!(sign_offs, exp.sign_offs);
    let addenda: BTreeSet<AddendumId> = notes.addenda.values().map(|r| r.id).collect();
    assert_eq!(addenda, exp.addenda);
    let concerns: BTreeSet<ConcernId> = concern_docs.iter().map(|d| d.concern.id).collect();
    assert_eq!(concerns, exp.concerns);
    let responses: BTreeSet<ResponseId> = concern_docs
        .iter()
        .flat_map(|d| d.concern.responses.values().map(|r| r.id))
        .collect();
    assert_eq!(responses, exp.responses);
    let checkins: BTreeSet<CheckInId> = plan.checkins.values().map(|c| c.id).collect();
    assert_eq!(checkins, exp.checkins);
    let achievements: BTreeSet<AchievementId> = plan.achievements.values().map(|c| c.id).collect();
    assert_eq!(achievements, exp.achievements);
    // Every session keeps a summary in the plan and the content that stands is valid.
    for s in notes.sessions().values() {
        assert!(plan.summaries.contains_key(&s.id.to_string()));
        let c = s.current().expect("every session has content");
        assert!((1..=720).contains(&c.duration_minutes));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn three_replicas_converge_with_nothing_lost(
        ops_list in prop::collection::vec((0usize..3, op()), 1..60),
        seed in any::<u64>(),
    ) {
        run(ops_list, seed);
    }
}

#[test]
fn concurrent_edit_after_sign_off_does_not_change_the_signed_record() {
    let a = Author {
        user: UserId::new(),
        device: DeviceId::new(),
    };
    let b = Author {
        user: UserId::new(),
        device: DeviceId::new(),
    };
    let t = Timestamp::from_millis(1_760_000_000_000);
    let (ca, cb) = (Ctx::new(a, t), Ctx::new(b, t.plus_minutes(1)));
    let mut one = ops::create_participant(
        &ca,
        &NewParticipant {
            preferred_name: "Jo".into(),
            programme: String::new(),
            pathways: vec![],
        },
    )
    .unwrap();
    let s = ops::notes::log_session(
        &mut one.notes,
        &mut one.plan,
        &ca,
        &NewSession {
            mode: SessionMode::Phone,
            private_notes: "original".into(),
            ..NewSession::attended(t, 60)
        },
    )
    .unwrap();
    let mut two = one.clone();
    ops::notes::sign_off_session(&mut one.notes, &ca, &SessionSignOff { session: s }).unwrap();
    let signed_content = one
        .notes
        .read()
        .session(s)
        .unwrap()
        .current()
        .unwrap()
        .clone();
    // Meanwhile, offline, the other device edits the unsigned copy.
    ops::notes::edit_session(
        &mut two.notes,
        &mut two.plan,
        &cb,
        &SessionEdit {
            duration_minutes: Some(5),
            private_notes: Some("changed later".into()),
            ..SessionEdit::of(s)
        },
    )
    .unwrap();
    one.notes.merge(&mut two.notes).unwrap();
    let rec = one.notes.read().session(s).unwrap();
    assert_eq!(rec.current().unwrap(), &signed_content);
    assert_eq!(
        rec.revisions.len(),
        2,
        "the later edit is kept in the history"
    );
    // And editing the signed record is refused, with the way forward in the message.
    let err = ops::notes::edit_session(
        &mut one.notes,
        &mut one.plan,
        &ca,
        &SessionEdit {
            duration_minutes: Some(5),
            ..SessionEdit::of(s)
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("add an addendum"));
}
