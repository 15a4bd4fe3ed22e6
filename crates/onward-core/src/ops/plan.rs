//! Operations on the Plan document: profile, goals, appointments, achievements, progressions,
//! check-ins and the disclosure draft.

use crate::document::{Ctx, Doc};
use crate::error::OpError;
use crate::ids::*;
use crate::input::*;
use crate::model::*;
use crate::validate;
use crate::vocab::*;

/// Changes the profile (name, programme, status, pathways).
pub fn update_profile(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &ProfileChange,
) -> Result<(), OpError> {
    let mut profile = doc.read().profile.clone();
    if let Some(name) = &input.preferred_name {
        profile.preferred_name = validate::required("preferred name", name)?;
    }
    if let Some(p) = &input.programme {
        profile.programme = validate::short("programme", p)?;
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
    doc.change(ctx, "update_profile", |w| w.put_field("profile", &profile))
}

/// Adds a goal.
pub fn add_goal(doc: &mut Doc<Plan>, ctx: &Ctx, input: &NewGoal) -> Result<GoalId, OpError> {
    let id = GoalId::new();
    let goal = Goal {
        id,
        title: validate::required("title", &input.title)?,
        pathway: input.pathway,
        why_it_matters: validate::long("why it matters", &input.why_it_matters)?,
        target_date: input.target_date,
        review_due: input.review_due,
        status: GoalStatus::Active,
        steps: Vec::new(),
        reviews: Default::default(),
        sign_off: None,
        created: ctx.stamp(),
    };
    doc.insert_entry(ctx, "add_goal", "goals", &id.to_string(), &goal)?;
    Ok(id)
}

/// Changes a goal's title, reason, dates or status.
pub fn update_goal(doc: &mut Doc<Plan>, ctx: &Ctx, input: &GoalChange) -> Result<(), OpError> {
    doc.update_entry(
        ctx,
        "update_goal",
        "goals",
        &input.goal.to_string(),
        "goal",
        |g: &mut Goal| {
            if let Some(t) = &input.title {
                g.title = validate::required("title", t)?;
            }
            if let Some(w) = &input.why_it_matters {
                g.why_it_matters = validate::long("why it matters", w)?;
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
        text: validate::required("step", &input.text)?,
        by_whom: validate::short("by whom", &input.by_whom)?,
        due: input.due,
        done: None,
    };
    let id = step.id;
    doc.update_entry(
        ctx,
        "add_step",
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
        "tick_step",
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
        rating: validate::in_range("rating", input.rating, 0, 10)?,
        comment: validate::long("comment", &input.comment)?,
        created: ctx.stamp(),
    };
    let id = review.id;
    doc.update_entry(
        ctx,
        "review_goal",
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
        "sign_off_goal",
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
    if let Some(end) = input.ends_at
        && end <= input.starts_at
    {
        return Err(OpError::invalid("end time", "must be after the start time"));
    }
    let id = AppointmentId::new();
    let appointment = Appointment {
        id,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        kind: input.kind,
        with_whom: validate::short("with whom", &input.with_whom)?,
        location: validate::short("where", &input.location)?,
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
    doc.insert_entry(
        ctx,
        "plan_appointment",
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
    let outcome = validate::long("outcome", &input.outcome)?;
    let follow_up = match &input.follow_up {
        Some(t) if !t.trim().is_empty() => Some(FollowUp {
            text: validate::required("follow-up", t)?,
            due: input.follow_up_due,
            done: false,
        }),
        _ => None,
    };
    let expenses = input
        .expenses_pence
        .map(|p| validate::pence("expenses", p))
        .transpose()?;
    let me = ctx.author.user;
    doc.update_entry(
        ctx,
        "record_appointment_outcome",
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
            Ok(())
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
        "complete_follow_up",
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
    let hours = input
        .hours
        .map(|h| validate::in_range("hours", h, 0, 10_000))
        .transpose()?;
    let a = Achievement {
        id,
        kind: input.kind,
        title: validate::required("title", &input.title)?,
        date: input.date,
        organisation: validate::short("organisation", &input.organisation)?,
        level: validate::short("level", &input.level)?,
        certificate: input.certificate,
        hours,
        created: ctx.stamp(),
    };
    doc.insert_entry(
        ctx,
        "record_achievement",
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
        description: validate::required("description", &input.description)?,
        organisation: validate::short("organisation", &input.organisation)?,
        start_date: input.start_date,
        sustained_13_weeks: None,
        sustained_26_weeks: None,
        created: ctx.stamp(),
    };
    doc.insert_entry(
        ctx,
        "record_progression",
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
        return Err(OpError::invalid("weeks", "must be 13 or 26"));
    }
    let check = SustainCheck {
        sustained: input.sustained,
        checked: ctx.stamp(),
    };
    doc.update_entry(
        ctx,
        "check_sustained",
        "progressions",
        &input.progression.to_string(),
        "progression",
        |p: &mut Progression| {
            let due = p.start_date.plus_days(i64::from(input.weeks) * 7);
            if ctx.now.london_day() < due {
                return Err(OpError::invalid(
                    "weeks",
                    format!("the {}-week check is not due until {due}", input.weeks),
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
    if input.scores.is_empty() {
        return Err(OpError::invalid(
            "scores",
            "need at least one pathway score",
        ));
    }
    let mut scores = std::collections::BTreeMap::new();
    for s in &input.scores {
        validate::in_range("score", s.score, 0, 10)?;
        scores.insert(s.pathway.as_str().to_string(), s.score);
    }
    let id = CheckInId::new();
    let c = CheckIn {
        id,
        scores,
        comment: validate::long("comment", &input.comment)?,
        created: ctx.stamp(),
    };
    doc.insert_entry(ctx, "record_checkin", "checkins", &id.to_string(), &c)?;
    Ok(id)
}

/// Saves the disclosure-statement draft.
pub fn save_disclosure(
    doc: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &DisclosureText,
) -> Result<(), OpError> {
    let draft = DisclosureDraft {
        text: validate::long("disclosure", &input.text)?,
        updated: ctx.stamp(),
    };
    doc.change(ctx, "save_disclosure", |w| {
        w.put_field("disclosure", &Some(draft))
    })
}
