//! What a stored record must be. The operations build records from what people type and check
//! them here before writing; the server checks every record a pushed change writes with the
//! same functions. Field limits come from [`crate::validate::Field`], so each rule is written
//! once.

use crate::error::OpError;
use crate::model::*;
use crate::validate::{Field, Problem};
use crate::vocab::{Attendance, Pathway};

/// Pathways kept sorted and without repeats, as the operations write them.
fn pathways(list: &[Pathway], field: Field) -> Result<(), OpError> {
    if list.windows(2).all(|w| w[0] < w[1]) {
        Ok(())
    } else {
        Err(OpError::invalid(field, Problem::Malformed))
    }
}

/// A participant's profile.
pub fn profile(p: &Profile) -> Result<(), OpError> {
    Field::PreferredName.stored(&p.preferred_name)?;
    Field::Programme.stored(&p.programme)?;
    pathways(&p.pathways, Field::Programme)
}

/// A goal's own fields (steps and reviews are checked as they are added).
pub fn goal(g: &Goal) -> Result<(), OpError> {
    Field::GoalTitle.stored(&g.title)?;
    Field::WhyItMatters.stored(&g.why_it_matters)
}

/// A step towards a goal.
pub fn step(s: &Step) -> Result<(), OpError> {
    Field::Step.stored(&s.text)?;
    Field::ByWhom.stored(&s.by_whom)
}

/// A progress review.
pub fn review(r: &Review) -> Result<(), OpError> {
    Field::Rating.number(r.rating)?;
    Field::Comment.stored(&r.comment)
}

/// An appointment.
pub fn appointment(a: &Appointment) -> Result<(), OpError> {
    if let Some(end) = a.ends_at
        && end <= a.starts_at
    {
        return Err(OpError::invalid(Field::EndTime, Problem::EndBeforeStart));
    }
    Field::WithWhom.stored(&a.with_whom)?;
    Field::Location.stored(&a.location)?;
    Field::Outcome.stored(&a.outcome)?;
    if let Some(f) = &a.follow_up {
        Field::FollowUp.stored(&f.text)?;
    }
    Field::Expenses.pence(a.expenses_pence)?;
    Ok(())
}

/// An achievement.
pub fn achievement(a: &Achievement) -> Result<(), OpError> {
    Field::AchievementTitle.stored(&a.title)?;
    Field::Organisation.stored(&a.organisation)?;
    Field::Level.stored(&a.level)?;
    if let Some(h) = a.hours {
        Field::Hours.number(h)?;
    }
    Ok(())
}

/// A progression.
pub fn progression(p: &Progression) -> Result<(), OpError> {
    Field::ProgressionDescription.stored(&p.description)?;
    Field::Organisation.stored(&p.organisation)
}

/// The shared part of a session.
pub fn summary(s: &SessionSummary) -> Result<(), OpError> {
    Field::Summary.stored(&s.summary)?;
    Field::NextSteps.stored(&s.next_steps)
}

/// A self-assessment check-in.
pub fn checkin(c: &CheckIn) -> Result<(), OpError> {
    if c.scores.is_empty() {
        return Err(OpError::invalid(Field::Scores, Problem::NoScores));
    }
    for (pathway, score) in &c.scores {
        pathway
            .parse::<Pathway>()
            .map_err(|_| OpError::invalid(Field::Scores, Problem::Malformed))?;
        Field::Score.number(*score)?;
    }
    Field::Comment.stored(&c.comment)
}

/// The disclosure-statement draft.
pub fn disclosure(d: &DisclosureDraft) -> Result<(), OpError> {
    Field::Disclosure.stored(&d.text)
}

/// What happened in a session.
pub fn session(c: &SessionContent) -> Result<(), OpError> {
    Field::Duration.number(c.duration_minutes)?;
    for (field, mood) in [
        (Field::MoodBefore, c.mood_before),
        (Field::MoodAfter, c.mood_after),
    ] {
        if let Some(m) = mood {
            field.number(m)?;
        }
    }
    Field::AbsenceReason.stored(&c.absence_reason)?;
    if c.attendance == Attendance::DidNotAttend && c.absence_reason.is_empty() {
        return Err(OpError::invalid(
            Field::AbsenceReason,
            Problem::ReasonNeeded,
        ));
    }
    pathways(&c.topics, Field::Session)?;
    Field::PrivateNotes.stored(&c.private_notes)
}

/// An addendum.
pub fn addendum(a: &Addendum) -> Result<(), OpError> {
    Field::Addendum.stored(&a.text)
}

/// The referral.
pub fn referral(r: &Referral) -> Result<(), OpError> {
    if let Some(end) = r.supervision_end
        && end < r.date
    {
        return Err(OpError::invalid(
            Field::SupervisionEnd,
            Problem::BeforeReferral,
        ));
    }
    Field::Referrer.stored(&r.referrer)?;
    Field::ReferralReason.stored(&r.reason)
}

/// A consent record.
pub fn consent(c: &ConsentRecord) -> Result<(), OpError> {
    Field::ConsentVersion.stored(&c.version)?;
    Field::ConsentScope.stored(&c.scope)?;
    Field::GivenBy.stored(&c.given_by)
}

/// A key contact.
pub fn contact(c: &KeyContact) -> Result<(), OpError> {
    Field::ContactRole.stored(&c.role)?;
    Field::ContactName.stored(&c.name)?;
    Field::Organisation.stored(&c.organisation)?;
    Field::Phone.stored(&c.phone)?;
    Field::Email.stored(&c.email)?;
    if !c.email.is_empty() && !c.email.contains('@') {
        return Err(OpError::invalid(Field::Email, Problem::NotEmail));
    }
    Ok(())
}

/// A safeguarding concern's own fields.
pub fn concern(c: &Concern) -> Result<(), OpError> {
    Field::ConcernDescription.stored(&c.description)
}

/// A coordinator's response to a concern.
pub fn response(r: &ConcernResponse) -> Result<(), OpError> {
    Field::Response.stored(&r.text)
}
