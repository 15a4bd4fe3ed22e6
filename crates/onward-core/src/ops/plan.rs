//! Operations on the Plan document: profile, goals, appointments, achievements, progressions,
//! check-ins and the disclosure draft.

use crate::document::{Ctx, Doc};
use crate::error::OpError;
use crate::ids::*;
use crate::input::*;
use crate::model::*;
use crate::policy::Operation;
use crate::rules;
use crate::validate::{Field, Problem};
use crate::vocab::*;

/// Changes the profile (name, programme, status, pathways).
pub fn update_profile(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &ProfileChange,
) -> Result<(), OpError> {
    let mut profile = doc.read().profile.clone();
    if let Some(name) = &input.preferred_name {
        profile.preferred_name = Field::PreferredName.text(name)?;
    }
    if let Some(p) = &input.programme {
        profile.programme = Field::Programme.text(p)?;
    }
    if let Some(s) = input.status {
        profile.status = s;
    }
    if !input.pathways.is_empty() {
        let mut pathways = input.pathways.clone();
        pathways.sort();
        pathways.dedup();
        profile.pathways = pathways;
    }
    doc.change(ctx, Operation::UpdateProfile.label(), |w| {
        w.put_field("profile", &profile)
    })
}

/// Adds a goal.
pub fn add_goal(doc: &mut Doc<Plan>, ctx: &Ctx, input: &NewGoal) -> Result<GoalId, OpError> {
    let id = GoalId::new();
    let goal = Goal {
        id,
        title: Field::GoalTitle.text(&input.title)?,
        pathway: input.pathway,
        why_it_matters: Field::WhyItMatters.text(&input.why_it_matters)?,
        target_date: input.target_date,
        review_due: input.review_due,
        status: GoalStatus::Active,
        steps: Vec::new(),
        reviews: Default::default(),
        sign_off: None,
        created: ctx.stamp(),
    };
    doc.insert_entry(
        ctx,
        Operation::AddGoal.label(),
        "goals",
        &id.to_string(),
        &goal,
    )?;
    Ok(id)
}

/// Changes a goal's title, reason, dates or status.
pub fn update_goal(doc: &mut Doc<Plan>, ctx: &Ctx, input: &GoalChange) -> Result<(), OpError> {
    doc.update_entry(
        ctx,
        Operation::UpdateGoal.label(),
        "goals",
        &input.goal.to_string(),
        "goal",
        |g: &mut Goal| {
            if let Some(t) = &input.title {
                g.title = Field::GoalTitle.text(t)?;
            }
            if let Some(w) = &input.why_it_matters {
                g.why_it_matters = Field::WhyItMatters.text(w)?;
            }
            if input.target_date.is_some() {
                g.target_date = input.target_date;
            }
            if input.review_due.is_some() {
                g.review_due = input.review_due;
            }
            if let Some(s) = input.status {
                g.status = s;
            }
            Ok(())
        },
    )
}

/// Adds a step to a goal.
pub fn add_step(doc: &mut Doc<Plan>, ctx: &Ctx, input: &NewStep) -> Result<StepId, OpError> {
    let step = Step {
        id: StepId::new(),
        text: Field::Step.text(&input.text)?,
        by_whom: Field::ByWhom.text(&input.by_whom)?,
        due: input.due,
        done: None,
    };
    let id = step.id;
    doc.update_entry(
        ctx,
        Operation::AddStep.label(),
        "goals",
        &input.goal.to_string(),
        "goal",
        |g: &mut Goal| {
            g.steps.push(step);
            Ok(())
        },
    )?;
    Ok(id)
}

/// Ticks or unticks a step.
pub fn tick_step(doc: &mut Doc<Plan>, ctx: &Ctx, input: &StepTick) -> Result<(), OpError> {
    let stamp = ctx.stamp();
    doc.update_entry(
        ctx,
        Operation::TickStep.label(),
        "goals",
        &input.goal.to_string(),
        "goal",
        |g: &mut Goal| {
            let step = g
                .steps
                .iter_mut()
                .find(|s| s.id == input.step)
                .ok_or(OpError::NotFound("step"))?;
            step.done = input.done.then_some(stamp);
            Ok(())
        },
    )
}

/// Records a progress review (0–10) and, optionally, when to review next.
pub fn review_goal(doc: &mut Doc<Plan>, ctx: &Ctx, input: &NewReview) -> Result<ReviewId, OpError> {
    let review = Review {
        id: ReviewId::new(),
        rating: Field::Rating.number(input.rating)?,
        comment: Field::Comment.text(&input.comment)?,
        created: ctx.stamp(),
    };
    let id = review.id;
    doc.update_entry(
        ctx,
        Operation::ReviewGoal.label(),
        "goals",
        &input.goal.to_string(),
        "goal",
        |g: &mut Goal| {
            g.reviews.insert(review.id.to_string(), review);
            if input.next_review.is_some() {
                g.review_due = input.next_review;
            }
            Ok(())
        },
    )?;
    Ok(id)
}

/// The participant signs off a goal as theirs.
pub fn sign_off_goal(doc: &mut Doc<Plan>, ctx: &Ctx, input: &GoalSignOff) -> Result<(), OpError> {
    let stamp = ctx.stamp();
    doc.update_entry(
        ctx,
        Operation::SignOffGoal.label(),
        "goals",
        &input.goal.to_string(),
        "goal",
        |g: &mut Goal| {
            if g.sign_off.is_none() {
                g.sign_off = Some(stamp);
            }
            Ok(())
        },
    )
}

/// Plans an appointment.
pub fn plan_appointment(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &NewAppointment,
) -> Result<AppointmentId, OpError> {
    let id = AppointmentId::new();
    let appointment = Appointment {
        id,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        kind: input.kind,
        with_whom: Field::WithWhom.text(&input.with_whom)?,
        location: Field::Location.text(&input.location)?,
        support: Support {
            reminder: input.reminder,
            travel_arranged: input.travel_arranged,
            accompanied_by: input.accompanied_by,
        },
        status: AppointmentStatus::Planned,
        outcome: String::new(),
        follow_up: None,
        expenses_pence: 0,
        created: ctx.stamp(),
    };
    rules::appointment(&appointment)?;
    doc.insert_entry(
        ctx,
        Operation::PlanAppointment.label(),
        "appointments",
        &id.to_string(),
        &appointment,
    )?;
    Ok(id)
}

/// Records what happened at an appointment: status, outcome, who went, follow-up, expenses.
pub fn record_appointment_outcome(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &AppointmentOutcome,
) -> Result<(), OpError> {
    let outcome = Field::Outcome.text(&input.outcome)?;
    let follow_up = match &input.follow_up {
        Some(t) if !t.trim().is_empty() => Some(FollowUp {
            text: Field::FollowUp.text(t)?,
            due: input.follow_up_due,
            done: false,
        }),
        _ => None,
    };
    let expenses = input
        .expenses_pence
        .map(|p| Field::Expenses.pence(p))
        .transpose()?;
    let me = ctx.author.user;
    doc.update_entry(
        ctx,
        Operation::RecordAppointmentOutcome.label(),
        "appointments",
        &input.appointment.to_string(),
        "appointment",
        |a: &mut Appointment| {
            a.status = input.status;
            a.outcome = outcome;
            if input.went_with_them {
                a.support.accompanied_by = Some(me);
            }
            if follow_up.is_some() {
                a.follow_up = follow_up;
            }
            if let Some(p) = expenses {
                a.expenses_pence = p;
            }
            rules::appointment(a)
        },
    )
}

/// Marks an appointment's follow-up as done.
pub fn complete_follow_up(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &FollowUpDone,
) -> Result<(), OpError> {
    doc.update_entry(
        ctx,
        Operation::CompleteFollowUp.label(),
        "appointments",
        &input.appointment.to_string(),
        "appointment",
        |a: &mut Appointment| {
            let f = a.follow_up.as_mut().ok_or(OpError::NotFound("follow-up"))?;
            f.done = true;
            Ok(())
        },
    )
}

/// Records an achievement.
pub fn record_achievement(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &NewAchievement,
) -> Result<AchievementId, OpError> {
    let id = AchievementId::new();
    let hours = input.hours.map(|h| Field::Hours.number(h)).transpose()?;
    let a = Achievement {
        id,
        kind: input.kind,
        title: Field::AchievementTitle.text(&input.title)?,
        date: input.date,
        organisation: Field::Organisation.text(&input.organisation)?,
        level: Field::Level.text(&input.level)?,
        certificate: input.certificate,
        hours,
        created: ctx.stamp(),
    };
    doc.insert_entry(
        ctx,
        Operation::RecordAchievement.label(),
        "achievements",
        &id.to_string(),
        &a,
    )?;
    Ok(id)
}

/// Records a progression into work, education, training or volunteering.
pub fn record_progression(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &NewProgression,
) -> Result<ProgressionId, OpError> {
    let id = ProgressionId::new();
    let p = Progression {
        id,
        kind: input.kind,
        description: Field::ProgressionDescription.text(&input.description)?,
        organisation: Field::Organisation.text(&input.organisation)?,
        start_date: input.start_date,
        sustained_13_weeks: None,
        sustained_26_weeks: None,
        created: ctx.stamp(),
    };
    doc.insert_entry(
        ctx,
        Operation::RecordProgression.label(),
        "progressions",
        &id.to_string(),
        &p,
    )?;
    Ok(id)
}

/// Records a 13- or 26-week sustainment check.
pub fn check_sustained(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &SustainedCheck,
) -> Result<(), OpError> {
    if input.weeks != 13 && input.weeks != 26 {
        return Err(OpError::invalid(Field::Weeks, Problem::WeeksNot13Or26));
    }
    let check = SustainCheck {
        sustained: input.sustained,
        checked: ctx.stamp(),
    };
    doc.update_entry(
        ctx,
        Operation::CheckSustained.label(),
        "progressions",
        &input.progression.to_string(),
        "progression",
        |p: &mut Progression| {
            let due = p.start_date.plus_days(i64::from(input.weeks) * 7);
            if ctx.now.london_day() < due {
                return Err(OpError::invalid(
                    Field::Weeks,
                    Problem::NotDue {
                        weeks: input.weeks,
                        due,
                    },
                ));
            }
            if input.weeks == 13 {
                p.sustained_13_weeks = Some(check);
            } else {
                p.sustained_26_weeks = Some(check);
            }
            Ok(())
        },
    )
}

/// Records a self-assessment check-in.
pub fn record_checkin(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &NewCheckIn,
) -> Result<CheckInId, OpError> {
    let mut scores = std::collections::BTreeMap::new();
    for s in &input.scores {
        Field::Score.number(s.score)?;
        scores.insert(s.pathway.as_str().to_string(), s.score);
    }
    let id = CheckInId::new();
    let c = CheckIn {
        id,
        scores,
        comment: Field::Comment.text(&input.comment)?,
        created: ctx.stamp(),
    };
    rules::checkin(&c)?;
    doc.insert_entry(
        ctx,
        Operation::RecordCheckIn.label(),
        "checkins",
        &id.to_string(),
        &c,
    )?;
    Ok(id)
}

/// Saves the disclosure-statement draft.
pub fn save_disclosure(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &DisclosureText,
) -> Result<(), OpError> {
    let draft = DisclosureDraft {
        text: Field::Disclosure.text(&input.text)?,
        updated: ctx.stamp(),
    };
    doc.change(ctx, Operation::SaveDisclosure.label(), |w| {
        w.put_field("disclosure", &Some(draft))
    })
}
