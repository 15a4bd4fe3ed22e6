//! Operations on the Notes document: logging, editing and signing off sessions, and addenda.
//! A session's shared summary and next steps go to the Plan, where the participant sees them.

use crate::document::{Ctx, Doc};
use crate::error::OpError;
use crate::ids::*;
use crate::input::*;
use crate::model::*;
use crate::policy::Operation;
use crate::rules;
use crate::validate::{Field, Problem};

fn check_content(c: &SessionContent) -> Result<SessionContent, OpError> {
    let mut topics = c.topics.clone();
    topics.sort();
    topics.dedup();
    let content = SessionContent {
        absence_reason: Field::AbsenceReason.text(&c.absence_reason)?,
        topics,
        private_notes: Field::PrivateNotes.text(&c.private_notes)?,
        ..c.clone()
    };
    rules::session(&content)?;
    Ok(content)
}

fn summary_entry(
    session: SessionId,
    started_at: crate::time::Timestamp,
    summary: &str,
    next_steps: &str,
    ctx: &Ctx,
) -> Result<Option<SessionSummary>, OpError> {
    let summary = Field::Summary.text(summary)?;
    let next_steps = Field::NextSteps.text(next_steps)?;
    if summary.is_empty() && next_steps.is_empty() {
        return Ok(None);
    }
    Ok(Some(SessionSummary {
        session,
        started_at,
        summary,
        next_steps,
        updated: ctx.stamp(),
    }))
}

/// Logs a session: the record goes to the Notes, the shared summary and next steps (if any) to
/// the Plan.
pub fn log_session(
    notes: &mut Doc<Notes>,
    plan: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &NewSession,
) -> Result<SessionId, OpError> {
    let content = check_content(&SessionContent {
        started_at: input.started_at,
        duration_minutes: input.duration_minutes,
        mode: input.mode,
        session_type: input.session_type,
        attendance: input.attendance,
        absence_reason: input.absence_reason.clone(),
        topics: input.topics.clone(),
        mood_before: input.mood_before,
        mood_after: input.mood_after,
        private_notes: input.private_notes.clone(),
    })?;
    let id = SessionId::new();
    let summary = summary_entry(id, input.started_at, &input.summary, &input.next_steps, ctx)?;
    let revision = SessionRevision {
        id: RevisionId::new(),
        session: id,
        content,
        created: ctx.stamp(),
    };
    notes.insert_entry(
        ctx,
        Operation::LogSession.label(),
        "revisions",
        &revision.id.to_string(),
        &revision,
    )?;
    if let Some(s) = summary {
        plan.insert_entry(
            ctx,
            Operation::LogSession.label(),
            "summaries",
            &id.to_string(),
            &s,
        )?;
    }
    Ok(id)
}

/// Edits a session that has not been signed off, by adding a revision.
pub fn edit_session(
    notes: &mut Doc<Notes>,
    plan: &mut Doc<Plan>,
    ctx: &Ctx,
    input: &SessionEdit,
) -> Result<(), OpError> {
    let key = input.session.to_string();
    let record = notes
        .read()
        .session(input.session)
        .ok_or(OpError::NotFound("session"))?;
    if record.is_signed_off() {
        return Err(OpError::SignedOff);
    }
    let mut c = record
        .current()
        .cloned()
        .ok_or(OpError::NotFound("session content"))?;
    if let Some(v) = input.started_at {
        c.started_at = v;
    }
    if let Some(v) = input.duration_minutes {
        c.duration_minutes = v;
    }
    if let Some(v) = input.mode {
        c.mode = v;
    }
    if let Some(v) = input.session_type {
        c.session_type = v;
    }
    if let Some(v) = input.attendance {
        c.attendance = v;
    }
    if let Some(v) = &input.absence_reason {
        c.absence_reason = v.clone();
    }
    if input.mood_before.is_some() {
        c.mood_before = input.mood_before;
    }
    if input.mood_after.is_some() {
        c.mood_after = input.mood_after;
    }
    if let Some(v) = &input.private_notes {
        c.private_notes = v.clone();
    }
    let content = check_content(&c)?;
    let summary =
        if input.summary.is_some() || input.next_steps.is_some() || input.started_at.is_some() {
            let old = plan.read().summaries.get(&key).cloned();
            let s = input
                .summary
                .clone()
                .or_else(|| old.as_ref().map(|o| o.summary.clone()))
                .unwrap_or_default();
            let n = input
                .next_steps
                .clone()
                .or_else(|| old.as_ref().map(|o| o.next_steps.clone()))
                .unwrap_or_default();
            summary_entry(input.session, content.started_at, &s, &n, ctx)?
        } else {
            None
        };
    let revision = SessionRevision {
        id: RevisionId::new(),
        session: input.session,
        content,
        created: ctx.stamp(),
    };
    notes.insert_entry(
        ctx,
        Operation::EditSession.label(),
        "revisions",
        &revision.id.to_string(),
        &revision,
    )?;
    if let Some(s) = summary {
        plan.insert_entry(ctx, Operation::EditSession.label(), "summaries", &key, &s)?;
    }
    Ok(())
}

/// Signs off a session, pinning its current revision. Signing twice is refused.
pub fn sign_off_session(
    notes: &mut Doc<Notes>,
    ctx: &Ctx,
    input: &SessionSignOff,
) -> Result<SignOffId, OpError> {
    let record = notes
        .read()
        .session(input.session)
        .ok_or(OpError::NotFound("session"))?;
    if record.is_signed_off() {
        return Err(OpError::invalid(Field::Session, Problem::AlreadySignedOff));
    }
    let revision = record
        .latest_revision()
        .ok_or(OpError::NotFound("session content"))?
        .id;
    let id = SignOffId::new();
    let sign_off = SignOff {
        id,
        session: input.session,
        revision,
        created: ctx.stamp(),
    };
    notes.insert_entry(
        ctx,
        Operation::SignOffSession.label(),
        "sign_offs",
        &id.to_string(),
        &sign_off,
    )?;
    Ok(id)
}

/// Adds an addendum to a session (the way to correct a signed-off record).
pub fn add_addendum(
    notes: &mut Doc<Notes>,
    ctx: &Ctx,
    input: &NewAddendum,
) -> Result<AddendumId, OpError> {
    let text = Field::Addendum.text(&input.text)?;
    if notes.read().session(input.session).is_none() {
        return Err(OpError::NotFound("session"));
    }
    let id = AddendumId::new();
    let addendum = Addendum {
        id,
        session: input.session,
        text,
        created: ctx.stamp(),
    };
    notes.insert_entry(
        ctx,
        Operation::AddAddendum.label(),
        "addenda",
        &id.to_string(),
        &addendum,
    )?;
    Ok(id)
}
