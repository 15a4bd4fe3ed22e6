//! Coordinators' orders for the office sent from their devices (assign and unassign a mentor)
//! and the staff directory their devices receive (migration `0004_office.sql`): the SQL and
//! rules both storage backends share, run in one of their transactions as [`Sql`].
//!
//! An order is judged by what it does, never by who the device says is asking: the sender is
//! the token's owner, and only a coordinator's order is carried out. Each order is carried out
//! at most once: its id and answer are stored in the same transaction as its effect, so a
//! repeated message gets the first answer.

use onward_core::ids::{ParticipantId, UserId};
use onward_core::policy::{Access, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::Role;
use onward_sync::message::{Assignment, Command, Directory, Order, StaffMember};

use super::people::{Param, Row, Sql, action, int, text};
use super::{OrgId, Result, User};

/// Carries out `command` for `by` (who the device's token belongs to), or refuses it; the
/// answer is `None` when it was done.
pub(super) fn run(
    db: &mut dyn Sql,
    by: &User,
    command: &Command,
    now: i64,
) -> Result<Option<Refused>> {
    // Already answered: the same answer, nothing done again. An id another person used is
    // not theirs to learn about.
    let seen = db.query(
        "SELECT user_id, refused FROM office_commands WHERE id = $1",
        &[text(command.id)],
    )?;
    if let Some(row) = seen.first() {
        if row.opt_text(0).as_deref() != Some(by.id.to_string().as_str()) {
            return Ok(Some(Refused::AlreadyExists));
        }
        return Ok(row
            .opt_text(1)
            .map(|j| serde_json::from_str(&j).unwrap_or(Refused::Damaged)));
    }
    let refused = decide(db, by, &command.order, now)?;
    db.execute(
        "INSERT INTO office_commands (id, org_id, user_id, at, refused) VALUES ($1, $2, $3, $4, $5)",
        &[
            text(command.id),
            text(by.org),
            text(by.id),
            int(now),
            Param::Text(
                refused
                    .as_ref()
                    .map(|r| serde_json::to_string(r).unwrap_or_default()),
            ),
        ],
    )?;
    Ok(refused)
}

/// Checks an order against the organisation's records and, when it may go ahead, does it.
fn decide(db: &mut dyn Sql, by: &User, order: &Order, now: i64) -> Result<Option<Refused>> {
    if let Err(why) = Access::Coordination.permits(&by.actor()) {
        return Ok(Some(why));
    }
    let (participant, mentor, assign) = match *order {
        Order::Assign {
            participant,
            mentor,
        } => (participant, mentor, true),
        Order::Unassign {
            participant,
            mentor,
        } => (participant, mentor, false),
    };
    if !participant_in(db, by.org, participant)? {
        return Ok(Some(Refused::UnknownParticipant));
    }
    let Some((role, disabled)) = staff_in(db, by.org, mentor)? else {
        return Ok(Some(Refused::UnknownPerson));
    };
    if assign {
        if !matches!(role, Role::Mentor | Role::PeerMentor) {
            return Ok(Some(Refused::NotAMentor));
        }
        if disabled {
            return Ok(Some(Refused::AccountOff));
        }
        db.execute(
            "INSERT INTO assignments (participant_id, mentor_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
            &[text(participant), text(mentor)],
        )?;
    } else {
        db.execute(
            "DELETE FROM assignments WHERE participant_id = $1 AND mentor_id = $2",
            &[text(participant), text(mentor)],
        )?;
    }
    db.execute(
        "UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = $1",
        &[text(by.org)],
    )?;
    super::people::record(
        db,
        &super::AdminEntry {
            id: 0,
            at: now,
            org: Some(by.org),
            action: if assign {
                action::ASSIGN
            } else {
                action::UNASSIGN
            }
            .to_string(),
            subject: Some(participant.to_string()),
            detail: format!("mentor {mentor}"),
            by: format!("coordinator {}", by.id),
        },
    )?;
    Ok(None)
}

fn participant_in(db: &mut dyn Sql, org: OrgId, p: ParticipantId) -> Result<bool> {
    Ok(!db
        .query(
            "SELECT id FROM participants WHERE id = $1 AND org_id = $2",
            &[text(p), text(org)],
        )?
        .is_empty())
}

/// A user of `org` who is staff (not a participant's own sign-in): their role and whether
/// their account is off.
fn staff_in(db: &mut dyn Sql, org: OrgId, user: UserId) -> Result<Option<(Role, bool)>> {
    let rows = db.query(
        "SELECT role, disabled_at FROM users WHERE id = $1 AND org_id = $2",
        &[text(user), text(org)],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let role: Role = row.parsed(0, "role")?;
    if role == Role::Participant {
        return Ok(None);
    }
    Ok(Some((role, row.opt_int(1).is_some())))
}

/// The organisation's staff and assignments, as a coordinator's device shows them. Last
/// syncs are given as London days, so the directory changes at most daily when nothing else
/// does.
pub(super) fn directory(db: &mut dyn Sql, org: OrgId) -> Result<Directory> {
    let staff = db.query(
        "SELECT u.id, u.display_name, u.role, u.cleared, u.disabled_at,
                (SELECT count(*) FROM assignments a WHERE a.mentor_id = u.id),
                (SELECT max(d.last_seen) FROM devices d WHERE d.user_id = u.id),
                (SELECT count(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL)
           FROM users u
          WHERE u.org_id = $1 AND u.role <> 'participant'
          ORDER BY u.display_name, u.id",
        &[text(org)],
    )?;
    let staff = staff
        .iter()
        .map(|r: &Row| {
            Ok(StaffMember {
                user: r.parsed(0, "user")?,
                display_name: r.opt_text(1).unwrap_or_default(),
                role: r.parsed(2, "role")?,
                cleared: r.int(3, "clearance")? != 0,
                enabled: r.opt_int(4).is_none(),
                caseload: r.int(5, "caseload")?.max(0) as u32,
                last_synced: r.opt_int(6).map(|t| Timestamp::from_millis(t).london_day()),
                devices: r.int(7, "devices")?.max(0) as u32,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let assignments = db.query(
        "SELECT a.participant_id, a.mentor_id FROM assignments a
           JOIN participants p ON p.id = a.participant_id
          WHERE p.org_id = $1
          ORDER BY a.participant_id, a.mentor_id",
        &[text(org)],
    )?;
    let assignments = assignments
        .iter()
        .map(|r| {
            Ok(Assignment {
                participant: r.parsed(0, "participant")?,
                mentor: r.parsed(1, "mentor")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Directory { staff, assignments })
}
