//! Judging a change by what it does. The server applies each change a device pushes on its
//! own ([`crate::Doc::apply_checked`]) and asks here which operation the change *is*, from the
//! record before and after: whatever the change says about itself. A change must be exactly
//! one operation, touching only what that operation writes, with values the operation would
//! write ([`crate::rules`]), and stamps naming the person who pushed it at a time the server
//! can believe. Then [`crate::policy`] says whether that person may run the operation.

use std::collections::BTreeMap;

use crate::document::{Record, Touched};
use crate::model::*;
use crate::policy::{Actor, Operation, Refused};
use crate::rules;
use crate::time::Timestamp;
use crate::vocab::{AppointmentStatus, ConcernStatus, GoalStatus, ParticipantStatus};

/// Who pushed a change, the times its stamps must fall between, and what of the rest of the
/// participant's record the judgement needs.
#[derive(Debug, Clone)]
pub struct Judging {
    pub actor: Actor,
    /// Nothing made on the pushing device can be older than its enrolment (less a margin for
    /// clock drift).
    pub earliest: Timestamp,
    /// Nothing can be newer than the server's own clock (plus the same margin).
    pub latest: Timestamp,
    /// The participant's sessions already signed off (from the Notes the server holds): their
    /// shared summaries are fixed too.
    pub signed_sessions: SignedSessions,
}

type SessionSet = std::collections::BTreeSet<crate::ids::SessionId>;

/// The participant's signed-off sessions, read from their Notes only when a change touches a
/// session's shared summary (most changes to a Plan do not, and reading Notes costs time).
#[derive(Clone, Default)]
pub struct SignedSessions {
    read: std::sync::OnceLock<Result<SessionSet, Refused>>,
    reader: Option<std::sync::Arc<dyn Fn() -> Result<SessionSet, Refused> + Send + Sync>>,
}

impl SignedSessions {
    /// Sessions already known.
    pub fn known(sessions: SessionSet) -> Self {
        Self {
            read: std::sync::OnceLock::from(Ok(sessions)),
            reader: None,
        }
    }

    /// Sessions `reader` finds, asked at most once and only when needed.
    pub fn read_by(
        reader: impl Fn() -> Result<SessionSet, Refused> + Send + Sync + 'static,
    ) -> Self {
        Self {
            read: std::sync::OnceLock::new(),
            reader: Some(std::sync::Arc::new(reader)),
        }
    }

    /// Whether `session` is signed off.
    pub fn contains(&self, session: &crate::ids::SessionId) -> Result<bool, Refused> {
        let read = self.read.get_or_init(|| match &self.reader {
            Some(reader) => reader(),
            None => Ok(SessionSet::new()),
        });
        match read {
            Ok(set) => Ok(set.contains(session)),
            Err(e) => Err(e.clone()),
        }
    }
}

impl std::fmt::Debug for SignedSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedSessions")
            .field("read", &self.read.get())
            .finish_non_exhaustive()
    }
}

impl Judging {
    /// Checks a stamp written by the change: by the pusher, at a believable time.
    pub fn stamp(&self, s: &Stamp) -> Result<(), Refused> {
        if s.by != self.actor.user {
            return Err(Refused::NotThePusher);
        }
        self.time(s.at)
    }

    /// Checks a time the change claims (a stamp, or the change's own time).
    pub fn time(&self, at: Timestamp) -> Result<(), Refused> {
        if at > self.latest {
            return Err(Refused::FromTheFuture);
        }
        if at < self.earliest {
            return Err(Refused::BeforeEnrolment);
        }
        Ok(())
    }
}

/// A record type the server can judge changes to.
pub trait Judge: Record {
    /// The operation a new document's first change is (the whole record as created).
    fn creation(&self, j: &Judging) -> Result<Operation, Refused>;

    /// The operation a later change is, given the record before and after it and what it
    /// touched; `None` when it changed nothing anyone can see (a concurrent write that lost).
    fn change(
        before: &Self,
        after: &Self,
        touched: &Touched,
        j: &Judging,
    ) -> Result<Option<Operation>, Refused>;
}

/// Judges one change: exactly one part of the record touched, then the record type decides.
pub fn judge_change<T: Judge>(
    before: &T,
    after: &T,
    touched: &[Touched],
    j: &Judging,
) -> Result<Option<Operation>, Refused> {
    match touched {
        [] => Ok(None),
        [one] => T::change(before, after, one, j),
        _ => Err(Refused::OneThing),
    }
}

/// Whether a change labelled `label` may be the operation `op`. The Plan's part of logging
/// and of editing a session is the same write (the shared summary), so either label fits it.
pub fn label_fits(op: Operation, label: &str) -> bool {
    label == op.label()
        || (matches!(op, Operation::LogSession | Operation::EditSession)
            && (label == Operation::LogSession.label() || label == Operation::EditSession.label()))
}

fn check<T>(r: Result<T, crate::OpError>) -> Result<T, Refused> {
    r.map_err(Refused::from)
}

/// How an entry of a map of records changed.
enum Delta<'a, V> {
    Same,
    Added(&'a V),
    Changed(&'a V, &'a V),
    Removed,
}

fn delta<'a, V: PartialEq>(before: Option<&'a V>, after: Option<&'a V>) -> Delta<'a, V> {
    match (before, after) {
        (None, None) => Delta::Same,
        (Some(a), Some(b)) if a == b => Delta::Same,
        (None, Some(b)) => Delta::Added(b),
        (Some(a), Some(b)) => Delta::Changed(a, b),
        (Some(_), None) => Delta::Removed,
    }
}

fn entry<'a, V: PartialEq>(
    before: &'a BTreeMap<String, V>,
    after: &'a BTreeMap<String, V>,
    key: &str,
) -> Delta<'a, V> {
    delta(before.get(key), after.get(key))
}

/// A record only ever added (never changed or removed), with its id under its key.
fn add_only<V: PartialEq>(d: Delta<'_, V>) -> Result<Option<&V>, Refused> {
    match d {
        Delta::Same => Ok(None),
        Delta::Added(v) => Ok(Some(v)),
        Delta::Changed(..) | Delta::Removed => Err(Refused::AppendOnly),
    }
}

fn key_is(key: &str, id: impl std::fmt::Display) -> Result<(), Refused> {
    if key == id.to_string() {
        Ok(())
    } else {
        Err(Refused::Malformed)
    }
}

fn latest<'a>(stamps: impl Iterator<Item = &'a Stamp>) -> Option<Timestamp> {
    stamps.map(|s| s.at).max()
}

/// Nothing may be dated before what the office already holds that it follows.
fn not_before(at: Timestamp, earlier: Option<Timestamp>) -> Result<(), Refused> {
    match earlier {
        Some(e) if at < e => Err(Refused::Backdated),
        _ => Ok(()),
    }
}

impl Judge for Plan {
    fn creation(&self, j: &Judging) -> Result<Operation, Refused> {
        check(rules::profile(&self.profile))?;
        j.stamp(&self.profile.created)?;
        let empty = self.goals.is_empty()
            && self.appointments.is_empty()
            && self.achievements.is_empty()
            && self.progressions.is_empty()
            && self.summaries.is_empty()
            && self.checkins.is_empty()
            && self.disclosure.is_none();
        if !empty || self.profile.status != ParticipantStatus::Referred {
            return Err(Refused::NotAnOperation);
        }
        Ok(Operation::CreateParticipant)
    }

    fn change(
        before: &Self,
        after: &Self,
        touched: &Touched,
        j: &Judging,
    ) -> Result<Option<Operation>, Refused> {
        match touched {
            Touched::Field("profile") => profile(&before.profile, &after.profile),
            Touched::Field("disclosure") => {
                match delta(before.disclosure.as_ref(), after.disclosure.as_ref()) {
                    Delta::Same => Ok(None),
                    Delta::Added(d) | Delta::Changed(_, d) => {
                        check(rules::disclosure(d))?;
                        j.stamp(&d.updated)?;
                        Ok(Some(Operation::SaveDisclosure))
                    }
                    Delta::Removed => Err(Refused::AppendOnly),
                }
            }
            Touched::Entry("goals", key) => goal(
                before.goals.get(key.as_str()),
                after.goals.get(key.as_str()),
                key,
                j,
            ),
            Touched::Entry("appointments", key) => appointment(
                before.appointments.get(key.as_str()),
                after.appointments.get(key.as_str()),
                key,
                j,
            ),
            Touched::Entry("achievements", key) => {
                let Some(a) = add_only(entry(&before.achievements, &after.achievements, key))?
                else {
                    return Ok(None);
                };
                key_is(key, a.id)?;
                check(rules::achievement(a))?;
                j.stamp(&a.created)?;
                Ok(Some(Operation::RecordAchievement))
            }
            Touched::Entry("progressions", key) => progression(
                before.progressions.get(key.as_str()),
                after.progressions.get(key.as_str()),
                key,
                j,
            ),
            Touched::Entry("summaries", key) => {
                match entry(&before.summaries, &after.summaries, key) {
                    Delta::Same => Ok(None),
                    Delta::Added(s) | Delta::Changed(_, s) => {
                        key_is(key, s.session)?;
                        if j.signed_sessions.contains(&s.session)? {
                            return Err(Refused::SignedOff);
                        }
                        check(rules::summary(s))?;
                        j.stamp(&s.updated)?;
                        Ok(Some(Operation::LogSession))
                    }
                    Delta::Removed => Err(Refused::AppendOnly),
                }
            }
            Touched::Entry("checkins", key) => {
                let Some(c) = add_only(entry(&before.checkins, &after.checkins, key))? else {
                    return Ok(None);
                };
                key_is(key, c.id)?;
                check(rules::checkin(c))?;
                j.stamp(&c.created)?;
                Ok(Some(Operation::RecordCheckIn))
            }
            _ => Err(Refused::Malformed),
        }
    }
}

fn profile(a: &Profile, b: &Profile) -> Result<Option<Operation>, Refused> {
    if a == b {
        return Ok(None);
    }
    if a.created != b.created {
        return Err(Refused::NotAnOperation);
    }
    check(rules::profile(b))?;
    Ok(Some(Operation::UpdateProfile))
}

fn goal(
    a: Option<&Goal>,
    b: Option<&Goal>,
    key: &str,
    j: &Judging,
) -> Result<Option<Operation>, Refused> {
    let (a, b) = match delta(a, b) {
        Delta::Same => return Ok(None),
        Delta::Removed => return Err(Refused::AppendOnly),
        Delta::Added(g) => {
            key_is(key, g.id)?;
            let fresh = g.status == GoalStatus::Active
                && g.steps.is_empty()
                && g.reviews.is_empty()
                && g.sign_off.is_none();
            if !fresh {
                return Err(Refused::OneThing);
            }
            check(rules::goal(g))?;
            j.stamp(&g.created)?;
            return Ok(Some(Operation::AddGoal));
        }
        Delta::Changed(a, b) => (a, b),
    };
    if a.id != b.id || a.pathway != b.pathway || a.created != b.created {
        return Err(Refused::NotAnOperation);
    }
    let core_changed = a.title != b.title
        || a.why_it_matters != b.why_it_matters
        || a.target_date != b.target_date
        || a.status != b.status;
    let review_due_changed = a.review_due != b.review_due;

    // Steps: the old ones stay, in order, with their words; one may be added (anywhere, as
    // concurrent additions interleave) and ticks may change.
    let old: Vec<_> = a.steps.iter().map(|s| s.id).collect();
    let kept: Vec<_> = b.steps.iter().filter(|s| old.contains(&s.id)).collect();
    if kept.len() != old.len() {
        return Err(Refused::AppendOnly);
    }
    let mut ticked = Vec::new();
    for (x, y) in a.steps.iter().zip(&kept) {
        if x.id != y.id || x.text != y.text || x.by_whom != y.by_whom || x.due != y.due {
            return Err(Refused::AppendOnly);
        }
        if x.done != y.done {
            ticked.push(*y);
        }
    }
    let added: Vec<_> = b.steps.iter().filter(|s| !old.contains(&s.id)).collect();

    for (k, r) in &a.reviews {
        if b.reviews.get(k) != Some(r) {
            return Err(Refused::AppendOnly);
        }
    }
    let reviews: Vec<_> = b
        .reviews
        .iter()
        .filter(|(k, _)| !a.reviews.contains_key(*k))
        .collect();
    let signed = match (&a.sign_off, &b.sign_off) {
        (None, None) => None,
        (None, Some(s)) => Some(s),
        (Some(x), Some(y)) if x == y => None,
        _ => return Err(Refused::AppendOnly),
    };

    let parts = usize::from(core_changed || review_due_changed)
        + usize::from(!added.is_empty())
        + usize::from(!ticked.is_empty())
        + usize::from(!reviews.is_empty())
        + usize::from(signed.is_some());
    if added.len() > 1 || ticked.len() > 1 || reviews.len() > 1 {
        return Err(Refused::OneThing);
    }
    // A review may move the next review date with it.
    if let [(k, r)] = reviews.as_slice() {
        if core_changed || parts > 2 || (parts == 2 && !review_due_changed) {
            return Err(Refused::OneThing);
        }
        key_is(k, r.id)?;
        check(rules::review(r))?;
        j.stamp(&r.created)?;
        return Ok(Some(Operation::ReviewGoal));
    }
    if parts > 1 {
        return Err(Refused::OneThing);
    }
    if let [s] = added.as_slice() {
        if s.done.is_some() {
            return Err(Refused::OneThing);
        }
        check(rules::step(s))?;
        return Ok(Some(Operation::AddStep));
    }
    if let [s] = ticked.as_slice() {
        if let Some(done) = &s.done {
            j.stamp(done)?;
        }
        return Ok(Some(Operation::TickStep));
    }
    if let Some(s) = signed {
        j.stamp(s)?;
        return Ok(Some(Operation::SignOffGoal));
    }
    check(rules::goal(b))?;
    Ok(Some(Operation::UpdateGoal))
}

fn appointment(
    a: Option<&Appointment>,
    b: Option<&Appointment>,
    key: &str,
    j: &Judging,
) -> Result<Option<Operation>, Refused> {
    let (a, b) = match delta(a, b) {
        Delta::Same => return Ok(None),
        Delta::Removed => return Err(Refused::AppendOnly),
        Delta::Added(x) => {
            key_is(key, x.id)?;
            let fresh = x.status == AppointmentStatus::Planned
                && x.outcome.is_empty()
                && x.follow_up.is_none()
                && x.expenses_pence == 0;
            if !fresh {
                return Err(Refused::OneThing);
            }
            check(rules::appointment(x))?;
            j.stamp(&x.created)?;
            return Ok(Some(Operation::PlanAppointment));
        }
        Delta::Changed(a, b) => (a, b),
    };
    let fixed = a.id == b.id
        && a.starts_at == b.starts_at
        && a.ends_at == b.ends_at
        && a.kind == b.kind
        && a.with_whom == b.with_whom
        && a.location == b.location
        && a.support.reminder == b.support.reminder
        && a.support.travel_arranged == b.support.travel_arranged
        && a.created == b.created;
    if !fixed {
        return Err(Refused::NotAnOperation);
    }
    let outcome_same = a.status == b.status
        && a.outcome == b.outcome
        && a.support.accompanied_by == b.support.accompanied_by
        && a.expenses_pence == b.expenses_pence;
    if outcome_same
        && let (Some(x), Some(y)) = (&a.follow_up, &b.follow_up)
        && x.text == y.text
        && x.due == y.due
        && !x.done
        && y.done
    {
        return Ok(Some(Operation::CompleteFollowUp));
    }
    if a.support.accompanied_by != b.support.accompanied_by
        && b.support.accompanied_by != Some(j.actor.user)
    {
        // "I went with them" records the person who says it, nobody else.
        return Err(Refused::NotThePusher);
    }
    if a.follow_up != b.follow_up && b.follow_up.as_ref().is_none_or(|f| f.done) {
        return Err(Refused::NotAnOperation);
    }
    check(rules::appointment(b))?;
    Ok(Some(Operation::RecordAppointmentOutcome))
}

fn progression(
    a: Option<&Progression>,
    b: Option<&Progression>,
    key: &str,
    j: &Judging,
) -> Result<Option<Operation>, Refused> {
    let (a, b) = match delta(a, b) {
        Delta::Same => return Ok(None),
        Delta::Removed => return Err(Refused::AppendOnly),
        Delta::Added(p) => {
            key_is(key, p.id)?;
            if p.sustained_13_weeks.is_some() || p.sustained_26_weeks.is_some() {
                return Err(Refused::OneThing);
            }
            check(rules::progression(p))?;
            j.stamp(&p.created)?;
            return Ok(Some(Operation::RecordProgression));
        }
        Delta::Changed(a, b) => (a, b),
    };
    let fixed = a.id == b.id
        && a.kind == b.kind
        && a.description == b.description
        && a.organisation == b.organisation
        && a.start_date == b.start_date
        && a.created == b.created;
    if !fixed {
        return Err(Refused::NotAnOperation);
    }
    let (weeks, result): (u32, _) = match (
        a.sustained_13_weeks != b.sustained_13_weeks,
        a.sustained_26_weeks != b.sustained_26_weeks,
    ) {
        (true, false) => (13, b.sustained_13_weeks),
        (false, true) => (26, b.sustained_26_weeks),
        _ => return Err(Refused::OneThing),
    };
    let Some(result) = result else {
        return Err(Refused::AppendOnly);
    };
    j.stamp(&result.checked)?;
    let due = b.start_date.plus_days(i64::from(weeks) * 7);
    if result.checked.at.london_day() < due {
        return Err(Refused::Invalid {
            field: crate::validate::Field::Weeks,
            problem: crate::validate::Problem::NotDue { weeks, due },
        });
    }
    Ok(Some(Operation::CheckSustained))
}

impl Judge for Notes {
    fn creation(&self, _: &Judging) -> Result<Operation, Refused> {
        if self.revisions.is_empty() && self.sign_offs.is_empty() && self.addenda.is_empty() {
            Ok(Operation::CreateParticipant)
        } else {
            Err(Refused::NotAnOperation)
        }
    }

    fn change(
        before: &Self,
        after: &Self,
        touched: &Touched,
        j: &Judging,
    ) -> Result<Option<Operation>, Refused> {
        match touched {
            Touched::Entry("revisions", key) => {
                let Some(r) = add_only(entry(&before.revisions, &after.revisions, key))? else {
                    return Ok(None);
                };
                key_is(key, r.id)?;
                check(rules::session(&r.content))?;
                j.stamp(&r.created)?;
                match before.session(r.session) {
                    None => Ok(Some(Operation::LogSession)),
                    Some(s) if s.is_signed_off() => Err(Refused::SignedOff),
                    Some(_) => Ok(Some(Operation::EditSession)),
                }
            }
            Touched::Entry("sign_offs", key) => {
                let Some(s) = add_only(entry(&before.sign_offs, &after.sign_offs, key))? else {
                    return Ok(None);
                };
                key_is(key, s.id)?;
                let session = before.session(s.session).ok_or(Refused::Missing {
                    what: "the session".into(),
                })?;
                if session.is_signed_off() {
                    return Err(Refused::AlreadySignedOff);
                }
                let revision = session
                    .revisions
                    .iter()
                    .find(|r| r.id == s.revision)
                    .ok_or(Refused::Missing {
                        what: "the version of the session signed".into(),
                    })?;
                j.stamp(&s.created)?;
                not_before(s.created.at, Some(revision.created.at))?;
                Ok(Some(Operation::SignOffSession))
            }
            Touched::Entry("addenda", key) => {
                let Some(a) = add_only(entry(&before.addenda, &after.addenda, key))? else {
                    return Ok(None);
                };
                key_is(key, a.id)?;
                let session = before.session(a.session).ok_or(Refused::Missing {
                    what: "the session".into(),
                })?;
                check(rules::addendum(a))?;
                j.stamp(&a.created)?;
                not_before(a.created.at, Some(session.created.at))?;
                Ok(Some(Operation::AddAddendum))
            }
            _ => Err(Refused::Malformed),
        }
    }
}

impl Judge for Restricted {
    fn creation(&self, _: &Judging) -> Result<Operation, Refused> {
        let empty = self.referral.is_none()
            && self.consents.is_empty()
            && self.contacts.is_empty()
            && self.concerns.is_empty();
        if empty {
            Ok(Operation::CreateParticipant)
        } else {
            Err(Refused::NotAnOperation)
        }
    }

    fn change(
        before: &Self,
        after: &Self,
        touched: &Touched,
        j: &Judging,
    ) -> Result<Option<Operation>, Refused> {
        match touched {
            Touched::Field("referral") => {
                match delta(before.referral.as_ref(), after.referral.as_ref()) {
                    Delta::Same => Ok(None),
                    Delta::Added(r) | Delta::Changed(_, r) => {
                        check(rules::referral(r))?;
                        j.stamp(&r.recorded)?;
                        Ok(Some(Operation::RecordReferral))
                    }
                    Delta::Removed => Err(Refused::AppendOnly),
                }
            }
            Touched::Entry("consents", key) => {
                let Some(c) = add_only(entry(&before.consents, &after.consents, key))? else {
                    return Ok(None);
                };
                key_is(key, c.id)?;
                check(rules::consent(c))?;
                j.stamp(&c.recorded)?;
                not_before(
                    c.recorded.at,
                    latest(before.consents.values().map(|c| &c.recorded)),
                )?;
                Ok(Some(Operation::RecordConsent))
            }
            Touched::Entry("contacts", key) => {
                let Some(c) = add_only(entry(&before.contacts, &after.contacts, key))? else {
                    return Ok(None);
                };
                key_is(key, c.id)?;
                check(rules::contact(c))?;
                j.stamp(&c.recorded)?;
                Ok(Some(Operation::AddKeyContact))
            }
            Touched::Entry("concerns", key) => {
                match entry(&before.concerns, &after.concerns, key) {
                    Delta::Same => Ok(None),
                    Delta::Changed(a, b) => respond(a, b, j),
                    // New concerns are documents of their own.
                    Delta::Added(_) => Err(Refused::NotAnOperation),
                    Delta::Removed => Err(Refused::AppendOnly),
                }
            }
            _ => Err(Refused::Malformed),
        }
    }
}

/// A coordinator's response to a concern: one response added, the status set to its status,
/// nothing else changed, dated no earlier than the concern or the responses before it.
fn respond(a: &Concern, b: &Concern, j: &Judging) -> Result<Option<Operation>, Refused> {
    let fixed = a.id == b.id
        && a.category == b.category
        && a.urgency == b.urgency
        && a.description == b.description
        && a.raised == b.raised;
    if !fixed {
        return Err(Refused::NotAnOperation);
    }
    for (k, r) in &a.responses {
        if b.responses.get(k) != Some(r) {
            return Err(Refused::AppendOnly);
        }
    }
    let added: Vec<_> = b
        .responses
        .iter()
        .filter(|(k, _)| !a.responses.contains_key(*k))
        .collect();
    let [(key, response)] = added.as_slice() else {
        return Err(if added.is_empty() {
            Refused::NotAnOperation
        } else {
            Refused::OneThing
        });
    };
    key_is(key, response.id)?;
    if b.status != response.status {
        return Err(Refused::NotAnOperation);
    }
    check(rules::response(response))?;
    j.stamp(&response.created)?;
    let earlier = latest(
        a.responses
            .values()
            .map(|r| &r.created)
            .chain(std::iter::once(&a.raised)),
    );
    not_before(response.created.at, earlier)?;
    Ok(Some(Operation::RespondToConcern))
}

impl Judge for Safeguarding {
    fn creation(&self, j: &Judging) -> Result<Operation, Refused> {
        let c = &self.concern;
        if c.status != ConcernStatus::Open || !c.responses.is_empty() {
            return Err(Refused::NotAnOperation);
        }
        check(rules::concern(c))?;
        j.stamp(&c.raised)?;
        Ok(Operation::RaiseConcern)
    }

    fn change(
        before: &Self,
        after: &Self,
        touched: &Touched,
        j: &Judging,
    ) -> Result<Option<Operation>, Refused> {
        match touched {
            Touched::Field("concern") if before.concern == after.concern => Ok(None),
            Touched::Field("concern") => respond(&before.concern, &after.concern, j),
            _ => Err(Refused::Malformed),
        }
    }
}
