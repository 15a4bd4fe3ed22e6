//! The derived query tables: written from [`ParticipantRows`] in the same transaction as the
//! document change they follow from, and read back as the core's view types.

use onward_core::ids::ParticipantId;
use onward_core::overview::Overview;
use onward_core::time::{Day, Timestamp};
use onward_core::views::*;
use onward_core::vocab::{ParticipantStatus, Urgency};
use rusqlite::{Row, Transaction, params};

use crate::{Store, StoreError};

const TABLES: &[&str] = &[
    "q_caseload",
    "q_appointments",
    "q_goals",
    "q_follow_ups",
    "q_sessions",
    "q_unsigned_sessions",
    "q_concerns",
];

pub(crate) fn delete_rows(tx: &Transaction<'_>, participant: &str) -> Result<(), StoreError> {
    for t in TABLES {
        tx.prepare_cached(&format!("DELETE FROM {t} WHERE participant_id = ?1"))?
            .execute([participant])?;
    }
    Ok(())
}

pub(crate) fn clear_all(tx: &Transaction<'_>) -> Result<(), StoreError> {
    for t in TABLES {
        tx.execute(&format!("DELETE FROM {t}"), [])?;
    }
    Ok(())
}

/// Replaces a participant's rows. With `old` (the rows last written), tables whose rows did
/// not change are left alone, so an edit costs only what it changed.
pub(crate) fn replace_rows(
    tx: &Transaction<'_>,
    rows: &ParticipantRows,
    old: Option<&ParticipantRows>,
) -> Result<(), StoreError> {
    let p = rows.caseload.participant.to_string();
    let changed =
        |same: fn(&ParticipantRows, &ParticipantRows) -> bool| old.is_none_or(|o| !same(o, rows));
    let clear = |table: &str| -> Result<(), StoreError> {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE participant_id = ?1"))?
            .execute([&p])?;
        Ok(())
    };
    if changed(|a, b| a.caseload == b.caseload) {
        clear("q_caseload")?;
        insert_caseload(tx, &p, &rows.caseload)?;
    }
    if changed(|a, b| a.appointments == b.appointments) {
        clear("q_appointments")?;
        insert_appointments(tx, &p, &rows.appointments)?;
    }
    if changed(|a, b| a.goals == b.goals) {
        clear("q_goals")?;
        insert_goals(tx, &p, &rows.goals)?;
    }
    if changed(|a, b| a.follow_ups == b.follow_ups) {
        clear("q_follow_ups")?;
        insert_follow_ups(tx, &p, &rows.follow_ups)?;
    }
    if changed(|a, b| a.sessions == b.sessions) {
        clear("q_sessions")?;
        insert_sessions(tx, &p, &rows.sessions)?;
    }
    if changed(|a, b| a.unsigned == b.unsigned) {
        clear("q_unsigned_sessions")?;
        insert_unsigned(tx, &p, &rows.unsigned)?;
    }
    if changed(|a, b| a.concerns == b.concerns) {
        clear("q_concerns")?;
        insert_concerns(tx, &p, &rows.concerns)?;
    }
    Ok(())
}

fn insert_caseload(tx: &Transaction<'_>, p: &str, c: &CaseloadRow) -> Result<(), StoreError> {
    let pathways = serde_json::to_string(&c.pathways).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "INSERT INTO q_caseload (participant_id, preferred_name, programme, status, pathways,
             last_contact, open_goals, unsigned_sessions, open_concerns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p,
        c.preferred_name,
        c.programme,
        c.status.as_str(),
        pathways,
        c.last_contact.map(|t| t.millis()),
        c.open_goals,
        c.unsigned_sessions,
        c.open_concerns
    ])?;
    Ok(())
}

fn insert_appointments(
    tx: &Transaction<'_>,
    p: &str,
    appointments: &[AppointmentRow],
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO q_appointments (appointment_id, participant_id, starts_at, kind, status, with_whom, accompanied_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for a in appointments {
        stmt.execute(params![
            a.appointment.to_string(),
            p,
            a.starts_at.millis(),
            a.kind.as_str(),
            a.status.as_str(),
            a.with_whom,
            a.accompanied_by.map(|u| u.to_string())
        ])?;
    }
    Ok(())
}

fn insert_goals(tx: &Transaction<'_>, p: &str, goals: &[GoalRow]) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO q_goals (goal_id, participant_id, title, pathway, target_date, review_due)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for g in goals {
        stmt.execute(params![
            g.goal.to_string(),
            p,
            g.title,
            g.pathway.as_str(),
            g.target_date.map(|d| d.to_string()),
            g.review_due.map(|d| d.to_string())
        ])?;
    }
    Ok(())
}

fn insert_follow_ups(
    tx: &Transaction<'_>,
    p: &str,
    follow_ups: &[FollowUpRow],
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO q_follow_ups (appointment_id, participant_id, text, due) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for f in follow_ups {
        stmt.execute(params![
            f.appointment.to_string(),
            p,
            f.text,
            f.due.map(|d| d.to_string())
        ])?;
    }
    Ok(())
}

fn insert_unsigned(
    tx: &Transaction<'_>,
    p: &str,
    unsigned: &[UnsignedRow],
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO q_unsigned_sessions (session_id, participant_id, started_at) VALUES (?1, ?2, ?3)",
    )?;
    for s in unsigned {
        stmt.execute(params![s.session.to_string(), p, s.started_at.millis()])?;
    }
    Ok(())
}

fn insert_sessions(
    tx: &Transaction<'_>,
    p: &str,
    sessions: &[SessionRow],
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO q_sessions (session_id, participant_id, started_at, minutes, delivered)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for s in sessions {
        stmt.execute(params![
            s.session.to_string(),
            p,
            s.started_at.millis(),
            s.minutes,
            s.delivered
        ])?;
    }
    Ok(())
}

fn insert_concerns(
    tx: &Transaction<'_>,
    p: &str,
    concerns: &[ConcernRow],
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO q_concerns (concern_id, participant_id, category, urgency, status, raised_at,
                                 raised_by, last_response_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for c in concerns {
        stmt.execute(params![
            c.concern.to_string(),
            p,
            c.category.as_str(),
            c.urgency.as_str(),
            c.status.as_str(),
            c.raised_at.millis(),
            c.raised_by.to_string(),
            c.last_response_at.map(|t| t.millis())
        ])?;
    }
    Ok(())
}

/// Reads a column that holds one of our typed values as text.
fn parse<T: std::str::FromStr>(row: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = row.get(i)?;
    s.parse().map_err(|e: T::Err| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            e.to_string().into(),
        )
    })
}

fn parse_opt<T: std::str::FromStr>(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    match row.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => parse(row, i).map(Some),
    }
}

fn time_opt(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Timestamp>> {
    Ok(row.get::<_, Option<i64>>(i)?.map(Timestamp::from_millis))
}

fn caseload_row(r: &Row<'_>) -> rusqlite::Result<CaseloadRow> {
    let pathways: String = r.get(4)?;
    Ok(CaseloadRow {
        participant: parse(r, 0)?,
        preferred_name: r.get(1)?,
        programme: r.get(2)?,
        status: parse(r, 3)?,
        pathways: serde_json::from_str(&pathways).unwrap_or_default(),
        last_contact: time_opt(r, 5)?,
        next_appointment: time_opt(r, 9)?,
        open_goals: r.get(6)?,
        unsigned_sessions: r.get(7)?,
        open_concerns: r.get(8)?,
    })
}

fn appointment_row(r: &Row<'_>) -> rusqlite::Result<AppointmentRow> {
    Ok(AppointmentRow {
        appointment: parse(r, 0)?,
        participant: parse(r, 1)?,
        starts_at: Timestamp::from_millis(r.get(2)?),
        kind: parse(r, 3)?,
        status: parse(r, 4)?,
        with_whom: r.get(5)?,
        accompanied_by: parse_opt(r, 6)?,
    })
}

fn goal_row(r: &Row<'_>) -> rusqlite::Result<GoalRow> {
    Ok(GoalRow {
        goal: parse(r, 0)?,
        participant: parse(r, 1)?,
        title: r.get(2)?,
        pathway: parse(r, 3)?,
        target_date: parse_opt(r, 4)?,
        review_due: parse_opt(r, 5)?,
    })
}

fn follow_up_row(r: &Row<'_>) -> rusqlite::Result<FollowUpRow> {
    Ok(FollowUpRow {
        appointment: parse(r, 0)?,
        participant: parse(r, 1)?,
        text: r.get(2)?,
        due: parse_opt(r, 3)?,
    })
}

fn unsigned_row(r: &Row<'_>) -> rusqlite::Result<UnsignedRow> {
    Ok(UnsignedRow {
        session: parse(r, 0)?,
        participant: parse(r, 1)?,
        started_at: Timestamp::from_millis(r.get(2)?),
    })
}

fn concern_row(r: &Row<'_>) -> rusqlite::Result<ConcernRow> {
    Ok(ConcernRow {
        concern: parse(r, 0)?,
        participant: parse(r, 1)?,
        category: parse(r, 2)?,
        urgency: parse(r, 3)?,
        status: parse(r, 4)?,
        raised_at: Timestamp::from_millis(r.get(5)?),
        raised_by: parse(r, 6)?,
        last_response_at: time_opt(r, 7)?,
    })
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        session: parse(r, 0)?,
        participant: parse(r, 1)?,
        started_at: Timestamp::from_millis(r.get(2)?),
        minutes: r.get(3)?,
        delivered: r.get(4)?,
    })
}

const CASELOAD_SQL: &str =
    "SELECT c.participant_id, preferred_name, programme, c.status, pathways, last_contact,
        open_goals, unsigned_sessions, open_concerns,
        (SELECT min(starts_at) FROM q_appointments a
          WHERE a.participant_id = c.participant_id AND a.status = 'planned' AND a.starts_at >= ?1)
   FROM q_caseload c";

/// Every derived row, in a fixed order: for checking the tables against the documents.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedTables {
    pub caseload: Vec<CaseloadRow>,
    pub appointments: Vec<AppointmentRow>,
    pub goals: Vec<GoalRow>,
    pub follow_ups: Vec<FollowUpRow>,
    pub sessions: Vec<SessionRow>,
    pub unsigned: Vec<UnsignedRow>,
    pub concerns: Vec<ConcernRow>,
}

impl Store {
    fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(params, f)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The caseload list, by preferred name, with each participant's next planned
    /// appointment after `now`.
    pub fn caseload(&self, now: Timestamp) -> Result<Vec<CaseloadRow>, StoreError> {
        self.rows(
            &format!("{CASELOAD_SQL} ORDER BY preferred_name COLLATE NOCASE, c.participant_id"),
            [now.millis()],
            caseload_row,
        )
    }

    /// The caseload lines whose preferred name contains `needle` (ASCII letters compared
    /// without case), in the order of [`Store::caseload`]. Only the matching lines are built, so
    /// a search costs what it finds. The caller still checks each line in full.
    pub fn caseload_containing(
        &self,
        now: Timestamp,
        needle: &str,
    ) -> Result<Vec<CaseloadRow>, StoreError> {
        self.rows(
            &format!(
                "{CASELOAD_SQL} WHERE instr(lower(c.preferred_name), lower(?2)) > 0
                 ORDER BY preferred_name COLLATE NOCASE, c.participant_id"
            ),
            params![now.millis(), needle],
            caseload_row,
        )
    }

    /// One participant's caseload line.
    pub fn caseload_row(
        &self,
        p: ParticipantId,
        now: Timestamp,
    ) -> Result<Option<CaseloadRow>, StoreError> {
        Ok(self
            .rows(
                &format!("{CASELOAD_SQL} WHERE c.participant_id = ?2"),
                params![now.millis(), p.to_string()],
                caseload_row,
            )?
            .pop())
    }

    /// Appointments starting in `[from, to)`, earliest first.
    pub fn appointments_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRow>, StoreError> {
        self.rows(
            "SELECT appointment_id, participant_id, starts_at, kind, status, with_whom, accompanied_by
               FROM q_appointments WHERE starts_at >= ?1 AND starts_at < ?2 ORDER BY starts_at, appointment_id",
            [from.millis(), to.millis()],
            appointment_row,
        )
    }

    /// Active goals whose review or target date is on or before `day`, soonest first.
    pub fn goals_due(&self, day: Day) -> Result<Vec<GoalRow>, StoreError> {
        self.rows(
            "SELECT goal_id, participant_id, title, pathway, target_date, review_due FROM q_goals
              WHERE review_due <= ?1 OR target_date <= ?1
              ORDER BY min(coalesce(review_due, '9999'), coalesce(target_date, '9999')), goal_id",
            [day.to_string()],
            goal_row,
        )
    }

    /// Open follow-ups due on or before `day` (or with no date), soonest first.
    pub fn follow_ups_due(&self, day: Day) -> Result<Vec<FollowUpRow>, StoreError> {
        self.rows(
            "SELECT appointment_id, participant_id, text, due FROM q_follow_ups
              WHERE due IS NULL OR due <= ?1 ORDER BY coalesce(due, '0000'), appointment_id",
            [day.to_string()],
            follow_up_row,
        )
    }

    /// Sessions not yet signed off, oldest first.
    pub fn unsigned_sessions(&self) -> Result<Vec<UnsignedRow>, StoreError> {
        self.rows(
            "SELECT session_id, participant_id, started_at FROM q_unsigned_sessions ORDER BY started_at, session_id",
            [],
            unsigned_row,
        )
    }

    /// Concerns not closed, most urgent and oldest first.
    pub fn open_concerns(&self) -> Result<Vec<ConcernRow>, StoreError> {
        self.rows(
            "SELECT concern_id, participant_id, category, urgency, status, raised_at, raised_by, last_response_at FROM q_concerns
              ORDER BY CASE urgency WHEN 'immediate' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
                       raised_at, concern_id",
            [],
            concern_row,
        )
    }

    /// Every participant's preferred name, by id.
    pub fn names(&self) -> Result<std::collections::HashMap<ParticipantId, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT participant_id, preferred_name FROM q_caseload")?;
        let rows = stmt.query_map([], |r| Ok((parse(r, 0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many open concerns of these urgencies are held here (one pass over the table).
    pub fn open_concerns_of(&self, urgencies: &[Urgency]) -> Result<u32, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT urgency, count(*) FROM q_concerns GROUP BY urgency")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        let mut n = 0;
        for row in rows {
            let (urgency, count) = row?;
            if urgencies.iter().any(|u| u.as_str() == urgency) {
                n += count;
            }
        }
        Ok(n)
    }

    /// The organisation at a glance, from the query tables, for the London day `now` falls
    /// on. Counts only what this device holds.
    pub fn overview(&self, now: Timestamp) -> Result<Overview, StoreError> {
        use onward_core::overview::{ConcernCount, Days, age_in_days};
        let today = now.london_day();
        let count = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<u32, StoreError> {
            Ok(self.conn.prepare_cached(sql)?.query_row(p, |r| r.get(0))?)
        };
        // One pass over each table (every page read is decrypted): counts by status and by
        // urgency, every value listed with 0 where there are none.
        let mut per_status: std::collections::HashMap<String, u32> = Default::default();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT status, count(*) FROM q_caseload GROUP BY status")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
            for row in rows {
                let (status, n) = row?;
                per_status.insert(status, n);
            }
        }
        let by_status = ParticipantStatus::ALL
            .iter()
            .map(|s| (*s, per_status.get(s.as_str()).copied().unwrap_or(0)))
            .collect();
        let mut per_urgency: std::collections::HashMap<String, (u32, Option<i64>)> =
            Default::default();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT urgency, count(*), min(raised_at) FROM q_concerns GROUP BY urgency",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, (r.get::<_, u32>(1)?, r.get(2)?)))
            })?;
            for row in rows {
                let (urgency, counts) = row?;
                per_urgency.insert(urgency, counts);
            }
        }
        let concerns = Urgency::ALL
            .iter()
            .rev()
            .map(|u| {
                let (open, oldest) = per_urgency.get(u.as_str()).copied().unwrap_or((0, None));
                ConcernCount {
                    urgency: *u,
                    open,
                    oldest_days: oldest.map(|t| age_in_days(Timestamp::from_millis(t), now)),
                }
            })
            .collect();
        let week = Days::week_of(today);
        let month = Days::month_of(today);
        let (appointments_this_week, appointments_accompanied): (u32, u32) = self
            .conn
            .prepare_cached(
                "SELECT count(*), count(accompanied_by) FROM q_appointments
                  WHERE starts_at >= ?1 AND starts_at < ?2
                    AND status IN ('planned', 'attended', 'missed')",
            )?
            .query_row([week.start().millis(), week.end().millis()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let (sessions_delivered, sessions_missed, minutes): (u32, u32, i64) = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(delivered), 0), coalesce(sum(1 - delivered), 0),
                        coalesce(sum(CASE WHEN delivered = 1 THEN minutes ELSE 0 END), 0)
                   FROM q_sessions WHERE started_at >= ?1 AND started_at < ?2",
            )?
            .query_row([month.start().millis(), month.end().millis()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        Ok(Overview {
            today: Some(today),
            by_status,
            concerns,
            concerns_unanswered: count(
                "SELECT count(*) FROM q_concerns WHERE last_response_at IS NULL",
                &[],
            )?,
            waiting_for_mentor: None,
            reviews_overdue: count(
                "SELECT count(*) FROM q_goals WHERE review_due < ?1",
                &[&today.to_string()],
            )?,
            week: Some(week),
            appointments_this_week,
            appointments_accompanied,
            month: Some(month),
            sessions_delivered,
            sessions_missed,
            minutes_delivered: minutes.max(0) as u64,
        })
    }

    /// Active goals whose review date is before `day`, the most overdue first.
    pub fn reviews_overdue(&self, day: Day, limit: u32) -> Result<Vec<GoalRow>, StoreError> {
        self.rows(
            "SELECT goal_id, participant_id, title, pathway, target_date, review_due FROM q_goals
              WHERE review_due < ?1 ORDER BY review_due, goal_id LIMIT ?2",
            params![day.to_string(), limit],
            goal_row,
        )
    }

    /// Appointments from `from` (included) to `to` (excluded) that are not cancelled or
    /// rescheduled, in time order.
    pub fn appointments_happening(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<AppointmentRow>, StoreError> {
        self.rows(
            "SELECT appointment_id, participant_id, starts_at, kind, status, with_whom, accompanied_by
               FROM q_appointments
              WHERE starts_at >= ?1 AND starts_at < ?2 AND status IN ('planned', 'attended', 'missed')
              ORDER BY starts_at, appointment_id LIMIT ?3",
            params![from.millis(), to.millis(), limit],
            appointment_row,
        )
    }

    /// Sessions from `from` (included) to `to` (excluded), newest first.
    pub fn sessions_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<SessionRow>, StoreError> {
        self.rows(
            "SELECT session_id, participant_id, started_at, minutes, delivered FROM q_sessions
              WHERE started_at >= ?1 AND started_at < ?2
              ORDER BY started_at DESC, session_id LIMIT ?3",
            params![from.millis(), to.millis(), limit],
            session_row,
        )
    }

    /// Every derived row, in a fixed order.
    pub fn derived_tables(&self) -> Result<DerivedTables, StoreError> {
        let epoch = Timestamp::from_millis(0);
        Ok(DerivedTables {
            caseload: self.rows(&format!("{CASELOAD_SQL} ORDER BY c.participant_id"), [epoch.millis()], caseload_row)?,
            appointments: self.rows(
                "SELECT appointment_id, participant_id, starts_at, kind, status, with_whom, accompanied_by
                   FROM q_appointments ORDER BY appointment_id",
                [],
                appointment_row,
            )?,
            goals: self.rows(
                "SELECT goal_id, participant_id, title, pathway, target_date, review_due FROM q_goals ORDER BY goal_id",
                [],
                goal_row,
            )?,
            follow_ups: self.rows(
                "SELECT appointment_id, participant_id, text, due FROM q_follow_ups ORDER BY appointment_id",
                [],
                follow_up_row,
            )?,
            sessions: self.rows(
                "SELECT session_id, participant_id, started_at, minutes, delivered FROM q_sessions ORDER BY session_id",
                [],
                session_row,
            )?,
            unsigned: self.rows(
                "SELECT session_id, participant_id, started_at FROM q_unsigned_sessions ORDER BY session_id",
                [],
                unsigned_row,
            )?,
            concerns: self.rows(
                "SELECT concern_id, participant_id, category, urgency, status, raised_at, raised_by, last_response_at FROM q_concerns ORDER BY concern_id",
                [],
                concern_row,
            )?,
        })
    }
}
