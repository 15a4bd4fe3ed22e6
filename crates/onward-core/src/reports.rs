//! Funder reports: the figures a charity reports to the people who pay for its work, calculated
//! from participants' documents for a period, a programme and a mentor. Every measure is defined
//! in `docs/REPORTS.md`; this module is that definition in code. Plain Rust with no IO and no
//! clock: the same documents and query always give the same report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::OpError;
use crate::ids::UserId;
use crate::model::{CheckIn, Notes, Plan, Restricted};
use crate::time::Day;
use crate::validate::{Field, Problem};
use crate::vocab::*;

/// Days from a progression's start to its 13-week and 26-week sustainment points.
pub const SUSTAIN_13_DAYS: i64 = 13 * 7;
pub const SUSTAIN_26_DAYS: i64 = 26 * 7;

/// A reporting period: whole Europe/London calendar days from `start` to `end`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Day,
    pub end: Day,
}

impl Period {
    /// A period, if it does not end before it starts (a one-day period is fine).
    pub fn new(start: Day, end: Day) -> Result<Self, OpError> {
        let p = Period { start, end };
        p.check()?;
        Ok(p)
    }

    fn check(&self) -> Result<(), OpError> {
        if self.end < self.start {
            return Err(OpError::invalid(Field::EndTime, Problem::EndBeforeStart));
        }
        Ok(())
    }

    /// Whether `day` is one of the period's days.
    pub fn contains(&self, day: Day) -> bool {
        self.start <= day && day <= self.end
    }
}

/// The periods people usually report on, worked out from today's London day. Quarters are
/// the three-month blocks starting January, April, July and October (the same blocks whether
/// a funder counts calendar or financial quarters); the financial year runs from 1 April to
/// 31 March, as UK funders use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickPeriod {
    ThisMonth,
    LastMonth,
    ThisQuarter,
    LastQuarter,
    ThisFinancialYear,
    LastFinancialYear,
    ThisYear,
    LastYear,
}

impl QuickPeriod {
    pub const ALL: [QuickPeriod; 8] = [
        QuickPeriod::ThisMonth,
        QuickPeriod::LastMonth,
        QuickPeriod::ThisQuarter,
        QuickPeriod::LastQuarter,
        QuickPeriod::ThisFinancialYear,
        QuickPeriod::LastFinancialYear,
        QuickPeriod::ThisYear,
        QuickPeriod::LastYear,
    ];

    /// A stable name, for forms and addresses.
    pub fn as_str(&self) -> &'static str {
        match self {
            QuickPeriod::ThisMonth => "this-month",
            QuickPeriod::LastMonth => "last-month",
            QuickPeriod::ThisQuarter => "this-quarter",
            QuickPeriod::LastQuarter => "last-quarter",
            QuickPeriod::ThisFinancialYear => "this-financial-year",
            QuickPeriod::LastFinancialYear => "last-financial-year",
            QuickPeriod::ThisYear => "this-year",
            QuickPeriod::LastYear => "last-year",
        }
    }

    /// The choice with this stable name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.as_str() == name)
    }

    /// The whole period (its last day may be after `today`) that contains or precedes `today`.
    pub fn period(self, today: Day) -> Period {
        use chrono::Datelike;
        let d = today.date();
        let (y, m) = (d.year(), d.month() as i32);
        // Months counted from year 0, so stepping back across a new year is plain arithmetic.
        let month_index = y * 12 + (m - 1);
        let span = |first: i32, months: i32| {
            let day = |index: i32| {
                Day::from_ymd(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
                    .expect("the first of a month exists")
            };
            Period {
                start: day(first),
                end: day(first + months).plus_days(-1),
            }
        };
        let quarter = month_index - (m - 1) % 3;
        // The financial year starts in April: this year's April, or last year's before April.
        let april = if m >= 4 { y * 12 + 3 } else { (y - 1) * 12 + 3 };
        match self {
            QuickPeriod::ThisMonth => span(month_index, 1),
            QuickPeriod::LastMonth => span(month_index - 1, 1),
            QuickPeriod::ThisQuarter => span(quarter, 3),
            QuickPeriod::LastQuarter => span(quarter - 3, 3),
            QuickPeriod::ThisFinancialYear => span(april, 12),
            QuickPeriod::LastFinancialYear => span(april - 12, 12),
            QuickPeriod::ThisYear => span(y * 12, 12),
            QuickPeriod::LastYear => span((y - 1) * 12, 12),
        }
    }
}

/// Which report: a period, and optionally one programme and one mentor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub period: Period,
    /// Only participants whose programme is this (trimmed, ignoring case).
    #[serde(default)]
    pub programme: Option<String>,
    /// Only participants this person worked with on or before the period's last day.
    #[serde(default)]
    pub mentor: Option<UserId>,
}

/// The documents of one participant that a report reads. The Notes and Restricted documents
/// are absent where the device does not hold them; what they would count is then not counted.
#[derive(Debug, Clone, Copy)]
pub struct ParticipantRecords<'a> {
    pub plan: &'a Plan,
    pub notes: Option<&'a Notes>,
    pub restricted: Option<&'a Restricted>,
}

/// A count for one pathway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayCount {
    pub pathway: Pathway,
    pub count: u32,
}

/// A count for one kind of progression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressionCount {
    pub kind: ProgressionKind,
    pub count: u32,
}

/// Qualifications gained at one level (the level as recorded; empty when none was given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCount {
    pub level: String,
    pub count: u32,
}

/// Progressions whose 13- or 26-week point fell in the period, and what their checks said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sustainment {
    pub due: u32,
    pub sustained: u32,
    pub not_sustained: u32,
    pub not_checked: u32,
}

/// Appointments that happened or were missed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceCount {
    pub attended: u32,
    pub missed: u32,
}

impl AttendanceCount {
    /// Attended as a share of attended and missed, in tenths of a per cent (667 is 66.7%),
    /// rounded half up; `None` when there were none.
    pub fn rate_tenths_percent(&self) -> Option<u32> {
        let total = u64::from(self.attended) + u64::from(self.missed);
        (total > 0).then(|| ((u64::from(self.attended) * 2000 + total) / (2 * total)) as u32)
    }
}

/// Distance travelled on one pathway: participants' first and latest self-assessment scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distance {
    pub pathway: Pathway,
    pub participants: u32,
    /// The sum of their first scores.
    pub first_total: u32,
    /// The sum of their latest scores.
    pub latest_total: u32,
    pub improved: u32,
    pub unchanged: u32,
    pub worsened: u32,
}

/// A funder report's figures (each defined in `docs/REPORTS.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub query: ReportQuery,
    /// Participants who came to at least one session in the period.
    pub participants_supported: u32,
    pub referrals: u32,
    pub starts: u32,
    pub sessions_delivered: u32,
    pub sessions_missed: u32,
    /// Minutes of delivered sessions.
    pub contact_minutes: u64,
    pub participants_with_goal_achieved: u32,
    /// Every pathway, in [`Pathway::ALL`] order.
    pub goals_achieved: Vec<PathwayCount>,
    /// Levels as recorded, in text order.
    pub qualifications: Vec<LevelCount>,
    pub volunteering_hours: u64,
    /// Every kind, in [`ProgressionKind::ALL`] order.
    pub progressions: Vec<ProgressionCount>,
    pub participants_progressed: u32,
    pub sustained_13_weeks: Sustainment,
    pub sustained_26_weeks: Sustainment,
    /// Appointments in the period that were planned, attended or missed.
    pub appointments: u32,
    pub appointments_supported: u32,
    /// Attended and missed appointments a mentor went to with the participant.
    pub accompanied: AttendanceCount,
    /// Attended and missed appointments no one went to with them.
    pub unaccompanied: AttendanceCount,
    /// Every pathway, in [`Pathway::ALL`] order.
    pub distance_travelled: Vec<Distance>,
}

/// Calculates a report. Refuses a period that ends before it starts.
pub fn report<'a>(
    records: impl IntoIterator<Item = ParticipantRecords<'a>>,
    query: &ReportQuery,
) -> Result<Report, OpError> {
    let mut reporter = Reporter::new(query)?;
    for r in records {
        reporter.add(r);
    }
    Ok(reporter.finish())
}

/// A report calculated one participant at a time, so a caller can read each participant's
/// documents, add them and let them go (the app core does, to keep memory flat).
pub struct Reporter {
    query: ReportQuery,
    programme: Option<String>,
    tally: Tally,
}

impl Reporter {
    /// Starts a report. Refuses a period that ends before it starts.
    pub fn new(query: &ReportQuery) -> Result<Self, OpError> {
        query.period.check()?;
        let programme = query
            .programme
            .as_deref()
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty());
        Ok(Reporter {
            query: query.clone(),
            programme,
            tally: Tally::default(),
        })
    }

    /// Adds one participant (ignored if the programme or mentor filter leaves them out).
    pub fn add(&mut self, r: ParticipantRecords<'_>) {
        if let Some(want) = &self.programme
            && r.plan.profile.programme.trim().to_lowercase() != *want
        {
            return;
        }
        if let Some(mentor) = self.query.mentor
            && !worked_with(&r, mentor, self.query.period.end)
        {
            return;
        }
        self.tally.participant(&r, self.query.period);
    }

    /// The report.
    pub fn finish(self) -> Report {
        self.tally.finish(self.query)
    }
}

/// Whether `mentor` worked with the participant on or before `last`: created their record,
/// logged a session with them, or went with them to an appointment.
fn worked_with(r: &ParticipantRecords<'_>, mentor: UserId, last: Day) -> bool {
    let created = &r.plan.profile.created;
    if created.by == mentor && created.at.london_day() <= last {
        return true;
    }
    if r.plan
        .appointments
        .values()
        .any(|a| a.support.accompanied_by == Some(mentor) && a.starts_at.london_day() <= last)
    {
        return true;
    }
    r.notes.is_some_and(|n| {
        n.standing()
            .iter()
            .any(|s| s.logged.by == mentor && s.content.started_at.london_day() <= last)
    })
}

/// Running totals while participants are read.
#[derive(Default)]
struct Tally {
    participants_supported: u32,
    referrals: u32,
    starts: u32,
    sessions_delivered: u32,
    sessions_missed: u32,
    contact_minutes: u64,
    participants_with_goal_achieved: u32,
    goals_achieved: [u32; 9],
    qualifications: BTreeMap<String, u32>,
    volunteering_hours: u64,
    progressions: [u32; 4],
    participants_progressed: u32,
    sustained: [Sustainment; 2],
    appointments: u32,
    appointments_supported: u32,
    accompanied: AttendanceCount,
    unaccompanied: AttendanceCount,
    distance: [DistanceTally; 9],
}

#[derive(Default, Clone, Copy)]
struct DistanceTally {
    participants: u32,
    first_total: u32,
    latest_total: u32,
    improved: u32,
    unchanged: u32,
    worsened: u32,
}

/// Whether the participant came to a session.
fn delivered(a: Attendance) -> bool {
    matches!(a, Attendance::Attended | Attendance::Late)
}

impl Tally {
    fn participant(&mut self, r: &ParticipantRecords<'_>, period: Period) {
        let plan = r.plan;

        // Referrals: the referral date, or the day the record was made when none is recorded.
        let referred = r
            .restricted
            .and_then(|x| x.referral.as_ref())
            .map(|x| x.date)
            .unwrap_or_else(|| plan.profile.created.at.london_day());
        if period.contains(referred) {
            self.referrals += 1;
        }

        // Sessions, contact hours and the start (the first attended session that is not a
        // taster, whenever it was).
        let mut first_attended: Option<crate::time::Timestamp> = None;
        let mut supported = false;
        for s in r.notes.map(|n| n.standing()).unwrap_or_default() {
            let c = s.content;
            if delivered(c.attendance) && c.session_type != SessionType::Taster {
                first_attended = Some(first_attended.map_or(c.started_at, |f| f.min(c.started_at)));
            }
            if !period.contains(c.started_at.london_day()) {
                continue;
            }
            if delivered(c.attendance) {
                supported = true;
                self.sessions_delivered += 1;
                self.contact_minutes += u64::from(c.duration_minutes);
            } else {
                self.sessions_missed += 1;
            }
        }
        if supported {
            self.participants_supported += 1;
        }
        if first_attended.is_some_and(|t| period.contains(t.london_day())) {
            self.starts += 1;
        }

        // Goals achieved, on the day of the goal's last recorded activity (the model records
        // no date of achievement; see docs/REPORTS.md).
        let mut any_goal = false;
        for g in plan.goals.values() {
            if g.status != GoalStatus::Achieved {
                continue;
            }
            let last = g
                .reviews
                .values()
                .map(|x| x.created.at)
                .chain(g.steps.iter().filter_map(|s| s.done.map(|d| d.at)))
                .chain(g.sign_off.map(|s| s.at))
                .fold(g.created.at, |a, b| a.max(b));
            if period.contains(last.london_day()) {
                self.goals_achieved[g.pathway as usize] += 1;
                any_goal = true;
            }
        }
        if any_goal {
            self.participants_with_goal_achieved += 1;
        }

        // Qualifications and volunteering hours, on the achievement's date.
        for a in plan.achievements.values() {
            if !period.contains(a.date) {
                continue;
            }
            match a.kind {
                AchievementKind::Qualification => {
                    let level = a.level.split_whitespace().collect::<Vec<_>>().join(" ");
                    *self.qualifications.entry(level).or_default() += 1;
                }
                AchievementKind::Volunteering => {
                    self.volunteering_hours += u64::from(a.hours.unwrap_or(0));
                }
                _ => {}
            }
        }

        // Progressions on their start date; sustainment on the day 13 or 26 weeks after it.
        let mut progressed = false;
        for p in plan.progressions.values() {
            if period.contains(p.start_date) {
                self.progressions[p.kind as usize] += 1;
                progressed = true;
            }
            let checks = [
                (SUSTAIN_13_DAYS, p.sustained_13_weeks),
                (SUSTAIN_26_DAYS, p.sustained_26_weeks),
            ];
            for (i, (days, check)) in checks.into_iter().enumerate() {
                if !period.contains(p.start_date.plus_days(days)) {
                    continue;
                }
                let s = &mut self.sustained[i];
                s.due += 1;
                match check {
                    Some(c) if c.sustained => s.sustained += 1,
                    Some(_) => s.not_sustained += 1,
                    None => s.not_checked += 1,
                }
            }
        }
        if progressed {
            self.participants_progressed += 1;
        }

        // Appointments on the day they were for; cancelled and rescheduled ones did not happen.
        for a in plan.appointments.values() {
            if !period.contains(a.starts_at.london_day()) {
                continue;
            }
            if matches!(
                a.status,
                AppointmentStatus::Cancelled | AppointmentStatus::Rescheduled
            ) {
                continue;
            }
            self.appointments += 1;
            let s = &a.support;
            if s.reminder || s.travel_arranged || s.accompanied_by.is_some() {
                self.appointments_supported += 1;
            }
            let count = if s.accompanied_by.is_some() {
                &mut self.accompanied
            } else {
                &mut self.unaccompanied
            };
            match a.status {
                AppointmentStatus::Attended => count.attended += 1,
                AppointmentStatus::Missed => count.missed += 1,
                _ => {}
            }
        }

        self.distance(plan, period);
    }

    /// Distance travelled: per pathway, the first score ever against the latest one recorded
    /// by the period's end, for participants whose latest falls in the period and who have at
    /// least two scores for that pathway.
    fn distance(&mut self, plan: &Plan, period: Period) {
        if plan.checkins.is_empty() {
            return;
        }
        let mut checkins: Vec<&CheckIn> = plan
            .checkins
            .values()
            .filter(|c| c.created.at.london_day() <= period.end)
            .collect();
        checkins.sort_by_key(|c| (c.created.at, c.id));
        // Per pathway: first score, latest score and its day, number of scores.
        let mut seen: [Option<(u8, u8, Day, u32)>; 9] = [None; 9];
        for c in checkins {
            let day = c.created.at.london_day();
            for (name, score) in &c.scores {
                let Ok(pathway) = name.parse::<Pathway>() else {
                    continue;
                };
                let e = &mut seen[pathway as usize];
                *e = Some(match *e {
                    None => (*score, *score, day, 1),
                    Some((first, _, _, n)) => (first, *score, day, n + 1),
                });
            }
        }
        for (i, e) in seen.iter().enumerate() {
            let Some((first, latest, day, n)) = *e else {
                continue;
            };
            if n < 2 || !period.contains(day) {
                continue;
            }
            let d = &mut self.distance[i];
            d.participants += 1;
            d.first_total += u32::from(first);
            d.latest_total += u32::from(latest);
            match latest.cmp(&first) {
                std::cmp::Ordering::Greater => d.improved += 1,
                std::cmp::Ordering::Equal => d.unchanged += 1,
                std::cmp::Ordering::Less => d.worsened += 1,
            }
        }
    }

    fn finish(self, query: ReportQuery) -> Report {
        Report {
            query,
            participants_supported: self.participants_supported,
            referrals: self.referrals,
            starts: self.starts,
            sessions_delivered: self.sessions_delivered,
            sessions_missed: self.sessions_missed,
            contact_minutes: self.contact_minutes,
            participants_with_goal_achieved: self.participants_with_goal_achieved,
            goals_achieved: Pathway::ALL
                .iter()
                .map(|p| PathwayCount {
                    pathway: *p,
                    count: self.goals_achieved[*p as usize],
                })
                .collect(),
            qualifications: self
                .qualifications
                .into_iter()
                .map(|(level, count)| LevelCount { level, count })
                .collect(),
            volunteering_hours: self.volunteering_hours,
            progressions: ProgressionKind::ALL
                .iter()
                .map(|k| ProgressionCount {
                    kind: *k,
                    count: self.progressions[*k as usize],
                })
                .collect(),
            participants_progressed: self.participants_progressed,
            sustained_13_weeks: self.sustained[0].clone(),
            sustained_26_weeks: self.sustained[1].clone(),
            appointments: self.appointments,
            appointments_supported: self.appointments_supported,
            accompanied: self.accompanied,
            unaccompanied: self.unaccompanied,
            distance_travelled: Pathway::ALL
                .iter()
                .map(|p| {
                    let d = self.distance[*p as usize];
                    Distance {
                        pathway: *p,
                        participants: d.participants,
                        first_total: d.first_total,
                        latest_total: d.latest_total,
                        improved: d.improved,
                        unchanged: d.unchanged,
                        worsened: d.worsened,
                    }
                })
                .collect(),
        }
    }
}

/// One line of a report as a table: a measure's stable name, the group within it (a pathway,
/// level or kind; empty when the measure has none) and the figure as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    pub measure: &'static str,
    pub group: String,
    pub value: String,
}

/// `n / d` to two decimal places, rounded half away from zero; empty when `d` is 0.
fn hundredths(n: i64, d: u64) -> String {
    if d == 0 {
        return String::new();
    }
    let d = d as i128;
    let scaled = i128::from(n) * 100;
    let q = (scaled.abs() * 2 + d) / (2 * d);
    let sign = if scaled < 0 && q != 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", q / 100, q % 100)
}

impl AttendanceCount {
    /// The rate as text with one decimal (`66.7`), empty when there were none.
    fn rate_text(&self) -> String {
        self.rate_tenths_percent()
            .map(|r| format!("{}.{}", r / 10, r % 10))
            .unwrap_or_default()
    }
}

impl Report {
    /// The report as rows, in a fixed order: the CSV and the CLI's table.
    pub fn rows(&self) -> Vec<ReportRow> {
        let mut rows = Vec::new();
        let mut row = |measure: &'static str, group: &str, value: String| {
            rows.push(ReportRow {
                measure,
                group: group.to_string(),
                value,
            })
        };
        let q = &self.query;
        row("period_start", "", q.period.start.to_string());
        row("period_end", "", q.period.end.to_string());
        row("programme", "", q.programme.clone().unwrap_or_default());
        row(
            "mentor",
            "",
            q.mentor.map(|m| m.to_string()).unwrap_or_default(),
        );
        row(
            "participants_supported",
            "",
            self.participants_supported.to_string(),
        );
        row("referrals", "", self.referrals.to_string());
        row("starts", "", self.starts.to_string());
        row(
            "sessions_delivered",
            "",
            self.sessions_delivered.to_string(),
        );
        row("sessions_missed", "", self.sessions_missed.to_string());
        row(
            "contact_hours",
            "",
            hundredths(self.contact_minutes as i64, 60),
        );
        row(
            "participants_with_goal_achieved",
            "",
            self.participants_with_goal_achieved.to_string(),
        );
        for g in &self.goals_achieved {
            row("goals_achieved", g.pathway.as_str(), g.count.to_string());
        }
        for l in &self.qualifications {
            row("qualifications", &l.level, l.count.to_string());
        }
        row(
            "volunteering_hours",
            "",
            self.volunteering_hours.to_string(),
        );
        for p in &self.progressions {
            row("progressions", p.kind.as_str(), p.count.to_string());
        }
        row(
            "participants_progressed",
            "",
            self.participants_progressed.to_string(),
        );
        for (measure, s) in [
            ("sustained_13_weeks", &self.sustained_13_weeks),
            ("sustained_26_weeks", &self.sustained_26_weeks),
        ] {
            row(measure, "due", s.due.to_string());
            row(measure, "sustained", s.sustained.to_string());
            row(measure, "not_sustained", s.not_sustained.to_string());
            row(measure, "not_checked", s.not_checked.to_string());
        }
        row("appointments", "", self.appointments.to_string());
        row(
            "appointments_supported",
            "",
            self.appointments_supported.to_string(),
        );
        for (measure, a) in [
            ("appointments_accompanied", &self.accompanied),
            ("appointments_unaccompanied", &self.unaccompanied),
        ] {
            row(measure, "attended", a.attended.to_string());
            row(measure, "missed", a.missed.to_string());
            row(measure, "attendance_rate_percent", a.rate_text());
        }
        for d in &self.distance_travelled {
            let p = d.pathway.as_str();
            let n = u64::from(d.participants);
            row("distance_participants", p, d.participants.to_string());
            row(
                "distance_average_first",
                p,
                hundredths(i64::from(d.first_total), n),
            );
            row(
                "distance_average_latest",
                p,
                hundredths(i64::from(d.latest_total), n),
            );
            row(
                "distance_average_change",
                p,
                hundredths(i64::from(d.latest_total) - i64::from(d.first_total), n),
            );
            row("distance_improved", p, d.improved.to_string());
            row("distance_unchanged", p, d.unchanged.to_string());
            row("distance_worsened", p, d.worsened.to_string());
        }
        rows
    }

    /// The report as CSV: a header `measure,group,value`, then [`Report::rows`].
    pub fn to_csv(&self) -> String {
        // Writing UTF-8 text to memory cannot fail.
        const WRITE: &str = "writing CSV to memory cannot fail";
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["measure", "group", "value"]).expect(WRITE);
        for r in self.rows() {
            w.write_record([r.measure, r.group.as_str(), r.value.as_str()])
                .expect(WRITE);
        }
        String::from_utf8(w.into_inner().expect(WRITE)).expect(WRITE)
    }
}

#[cfg(test)]
mod tests {
    //! A small synthetic organisation whose figures were worked out by hand (the working is in
    //! the comments beside each participant). Times are written in UTC, as stored, with the
    //! London wall-clock time beside them where the two differ.

    use super::*;
    use crate::document::Ctx;
    use crate::ids::*;
    use crate::input::*;
    use crate::model::Author;
    use crate::ops::{self, ParticipantDocs, notes, plan, restricted};
    use crate::time::Timestamp;

    const A: UserId = UserId(uuid::Uuid::from_u128(0xa));
    const B: UserId = UserId(uuid::Uuid::from_u128(0xb));
    const C: UserId = UserId(uuid::Uuid::from_u128(0xc));

    fn ctx(by: UserId, at: &str) -> Ctx {
        Ctx::new(
            Author {
                user: by,
                device: DeviceId(uuid::Uuid::from_u128(0xd)),
            },
            at.parse::<Timestamp>().unwrap(),
        )
    }

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    /// One participant, built through the real operations.
    struct Fx(ParticipantDocs);

    impl Fx {
        fn new(by: UserId, at: &str, programme: &str) -> Fx {
            let input = NewParticipant {
                preferred_name: "Synthetic person".into(),
                programme: programme.into(),
                pathways: vec![],
            };
            Fx(ops::create_participant(&ctx(by, at), &input).unwrap())
        }

        fn referral(&mut self, date: &str) {
            let input = NewReferral {
                source: ReferralSource::Probation,
                referrer: String::new(),
                date: day(date),
                reason: String::new(),
                supervision_end: None,
                risk_level: RiskLevel::NotGiven,
            };
            restricted::record_referral(
                &mut self.0.restricted,
                &ctx(C, "2026-04-20T09:00:00Z"),
                &input,
            )
            .unwrap();
        }

        fn session(
            &mut self,
            by: UserId,
            started: &str,
            minutes: u32,
            attendance: Attendance,
            kind: SessionType,
        ) -> SessionId {
            let input = NewSession {
                attendance,
                session_type: kind,
                absence_reason: if attendance == Attendance::DidNotAttend {
                    "Synthetic reason".into()
                } else {
                    String::new()
                },
                ..NewSession::attended(started.parse().unwrap(), minutes)
            };
            let Fx(d) = self;
            notes::log_session(&mut d.notes, &mut d.plan, &ctx(by, started), &input).unwrap()
        }

        fn goal(&mut self, by: UserId, at: &str, pathway: Pathway) -> GoalId {
            let input = NewGoal {
                title: "Synthetic goal".into(),
                pathway,
                why_it_matters: String::new(),
                target_date: None,
                review_due: None,
            };
            plan::add_goal(&mut self.0.plan, &ctx(by, at), &input).unwrap()
        }

        fn achieved(&mut self, by: UserId, at: &str, goal: GoalId) {
            let input = GoalChange::status(goal, GoalStatus::Achieved);
            plan::update_goal(&mut self.0.plan, &ctx(by, at), &input).unwrap();
        }

        fn achievement(
            &mut self,
            kind: AchievementKind,
            date: &str,
            level: &str,
            hours: Option<u32>,
        ) {
            let input = NewAchievement {
                kind,
                title: "Synthetic achievement".into(),
                date: day(date),
                organisation: String::new(),
                level: level.into(),
                certificate: false,
                hours,
            };
            plan::record_achievement(&mut self.0.plan, &ctx(A, "2026-05-01T09:00:00Z"), &input)
                .unwrap();
        }

        fn progression(&mut self, kind: ProgressionKind, start: &str) -> ProgressionId {
            let input = NewProgression {
                kind,
                description: "Synthetic progression".into(),
                organisation: String::new(),
                start_date: day(start),
            };
            plan::record_progression(&mut self.0.plan, &ctx(A, "2025-09-01T09:00:00Z"), &input)
                .unwrap()
        }

        fn sustained(&mut self, at: &str, progression: ProgressionId, weeks: u32, sustained: bool) {
            let input = SustainedCheck {
                progression,
                weeks,
                sustained,
            };
            plan::check_sustained(&mut self.0.plan, &ctx(A, at), &input).unwrap();
        }

        fn appointment(
            &mut self,
            starts: &str,
            accompanied_by: Option<UserId>,
            reminder: bool,
            travel_arranged: bool,
            status: AppointmentStatus,
        ) {
            let input = NewAppointment {
                starts_at: starts.parse().unwrap(),
                ends_at: None,
                kind: AppointmentKind::JobCentre,
                with_whom: String::new(),
                location: String::new(),
                reminder,
                travel_arranged,
                accompanied_by,
            };
            let ctx = ctx(C, "2025-12-01T09:00:00Z");
            let id = plan::plan_appointment(&mut self.0.plan, &ctx, &input).unwrap();
            let outcome = AppointmentOutcome {
                appointment: id,
                status,
                outcome: String::new(),
                went_with_them: false,
                follow_up: None,
                follow_up_due: None,
                expenses_pence: None,
            };
            plan::record_appointment_outcome(&mut self.0.plan, &ctx, &outcome).unwrap();
        }

        fn checkin(&mut self, at: &str, scores: &[(Pathway, u8)]) {
            let input = NewCheckIn {
                scores: scores
                    .iter()
                    .map(|(pathway, score)| PathwayScore {
                        pathway: *pathway,
                        score: *score,
                    })
                    .collect(),
                comment: String::new(),
            };
            plan::record_checkin(&mut self.0.plan, &ctx(A, at), &input).unwrap();
        }

        fn records(&self) -> ParticipantRecords<'_> {
            ParticipantRecords {
                plan: self.0.plan.read(),
                notes: Some(self.0.notes.read()),
                restricted: Some(self.0.restricted.read()),
            }
        }
    }

    use AppointmentStatus::{Attended as Went, Cancelled, Missed};
    use Attendance::{Attended, DidNotAttend, Late};
    use SessionType::{OneToOne, Taster};

    /// The organisation. Q1 is 2026-01-01..=2026-03-31; BST began at 01:00 UTC on Sunday
    /// 29 March 2026 and ends at 01:00 UTC on Sunday 25 October 2026.
    fn organisation() -> Vec<Fx> {
        // P1: two mentors (A and B), programme Next Steps, referred before Q1.
        let mut p1 = Fx::new(C, "2025-12-15T09:00:00Z", "Next Steps");
        p1.referral("2025-12-20");
        // Q1: delivered s1 60, s2 45 (late), s5 90 = 195 minutes; s3 missed.
        p1.session(A, "2026-01-10T10:00:00Z", 60, Attended, OneToOne); // the start
        p1.session(B, "2026-02-14T10:00:00Z", 45, Late, OneToOne);
        p1.session(A, "2026-03-01T10:00:00Z", 30, DidNotAttend, OneToOne);
        // 00:30 BST on Wednesday 1 April: the UTC day is 31 March, the London day is in Q2.
        p1.session(B, "2026-03-31T23:30:00Z", 60, Attended, OneToOne);
        // 23:30 BST on Tuesday 31 March: in Q1.
        p1.session(A, "2026-03-31T22:30:00Z", 90, Attended, OneToOne);
        // Goals: employment achieved, last activity its review on 20 February (Q1);
        // education-training achieved, no activity after its creation on 10 January (Q1);
        // accommodation still active.
        let g1 = p1.goal(A, "2026-01-10T11:00:00Z", Pathway::Employment);
        plan::review_goal(
            &mut p1.0.plan,
            &ctx(A, "2026-02-20T10:00:00Z"),
            &NewReview {
                goal: g1,
                rating: 10,
                comment: String::new(),
                next_review: None,
            },
        )
        .unwrap();
        p1.achieved(A, "2026-02-21T10:00:00Z", g1);
        let g2 = p1.goal(A, "2026-01-10T11:00:00Z", Pathway::EducationTraining);
        p1.achieved(A, "2026-03-01T10:00:00Z", g2);
        p1.goal(A, "2026-01-10T11:00:00Z", Pathway::Accommodation);
        p1.achievement(
            AchievementKind::Qualification,
            "2026-02-01",
            "Level 2",
            None,
        );
        p1.achievement(
            AchievementKind::Qualification,
            "2025-12-01",
            "Entry  3",
            None,
        );
        p1.achievement(AchievementKind::Volunteering, "2026-03-15", "", Some(12));
        p1.achievement(AchievementKind::WorkExperience, "2026-03-16", "", Some(30));
        // Employment from 2 February: 13 weeks on 4 May (Q2), 26 weeks on 3 August.
        p1.progression(ProgressionKind::Employment, "2026-02-02");
        p1.appointment("2026-01-20T10:00:00Z", Some(A), false, false, Went);
        p1.appointment("2026-02-03T10:00:00Z", None, true, false, Missed);
        p1.appointment("2026-03-10T10:00:00Z", None, false, false, Went);
        p1.appointment("2026-03-12T10:00:00Z", Some(A), false, false, Cancelled);
        // Employment 3 -> 6 -> 7 (improved by 4); accommodation 5 -> 4 (worsened by 1).
        p1.checkin(
            "2025-12-16T10:00:00Z",
            &[(Pathway::Employment, 3), (Pathway::Accommodation, 5)],
        );
        p1.checkin("2026-02-10T10:00:00Z", &[(Pathway::Employment, 6)]);
        p1.checkin(
            "2026-03-20T10:00:00Z",
            &[(Pathway::Employment, 7), (Pathway::Accommodation, 4)],
        );

        // P2: created offline by mentor A on 5 January, no referral recorded (referred by the
        // day the record was made, in Q1). A taster, then the start on 13 January.
        let mut p2 = Fx::new(A, "2026-01-05T09:00:00Z", "next steps");
        p2.session(A, "2026-01-06T10:00:00Z", 30, Attended, Taster);
        p2.session(A, "2026-01-13T10:00:00Z", 60, Attended, OneToOne);
        // Employment from 2 October 2025: 13 weeks on 1 January 2026 (Q1, its first day),
        // sustained; 26 weeks on 2 April 2026 (Q2), not sustained.
        let e = p2.progression(ProgressionKind::Employment, "2025-10-02");
        p2.sustained("2026-01-05T09:00:00Z", e, 13, true);
        p2.sustained("2026-04-10T09:00:00Z", e, 26, false);
        // Education from 1 September 2025: 13 weeks on 1 December 2025, 26 weeks on
        // 2 March 2026 (Q1), never checked.
        p2.progression(ProgressionKind::Education, "2025-09-01");

        // P3: mentor B only, programme Fresh Start, referred 3 February.
        let mut p3 = Fx::new(C, "2026-02-01T09:00:00Z", "Fresh Start");
        p3.referral("2026-02-03");
        p3.session(B, "2026-02-10T10:00:00Z", 60, Attended, OneToOne); // the start
        // 00:30 GMT on Sunday 29 March, half an hour before the clocks went forward.
        p3.session(B, "2026-03-29T00:30:00Z", 30, Attended, OneToOne);
        // 00:30 BST on Monday 30 March: the UTC day is 29 March.
        p3.session(B, "2026-03-29T23:30:00Z", 15, Attended, OneToOne);
        // Achieved, but its last activity (a step ticked on 2 April) is in Q2.
        let g = p3.goal(B, "2026-02-10T12:00:00Z", Pathway::Employment);
        let step = plan::add_step(
            &mut p3.0.plan,
            &ctx(B, "2026-02-10T12:00:00Z"),
            &NewStep {
                goal: g,
                text: "Synthetic step".into(),
                by_whom: String::new(),
                due: None,
            },
        )
        .unwrap();
        plan::tick_step(
            &mut p3.0.plan,
            &ctx(B, "2026-04-02T10:00:00Z"),
            &StepTick {
                goal: g,
                step,
                done: true,
            },
        )
        .unwrap();
        p3.achieved(B, "2026-04-02T10:05:00Z", g);
        p3.achievement(
            AchievementKind::Qualification,
            "2026-03-31",
            " Level  2 ",
            None,
        );
        p3.achievement(
            AchievementKind::Qualification,
            "2026-01-01",
            "Entry 3",
            None,
        );
        p3.achievement(AchievementKind::Qualification, "2026-02-02", "", None);
        p3.achievement(AchievementKind::Volunteering, "2026-04-01", "", Some(8));
        p3.appointment("2026-03-05T10:00:00Z", Some(B), false, false, Missed);
        p3.appointment("2026-03-06T10:00:00Z", Some(B), false, true, Went);

        // P4: started in 2025 with mentor A.
        let mut p4 = Fx::new(C, "2025-06-01T09:00:00Z", "Next Steps");
        p4.referral("2025-06-01");
        p4.session(A, "2025-07-01T09:00:00Z", 60, Attended, OneToOne); // the start
        p4.session(A, "2026-01-20T10:00:00Z", 45, Attended, OneToOne);
        // Logged as missed, 20 minutes; corrected before sign-off to attended, 40 minutes.
        let s = p4.session(A, "2026-02-05T10:00:00Z", 20, DidNotAttend, OneToOne);
        let Fx(d) = &mut p4;
        notes::edit_session(
            &mut d.notes,
            &mut d.plan,
            &ctx(A, "2026-02-05T12:00:00Z"),
            &SessionEdit {
                attendance: Some(Attended),
                duration_minutes: Some(40),
                ..SessionEdit::of(s)
            },
        )
        .unwrap();
        notes::sign_off_session(
            &mut d.notes,
            &ctx(A, "2026-02-05T12:05:00Z"),
            &SessionSignOff { session: s },
        )
        .unwrap();
        // Employment 5 -> 5 (unchanged); finance scored once only (not counted).
        p4.checkin("2025-07-01T10:00:00Z", &[(Pathway::Employment, 5)]);
        p4.checkin(
            "2026-03-01T10:00:00Z",
            &[(Pathway::Employment, 5), (Pathway::FinanceBenefits, 2)],
        );

        // P5: nothing in Q1 or Q2; sessions around the October clock change.
        let mut p5 = Fx::new(A, "2026-09-01T09:00:00Z", "Fresh Start");
        p5.session(A, "2026-10-24T22:59:00Z", 10, Attended, OneToOne); // 23:59 BST, 24th
        p5.session(A, "2026-10-24T23:30:00Z", 20, Attended, OneToOne); // 00:30 BST, 25th
        p5.session(A, "2026-10-25T23:30:00Z", 40, Attended, OneToOne); // 23:30 GMT, 25th
        p5.session(A, "2026-10-26T00:30:00Z", 80, Attended, OneToOne); // 00:30 GMT, 26th

        vec![p1, p2, p3, p4, p5]
    }

    fn query(
        start: &str,
        end: &str,
        programme: Option<&str>,
        mentor: Option<UserId>,
    ) -> ReportQuery {
        ReportQuery {
            period: Period::new(day(start), day(end)).unwrap(),
            programme: programme.map(str::to_string),
            mentor,
        }
    }

    fn run(org: &[Fx], q: &ReportQuery) -> Report {
        report(org.iter().map(Fx::records), q).unwrap()
    }

    fn pathways(counts: [u32; 9]) -> Vec<PathwayCount> {
        Pathway::ALL
            .iter()
            .zip(counts)
            .map(|(p, count)| PathwayCount { pathway: *p, count })
            .collect()
    }

    fn kinds(counts: [u32; 4]) -> Vec<ProgressionCount> {
        ProgressionKind::ALL
            .iter()
            .zip(counts)
            .map(|(k, count)| ProgressionCount { kind: *k, count })
            .collect()
    }

    fn levels(l: &[(&str, u32)]) -> Vec<LevelCount> {
        l.iter()
            .map(|(level, count)| LevelCount {
                level: level.to_string(),
                count: *count,
            })
            .collect()
    }

    /// Distance rows: (participants, first total, latest total, improved, unchanged,
    /// worsened) for employment and accommodation; every other pathway is zero.
    fn distance(employment: [u32; 6], accommodation: [u32; 6]) -> Vec<Distance> {
        Pathway::ALL
            .iter()
            .map(|p| {
                let d = match p {
                    Pathway::Employment => employment,
                    Pathway::Accommodation => accommodation,
                    _ => [0; 6],
                };
                Distance {
                    pathway: *p,
                    participants: d[0],
                    first_total: d[1],
                    latest_total: d[2],
                    improved: d[3],
                    unchanged: d[4],
                    worsened: d[5],
                }
            })
            .collect()
    }

    fn sustainment(due: u32, sustained: u32, not_sustained: u32, not_checked: u32) -> Sustainment {
        Sustainment {
            due,
            sustained,
            not_sustained,
            not_checked,
        }
    }

    fn attendance(attended: u32, missed: u32) -> AttendanceCount {
        AttendanceCount { attended, missed }
    }

    #[test]
    fn the_first_quarter_matches_the_figures_worked_out_by_hand() {
        let org = organisation();
        let q = query("2026-01-01", "2026-03-31", None, None);
        let expected = Report {
            query: q.clone(),
            participants_supported: 4, // P1, P2, P3, P4 (P1 once, with two mentors)
            referrals: 2,              // P2 (record made 5 Jan), P3 (3 Feb)
            starts: 3,                 // P1 10 Jan, P2 13 Jan (not the taster), P3 10 Feb
            sessions_delivered: 10,    // P1 3, P2 2, P3 3, P4 2
            sessions_missed: 1,        // P1 1 March
            contact_minutes: 475,      // 195 + 90 + 105 + 85
            participants_with_goal_achieved: 1, // P1
            goals_achieved: pathways([1, 1, 0, 0, 0, 0, 0, 0, 0]),
            qualifications: levels(&[("", 1), ("Entry 3", 1), ("Level 2", 2)]),
            volunteering_hours: 12,            // P1; P3's 8 are in April
            progressions: kinds([1, 0, 0, 0]), // P1 employment
            participants_progressed: 1,
            sustained_13_weeks: sustainment(1, 1, 0, 0), // P2 employment, 1 January
            sustained_26_weeks: sustainment(1, 0, 0, 1), // P2 education, 2 March
            appointments: 5,                             // P1 3 (one cancelled), P3 2
            appointments_supported: 4,                   // all but P1's of 10 March
            accompanied: attendance(2, 1),
            unaccompanied: attendance(1, 1),
            distance_travelled: distance([2, 8, 12, 1, 1, 0], [1, 5, 4, 0, 0, 1]),
        };
        assert_eq!(run(&org, &q), expected);
    }

    #[test]
    fn the_second_quarter_gets_what_crossed_midnight_in_summer_time() {
        let org = organisation();
        let q = query("2026-04-01", "2026-06-30", None, None);
        let expected = Report {
            query: q.clone(),
            participants_supported: 1, // P1: 00:30 BST on 1 April
            referrals: 0,
            starts: 0,
            sessions_delivered: 1,
            sessions_missed: 0,
            contact_minutes: 60,
            participants_with_goal_achieved: 1, // P3: step ticked 2 April
            goals_achieved: pathways([1, 0, 0, 0, 0, 0, 0, 0, 0]),
            qualifications: levels(&[]),
            volunteering_hours: 8, // P3, 1 April
            progressions: kinds([0, 0, 0, 0]),
            participants_progressed: 0,
            sustained_13_weeks: sustainment(1, 0, 0, 1), // P1 employment, 4 May
            sustained_26_weeks: sustainment(1, 0, 1, 0), // P2 employment, 2 April
            appointments: 0,
            appointments_supported: 0,
            accompanied: attendance(0, 0),
            unaccompanied: attendance(0, 0),
            distance_travelled: distance([0; 6], [0; 6]),
        };
        assert_eq!(run(&org, &q), expected);
    }

    #[test]
    fn a_programme_chooses_participants_ignoring_case_and_spaces() {
        let org = organisation();
        let q = query("2026-01-01", "2026-03-31", Some("  NEXT steps "), None);
        let expected = Report {
            query: q.clone(),
            participants_supported: 3, // P1, P2, P4
            referrals: 1,              // P2
            starts: 2,                 // P1, P2
            sessions_delivered: 7,     // 3 + 2 + 2
            sessions_missed: 1,
            contact_minutes: 370, // 195 + 90 + 85
            participants_with_goal_achieved: 1,
            goals_achieved: pathways([1, 1, 0, 0, 0, 0, 0, 0, 0]),
            qualifications: levels(&[("Level 2", 1)]),
            volunteering_hours: 12,
            progressions: kinds([1, 0, 0, 0]),
            participants_progressed: 1,
            sustained_13_weeks: sustainment(1, 1, 0, 0),
            sustained_26_weeks: sustainment(1, 0, 0, 1),
            appointments: 3,
            appointments_supported: 2,
            accompanied: attendance(1, 0),
            unaccompanied: attendance(1, 1),
            distance_travelled: distance([2, 8, 12, 1, 1, 0], [1, 5, 4, 0, 0, 1]),
        };
        assert_eq!(run(&org, &q), expected);
    }

    #[test]
    fn a_mentor_chooses_the_participants_they_worked_with_each_counted_once() {
        let org = organisation();
        // B logged sessions with P1 and P3; P1 also had mentor A and still counts once.
        let q = query("2026-01-01", "2026-03-31", None, Some(B));
        let expected = Report {
            query: q.clone(),
            participants_supported: 2, // P1, P3
            referrals: 1,              // P3
            starts: 2,                 // P1, P3
            sessions_delivered: 6,     // P1 3 (A's too), P3 3
            sessions_missed: 1,
            contact_minutes: 300, // 195 + 105
            participants_with_goal_achieved: 1,
            goals_achieved: pathways([1, 1, 0, 0, 0, 0, 0, 0, 0]),
            qualifications: levels(&[("", 1), ("Entry 3", 1), ("Level 2", 2)]),
            volunteering_hours: 12,
            progressions: kinds([1, 0, 0, 0]),
            participants_progressed: 1,
            sustained_13_weeks: sustainment(0, 0, 0, 0),
            sustained_26_weeks: sustainment(0, 0, 0, 0),
            appointments: 5,
            appointments_supported: 4,
            accompanied: attendance(2, 1),
            unaccompanied: attendance(1, 1),
            distance_travelled: distance([1, 3, 7, 1, 0, 0], [1, 5, 4, 0, 0, 1]),
        };
        assert_eq!(run(&org, &q), expected);

        // Mentor A: P1, P2 (created their record), P4; not P3.
        let a = run(&org, &query("2026-01-01", "2026-03-31", None, Some(A)));
        assert_eq!(
            (
                a.participants_supported,
                a.sessions_delivered,
                a.contact_minutes
            ),
            (3, 7, 370)
        );

        // Before B's first session with P1 (14 February), B had worked only with P3.
        let early = run(&org, &query("2026-01-01", "2026-02-13", None, Some(B)));
        assert_eq!(
            (
                early.participants_supported,
                early.sessions_delivered,
                early.contact_minutes
            ),
            (1, 1, 60)
        );

        // Someone who worked with no one gets an empty report, not everyone's.
        let stranger = UserId(uuid::Uuid::from_u128(0xe));
        let nobody = run(
            &org,
            &query("2026-01-01", "2026-03-31", None, Some(stranger)),
        );
        assert_eq!((nobody.participants_supported, nobody.referrals), (0, 0));
    }

    #[test]
    fn days_are_london_days_across_both_clock_changes() {
        let org = organisation();
        // (period start, period end, participants supported, sessions delivered, minutes)
        let cases = [
            // Sunday 29 March: 00:30 GMT (P3, 30 min) counts; 00:30 BST on the 30th, which
            // is still the 29th in UTC, does not.
            ("2026-03-29", "2026-03-29", 1, 1, 30),
            ("2026-03-30", "2026-03-30", 1, 1, 15),
            // 31 March: P1's 23:30 BST session (90 min); its 00:30 BST on 1 April is not.
            ("2026-03-31", "2026-03-31", 1, 1, 90),
            ("2026-04-01", "2026-04-01", 1, 1, 60),
            // Sunday 25 October: 00:30 BST (23:30 UTC on the 24th) and 23:30 GMT count;
            // 23:59 BST on the 24th and 00:30 GMT on the 26th do not.
            ("2026-10-25", "2026-10-25", 1, 2, 60),
            ("2026-10-24", "2026-10-24", 1, 1, 10),
            ("2026-10-26", "2026-10-26", 1, 1, 80),
            ("2026-10-24", "2026-10-26", 1, 4, 150),
        ];
        for (start, end, supported, delivered, minutes) in cases {
            let r = run(&org, &query(start, end, None, None));
            assert_eq!(
                (
                    r.participants_supported,
                    r.sessions_delivered,
                    r.contact_minutes
                ),
                (supported, delivered, minutes),
                "{start}..={end}"
            );
        }
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        assert!(Period::new(day("2026-03-31"), day("2026-01-01")).is_err());
        assert!(Period::new(day("2026-03-31"), day("2026-03-31")).is_ok());
        let q = ReportQuery {
            period: Period {
                start: day("2026-03-31"),
                end: day("2026-01-01"),
            },
            programme: None,
            mentor: None,
        };
        let err = report(std::iter::empty(), &q).unwrap_err();
        assert_eq!(err.field(), Some(Field::EndTime));
    }

    #[test]
    fn standing_sessions_agree_with_the_session_records() {
        for fx in organisation() {
            let n = fx.0.notes.read();
            let records = n.sessions();
            let standing = n.standing();
            assert_eq!(standing.len(), records.len());
            for s in standing {
                let r = &records[&s.id];
                assert_eq!(Some(s.content), r.current());
                assert_eq!(s.logged, r.created);
            }
        }
    }

    #[test]
    fn the_csv_reads_back_as_the_figures_worked_out_by_hand() {
        let org = organisation();
        let q = query("2026-01-01", "2026-03-31", None, Some(B));
        let csv_text = run(&org, &q).to_csv();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        assert_eq!(reader.headers().unwrap(), vec!["measure", "group", "value"]);
        let rows: Vec<(String, String, String)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[1].to_string(), r[2].to_string())
            })
            .collect();
        let b = B.to_string();
        let mut expected: Vec<(&str, &str, &str)> = vec![
            ("period_start", "", "2026-01-01"),
            ("period_end", "", "2026-03-31"),
            ("programme", "", ""),
            ("mentor", "", &b),
            ("participants_supported", "", "2"),
            ("referrals", "", "1"),
            ("starts", "", "2"),
            ("sessions_delivered", "", "6"),
            ("sessions_missed", "", "1"),
            ("contact_hours", "", "5.00"),
            ("participants_with_goal_achieved", "", "1"),
            ("goals_achieved", "employment", "1"),
            ("goals_achieved", "education-training", "1"),
            ("goals_achieved", "volunteering", "0"),
            ("goals_achieved", "accommodation", "0"),
            ("goals_achieved", "finance-benefits", "0"),
            ("goals_achieved", "health-wellbeing", "0"),
            ("goals_achieved", "substance-use", "0"),
            ("goals_achieved", "family-relationships", "0"),
            ("goals_achieved", "attitudes-thinking", "0"),
            ("qualifications", "", "1"),
            ("qualifications", "Entry 3", "1"),
            ("qualifications", "Level 2", "2"),
            ("volunteering_hours", "", "12"),
            ("progressions", "employment", "1"),
            ("progressions", "education", "0"),
            ("progressions", "training", "0"),
            ("progressions", "volunteering", "0"),
            ("participants_progressed", "", "1"),
            ("sustained_13_weeks", "due", "0"),
            ("sustained_13_weeks", "sustained", "0"),
            ("sustained_13_weeks", "not_sustained", "0"),
            ("sustained_13_weeks", "not_checked", "0"),
            ("sustained_26_weeks", "due", "0"),
            ("sustained_26_weeks", "sustained", "0"),
            ("sustained_26_weeks", "not_sustained", "0"),
            ("sustained_26_weeks", "not_checked", "0"),
            ("appointments", "", "5"),
            ("appointments_supported", "", "4"),
            ("appointments_accompanied", "attended", "2"),
            ("appointments_accompanied", "missed", "1"),
            (
                "appointments_accompanied",
                "attendance_rate_percent",
                "66.7",
            ),
            ("appointments_unaccompanied", "attended", "1"),
            ("appointments_unaccompanied", "missed", "1"),
            (
                "appointments_unaccompanied",
                "attendance_rate_percent",
                "50.0",
            ),
        ];
        // Distance travelled: P1 only. Employment 3 -> 7; accommodation 5 -> 4.
        for p in Pathway::ALL {
            let d: [&str; 7] = match p {
                Pathway::Employment => ["1", "3.00", "7.00", "4.00", "1", "0", "0"],
                Pathway::Accommodation => ["1", "5.00", "4.00", "-1.00", "0", "0", "1"],
                _ => ["0", "", "", "", "0", "0", "0"],
            };
            for (measure, value) in [
                "distance_participants",
                "distance_average_first",
                "distance_average_latest",
                "distance_average_change",
                "distance_improved",
                "distance_unchanged",
                "distance_worsened",
            ]
            .into_iter()
            .zip(d)
            {
                expected.push((measure, p.as_str(), value));
            }
        }
        let expected: Vec<(String, String, String)> = expected
            .into_iter()
            .map(|(m, g, v)| (m.to_string(), g.to_string(), v.to_string()))
            .collect();
        assert_eq!(rows, expected);
    }

    #[test]
    fn quick_periods_are_whole_months_quarters_and_years() {
        // Written out by hand for two days: one in winter early in a calendar year (before
        // the financial year turns in April), one on the first day of a quarter.
        let cases: [(&str, QuickPeriod, &str, &str); 16] = [
            (
                "2026-02-14",
                QuickPeriod::ThisMonth,
                "2026-02-01",
                "2026-02-28",
            ),
            (
                "2026-02-14",
                QuickPeriod::LastMonth,
                "2026-01-01",
                "2026-01-31",
            ),
            (
                "2026-02-14",
                QuickPeriod::ThisQuarter,
                "2026-01-01",
                "2026-03-31",
            ),
            (
                "2026-02-14",
                QuickPeriod::LastQuarter,
                "2025-10-01",
                "2025-12-31",
            ),
            (
                "2026-02-14",
                QuickPeriod::ThisFinancialYear,
                "2025-04-01",
                "2026-03-31",
            ),
            (
                "2026-02-14",
                QuickPeriod::LastFinancialYear,
                "2024-04-01",
                "2025-03-31",
            ),
            (
                "2026-02-14",
                QuickPeriod::ThisYear,
                "2026-01-01",
                "2026-12-31",
            ),
            (
                "2026-02-14",
                QuickPeriod::LastYear,
                "2025-01-01",
                "2025-12-31",
            ),
            (
                "2024-04-01",
                QuickPeriod::ThisMonth,
                "2024-04-01",
                "2024-04-30",
            ),
            (
                "2024-04-01",
                QuickPeriod::LastMonth,
                "2024-03-01",
                "2024-03-31",
            ),
            (
                "2024-04-01",
                QuickPeriod::ThisQuarter,
                "2024-04-01",
                "2024-06-30",
            ),
            (
                "2024-04-01",
                QuickPeriod::LastQuarter,
                "2024-01-01",
                "2024-03-31",
            ),
            (
                "2024-04-01",
                QuickPeriod::ThisFinancialYear,
                "2024-04-01",
                "2025-03-31",
            ),
            (
                "2024-04-01",
                QuickPeriod::LastFinancialYear,
                "2023-04-01",
                "2024-03-31",
            ),
            (
                "2024-03-01",
                QuickPeriod::LastMonth,
                "2024-02-01",
                "2024-02-29",
            ),
            (
                "2026-01-31",
                QuickPeriod::LastMonth,
                "2025-12-01",
                "2025-12-31",
            ),
        ];
        for (today, q, start, end) in cases {
            assert_eq!(
                q.period(day(today)),
                Period {
                    start: day(start),
                    end: day(end)
                },
                "{q:?} on {today}"
            );
        }
        for q in QuickPeriod::ALL {
            assert_eq!(QuickPeriod::from_name(q.as_str()), Some(q));
        }
    }

    #[test]
    fn decimals_round_half_away_from_zero() {
        assert_eq!(hundredths(475, 60), "7.92"); // 7.9166...
        assert_eq!(hundredths(370, 60), "6.17"); // 6.1666...
        assert_eq!(hundredths(-1, 3), "-0.33");
        assert_eq!(hundredths(-1, 200), "-0.01"); // -0.005
        assert_eq!(hundredths(1, 0), "");
        assert_eq!(attendance(2, 1).rate_tenths_percent(), Some(667));
        assert_eq!(attendance(1, 7).rate_tenths_percent(), Some(125)); // 12.5 exactly
        assert_eq!(attendance(0, 0).rate_tenths_percent(), None);
    }
}
