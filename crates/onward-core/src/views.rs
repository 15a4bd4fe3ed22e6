//! Derived views of a participant's documents: the rows behind the caseload list, today's
//! appointments, goals due for review, follow-ups, sessions (for the coordinator's overview),
//! unsigned sessions and open concerns.
//! Computed only from the documents, so the device store's query tables can always be rebuilt.

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::model::{Notes, Plan, Restricted, Safeguarding};
use crate::time::{Day, Timestamp};
use crate::vocab::*;

/// One line of the caseload list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadRow {
    pub participant: ParticipantId,
    pub preferred_name: String,
    pub programme: String,
    pub status: ParticipantStatus,
    pub pathways: Vec<Pathway>,
    pub last_contact: Option<Timestamp>,
    pub next_appointment: Option<Timestamp>,
    pub open_goals: u32,
    pub unsigned_sessions: u32,
    pub open_concerns: u32,
}

/// An appointment in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentRow {
    pub appointment: AppointmentId,
    pub participant: ParticipantId,
    pub starts_at: Timestamp,
    pub kind: AppointmentKind,
    pub status: AppointmentStatus,
    pub with_whom: String,
    pub accompanied_by: Option<UserId>,
}

/// An active goal, for "due for review".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalRow {
    pub goal: GoalId,
    pub participant: ParticipantId,
    pub title: String,
    pub pathway: Pathway,
    pub target_date: Option<Day>,
    pub review_due: Option<Day>,
}

/// An open follow-up from an appointment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpRow {
    pub appointment: AppointmentId,
    pub participant: ParticipantId,
    pub text: String,
    pub due: Option<Day>,
}

/// A session not yet signed off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsignedRow {
    pub session: SessionId,
    pub participant: ParticipantId,
    pub started_at: Timestamp,
}

/// A session as it stands (the signed revision once signed off, else the latest), for the
/// overview's counts of sessions and contact hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub session: SessionId,
    pub participant: ParticipantId,
    pub started_at: Timestamp,
    pub minutes: u32,
    /// The participant attended or was late (a session that happened).
    pub delivered: bool,
}

/// An open safeguarding concern (no description: lists never show it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcernRow {
    pub concern: ConcernId,
    pub participant: ParticipantId,
    pub category: ConcernCategory,
    pub urgency: Urgency,
    pub status: ConcernStatus,
    pub raised_at: Timestamp,
    /// Who raised it.
    pub raised_by: UserId,
    /// When a coordinator last responded, if anyone has.
    pub last_response_at: Option<Timestamp>,
}

/// Every derived row for one participant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantRows {
    pub caseload: CaseloadRow,
    pub appointments: Vec<AppointmentRow>,
    pub goals: Vec<GoalRow>,
    pub follow_ups: Vec<FollowUpRow>,
    pub sessions: Vec<SessionRow>,
    pub unsigned: Vec<UnsignedRow>,
    pub concerns: Vec<ConcernRow>,
}

/// Computes the rows for a participant. `notes` and `restricted` are absent where the user may
/// not hold them; `concerns` are the concern documents held. `next_appointment` is left empty:
/// it depends on the time of asking, so the store works it out from the appointment rows when
/// it is queried.
pub fn participant_rows(
    plan: &Plan,
    notes: Option<&Notes>,
    restricted: Option<&Restricted>,
    concerns: &[&Safeguarding],
) -> ParticipantRows {
    let p = plan.participant;
    let appointments: Vec<AppointmentRow> = plan
        .appointments
        .values()
        .map(|a| AppointmentRow {
            appointment: a.id,
            participant: p,
            starts_at: a.starts_at,
            kind: a.kind,
            status: a.status,
            with_whom: a.with_whom.clone(),
            accompanied_by: a.support.accompanied_by,
        })
        .collect();
    let goals: Vec<GoalRow> = plan
        .goals
        .values()
        .filter(|g| g.status == GoalStatus::Active)
        .map(|g| GoalRow {
            goal: g.id,
            participant: p,
            title: g.title.clone(),
            pathway: g.pathway,
            target_date: g.target_date,
            review_due: g.review_due,
        })
        .collect();
    let follow_ups = plan
        .appointments
        .values()
        .filter_map(|a| {
            let f = a.follow_up.as_ref().filter(|f| !f.done)?;
            Some(FollowUpRow {
                appointment: a.id,
                participant: p,
                text: f.text.clone(),
                due: f.due,
            })
        })
        .collect();
    let mut unsigned = Vec::new();
    let mut session_rows = Vec::new();
    let mut last_contact = None;
    let sessions = notes.map(|n| n.sessions()).unwrap_or_default();
    for s in sessions.values() {
        let Some(c) = s.current() else { continue };
        session_rows.push(SessionRow {
            session: s.id,
            participant: p,
            started_at: c.started_at,
            minutes: c.duration_minutes,
            delivered: c.attendance != Attendance::DidNotAttend,
        });
        if !s.is_signed_off() {
            unsigned.push(UnsignedRow {
                session: s.id,
                participant: p,
                started_at: c.started_at,
            });
        }
        if c.attendance != Attendance::DidNotAttend {
            last_contact = last_contact.max(Some(c.started_at));
        }
    }
    let concerns: Vec<ConcernRow> = restricted
        .map(|r| r.concerns.values())
        .into_iter()
        .flatten()
        .chain(concerns.iter().map(|d| &d.concern))
        .filter(|c| c.status != ConcernStatus::Closed)
        .map(|c| ConcernRow {
            concern: c.id,
            participant: p,
            category: c.category,
            urgency: c.urgency,
            status: c.status,
            raised_at: c.raised.at,
            raised_by: c.raised.by,
            last_response_at: c.responses.values().map(|r| r.created.at).max(),
        })
        .collect();
    ParticipantRows {
        caseload: CaseloadRow {
            participant: p,
            preferred_name: plan.profile.preferred_name.clone(),
            programme: plan.profile.programme.clone(),
            status: plan.profile.status,
            pathways: plan.profile.pathways.clone(),
            last_contact,
            next_appointment: None,
            open_goals: goals.len() as u32,
            unsigned_sessions: unsigned.len() as u32,
            open_concerns: concerns.len() as u32,
        },
        appointments,
        goals,
        follow_ups,
        sessions: session_rows,
        unsigned,
        concerns,
    }
}
