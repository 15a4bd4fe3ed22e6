//! Coordinators' orders for the office sent from their devices (assign and unassign a mentor,
//! issue an enrolment code, revoke a tablet, turn an account off or on) and the staff
//! directory their devices receive (migration `0004_office.sql`): the SQL and
//! rules both storage backends share, run in one of their transactions as [`Sql`].
//!
//! An order is judged by what it does, never by who the device says is asking: the sender is
//! the token's owner, and only a coordinator's order is carried out. Each order is carried out
//! at most once: its id and answer are stored in the same transaction as its effect, so a
//! repeated message gets the first answer.

use onward_core::ids::{DeviceId, ParticipantId, UserId};
use onward_core::policy::{Access, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::Role;
use onward_sync::message::{Assignment, Command, Directory, Order, StaffDevice, StaffMember};

use super::people::{self, Param, Row, Sql, action, int, text};
use super::{AdminActor, OrgId, Result, Revocation, User};

/// How long a code issued from a coordinator's device may enrol a tablet.
const CODE_HOURS: i64 = 72;

/// A fresh enrolment code made by the caller for this message (used only by `IssueCode`).
pub struct FreshCode<'a> {
    pub code: &'a str,
    pub hash: &'a [u8],
}

/// What became of an order: refused, or done (with the code an `IssueCode` made).
pub type Outcome = std::result::Result<Option<String>, Refused>;

/// Carries out `command` for `by` (who the device's token belongs to), or refuses it.
pub(super) fn run(
    db: &mut dyn Sql,
    by: &User,
    command: &Command,
    now: i64,
    fresh: &FreshCode<'_>,
) -> Result<Outcome> {
    // Already answered: the same answer, nothing done again. An id another person used is
    // not theirs to learn about.
    let seen = db.query(
        "SELECT user_id, refused FROM office_commands WHERE id = $1",
        &[text(command.id)],
    )?;
    if let Some(row) = seen.first() {
        if row.opt_text(0).as_deref() != Some(by.id.to_string().as_str()) {
            return Ok(Err(Refused::AlreadyExists));
        }
        // A code is shown once: a repeated answer never carries it again.
        return Ok(match row.opt_text(1) {
            Some(j) => Err(serde_json::from_str(&j).unwrap_or(Refused::Damaged)),
            None => Ok(None),
        });
    }
    let outcome = decide(db, by, &command.order, now, fresh)?;
    db.execute(
        "INSERT INTO office_commands (id, org_id, user_id, at, refused) VALUES ($1, $2, $3, $4, $5)",
        &[
            text(command.id),
            text(by.org),
            text(by.id),
            int(now),
            Param::Text(
                outcome
                    .as_ref()
                    .err()
                    .map(|r| serde_json::to_string(r).unwrap_or_default()),
            ),
        ],
    )?;
    Ok(outcome)
}

/// Checks an order against the organisation's records and, when it may go ahead, does it.
fn decide(
    db: &mut dyn Sql,
    by: &User,
    order: &Order,
    now: i64,
    fresh: &FreshCode<'_>,
) -> Result<Outcome> {
    if let Err(why) = Access::Coordination.permits(&by.actor()) {
        return Ok(Err(why));
    }
    let actor = AdminActor {
        by: format!("coordinator {}", by.id),
        at: now,
    };
    let (participant, mentor, assign) = match *order {
        Order::Assign {
            participant,
            mentor,
        } => (participant, mentor, true),
        Order::Unassign {
            participant,
            mentor,
        } => (participant, mentor, false),
        Order::IssueCode { user } => {
            return match staff_in(db, by.org, user)? {
                None => Ok(Err(Refused::UnknownPerson)),
                Some((_, true)) => Ok(Err(Refused::AccountOff)),
                Some(_) => {
                    let expires = now + CODE_HOURS * 3_600_000;
                    people::issue_code(db, fresh.hash, user, expires, &actor)?;
                    Ok(Ok(Some(fresh.code.to_string())))
                }
            };
        }
        Order::RevokeDevice { device } => {
            if !device_in(db, by.org, device)? {
                return Ok(Err(Refused::UnknownDevice));
            }
            people::revoke(db, Revocation::Device(device), &actor)?;
            return Ok(Ok(None));
        }
        Order::SetEnabled { user, enabled } => {
            if staff_in(db, by.org, user)?.is_none() {
                return Ok(Err(Refused::UnknownPerson));
            }
            if user == by.id && !enabled {
                return Ok(Err(Refused::OwnAccount));
            }
            people::set_disabled(db, user, !enabled, &actor)?;
            return Ok(Ok(None));
        }
    };
    if !participant_in(db, by.org, participant)? {
        return Ok(Err(Refused::UnknownParticipant));
    }
    let Some((role, disabled)) = staff_in(db, by.org, mentor)? else {
        return Ok(Err(Refused::UnknownPerson));
    };
    let changed = if assign {
        if !onward_core::policy::has_caseload(role) {
            return Ok(Err(Refused::NotAMentor));
        }
        if disabled {
            return Ok(Err(Refused::AccountOff));
        }
        db.execute(
            "INSERT INTO assignments (participant_id, mentor_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
            &[text(participant), text(mentor)],
        )?
    } else {
        db.execute(
            "DELETE FROM assignments WHERE participant_id = $1 AND mentor_id = $2",
            &[text(participant), text(mentor)],
        )?
    };
    // Already so: done, with nothing to change, record or send.
    if changed == 0 {
        return Ok(Ok(None));
    }
    db.execute(
        "UPDATE organisations SET scope_seq = scope_seq + 1 WHERE id = $1",
        &[text(by.org)],
    )?;
    people::record(
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
            by: actor.by,
        },
    )?;
    Ok(Ok(None))
}

fn device_in(db: &mut dyn Sql, org: OrgId, device: DeviceId) -> Result<bool> {
    Ok(!db
        .query(
            "SELECT d.id FROM devices d JOIN users u ON u.id = d.user_id
              WHERE d.id = $1 AND u.org_id = $2",
            &[text(device), text(org)],
        )?
        .is_empty())
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
    if !onward_core::policy::is_staff(role) {
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
                (SELECT max(d.last_seen) FROM devices d WHERE d.user_id = u.id)
           FROM users u
          WHERE u.org_id = $1 AND u.role <> 'participant'
          ORDER BY u.display_name, u.id",
        &[text(org)],
    )?;
    let devices = db.query(
        "SELECT d.user_id, d.id, d.name, d.created_at, d.last_seen FROM devices d
           JOIN users u ON u.id = d.user_id
          WHERE u.org_id = $1 AND d.revoked_at IS NULL
          ORDER BY d.created_at, d.id",
        &[text(org)],
    )?;
    let day = |ms: i64| Timestamp::from_millis(ms).london_day();
    let mut by_user: std::collections::HashMap<String, Vec<StaffDevice>> = Default::default();
    for r in &devices {
        by_user
            .entry(r.opt_text(0).unwrap_or_default())
            .or_default()
            .push(StaffDevice {
                device: r.parsed(1, "device")?,
                name: r.opt_text(2).unwrap_or_default(),
                enrolled: day(r.int(3, "enrolment time")?),
                last_synced: r.opt_int(4).map(day),
            });
    }
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
                last_synced: r.opt_int(6).map(day),
                devices: by_user
                    .remove(&r.opt_text(0).unwrap_or_default())
                    .unwrap_or_default(),
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
