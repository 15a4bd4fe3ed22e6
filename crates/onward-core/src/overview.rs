//! The coordinator's view of the organisation at a glance and of the concern inbox: the
//! periods the figures cover (this week, this month, in Europe/London), how old a concern is,
//! and the order the inbox lists concerns in. Plain values and arithmetic; the device store
//! counts rows between the instants worked out here.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::time::{Day, Timestamp};
use crate::views::ConcernRow;
use crate::vocab::*;

/// Whole London days, first to last, both included, with the UTC instants that bound them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Days {
    pub first: Day,
    pub last: Day,
}

impl Days {
    /// Monday to Sunday of the week `day` falls in.
    pub fn week_of(day: Day) -> Days {
        let back = day.date().weekday().num_days_from_monday() as i64;
        let first = day.plus_days(-back);
        Days {
            first,
            last: first.plus_days(6),
        }
    }

    /// The calendar month `day` falls in.
    pub fn month_of(day: Day) -> Days {
        let d = day.date();
        let first = Day::from_ymd(d.year(), d.month(), 1).expect("the first of a month exists");
        let next = if d.month() == 12 {
            Day::from_ymd(d.year() + 1, 1, 1)
        } else {
            Day::from_ymd(d.year(), d.month() + 1, 1)
        }
        .expect("the first of a month exists");
        Days {
            first,
            last: next.plus_days(-1),
        }
    }

    /// The first instant of the first day (midnight in London).
    pub fn start(&self) -> Timestamp {
        self.first.start_in_london()
    }

    /// The first instant after the last day (the next midnight in London).
    pub fn end(&self) -> Timestamp {
        self.last.plus_days(1).start_in_london()
    }
}

/// How many London calendar days ago `then` was: 0 on the same London day, 1 the day
/// before, however few hours apart.
pub fn age_in_days(then: Timestamp, now: Timestamp) -> i64 {
    then.london_day().days_until(now.london_day()).max(0)
}

/// Whether a concern's urgency puts it in the sync bar's "urgent" count.
pub fn is_urgent(urgency: Urgency) -> bool {
    matches!(urgency, Urgency::Immediate | Urgency::High)
}

/// Sorts concerns as the inbox lists them: most urgent first, then the oldest, then those
/// nobody has answered before those that have an answer.
pub fn inbox_order(concerns: &mut [ConcernRow]) {
    let rank = |u: Urgency| match u {
        Urgency::Immediate => 0,
        Urgency::High => 1,
        Urgency::Medium => 2,
        Urgency::Low => 3,
    };
    concerns.sort_by_key(|c| {
        (
            rank(c.urgency),
            c.raised_at,
            c.last_response_at.is_some(),
            c.concern,
        )
    });
}

/// The organisation at a glance, as a coordinator's device holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// The London day the figures were worked out on.
    pub today: Option<Day>,
    /// Participants by status (every status listed, 0 where none).
    pub by_status: Vec<(ParticipantStatus, u32)>,
    /// Open concerns by urgency, most urgent first (every urgency listed), with the age in
    /// days of the oldest.
    pub concerns: Vec<ConcernCount>,
    /// Open concerns no coordinator has answered yet.
    pub concerns_unanswered: u32,
    /// Participants no mentor is assigned to (known once the office has sent its directory).
    pub waiting_for_mentor: Option<u32>,
    /// Active goals whose review date has passed.
    pub reviews_overdue: u32,
    /// This week (Monday to Sunday): appointments that are not cancelled or rescheduled, and
    /// how many of them have a mentor going along.
    pub week: Option<Days>,
    pub appointments_this_week: u32,
    pub appointments_accompanied: u32,
    /// This calendar month: sessions delivered and missed, and the minutes delivered.
    pub month: Option<Days>,
    pub sessions_delivered: u32,
    pub sessions_missed: u32,
    pub minutes_delivered: u64,
}

/// Open concerns of one urgency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcernCount {
    pub urgency: Urgency,
    pub open: u32,
    /// Days since the oldest of them was raised.
    pub oldest_days: Option<i64>,
}

/// A member of staff as the coordinator's directory shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub user: UserId,
    pub display_name: String,
    pub role: Role,
    pub cleared: bool,
    /// Whether the account is on.
    pub enabled: bool,
    /// Participants assigned to them.
    pub caseload: u32,
    /// The London day any of their devices last synced.
    pub last_synced: Option<Day>,
    /// Their devices not revoked, oldest first.
    pub devices: Vec<StaffDevice>,
}

/// A member of staff's enrolled tablet or laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDevice {
    pub device: DeviceId,
    /// The name given at enrolment ("Blue tablet").
    pub name: String,
    /// The London day it was enrolled.
    pub enrolled: Day,
    /// The London day it last synced.
    pub last_synced: Option<Day>,
}

/// A participant on a mentor's caseload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Assignment {
    pub participant: ParticipantId,
    pub mentor: UserId,
}

/// Contact hours from minutes, to two decimal places, rounded half away from zero (the rule
/// of `docs/REPORTS.md`), as text such as "12.25".
pub fn hours(minutes: u64) -> String {
    // Hundredths of an hour: minutes × 100 / 60, rounded half up (minutes are never negative).
    let hundredths = (minutes * 100 + 30) / 60;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
    }

    fn at(rfc3339: &str) -> Timestamp {
        Timestamp::from(
            chrono::DateTime::parse_from_rfc3339(rfc3339)
                .unwrap()
                .with_timezone(&chrono::Utc),
        )
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        // Thursday 3 December 2026 → Monday 30 November to Sunday 6 December.
        let w = Days::week_of(day(2026, 12, 3));
        assert_eq!((w.first, w.last), (day(2026, 11, 30), day(2026, 12, 6)));
        // A Monday is its own week's first day; a Sunday its last.
        assert_eq!(Days::week_of(day(2026, 11, 30)).first, day(2026, 11, 30));
        assert_eq!(Days::week_of(day(2026, 12, 6)).first, day(2026, 11, 30));
        assert_eq!(Days::week_of(day(2026, 12, 7)).first, day(2026, 12, 7));
    }

    #[test]
    fn months_end_on_their_last_day() {
        let m = Days::month_of(day(2026, 12, 7));
        assert_eq!((m.first, m.last), (day(2026, 12, 1), day(2026, 12, 31)));
        assert_eq!(Days::month_of(day(2028, 2, 10)).last, day(2028, 2, 29));
        assert_eq!(Days::month_of(day(2026, 2, 10)).last, day(2026, 2, 28));
    }

    #[test]
    fn a_summer_month_starts_at_london_midnight() {
        // 1 July 2026 00:00 BST is 30 June 23:00 UTC; 1 August 00:00 BST is 31 July 23:00 UTC.
        let m = Days::month_of(day(2026, 7, 15));
        assert_eq!(m.start(), at("2026-06-30T23:00:00Z"));
        assert_eq!(m.end(), at("2026-07-31T23:00:00Z"));
        // A winter week is in UTC: Monday 30 November 2026 00:00 GMT.
        assert_eq!(
            Days::week_of(day(2026, 12, 3)).start(),
            at("2026-11-30T00:00:00Z")
        );
    }

    #[test]
    fn age_counts_london_calendar_days() {
        // 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April: the same London day as noon.
        assert_eq!(
            age_in_days(at("2026-03-31T23:30:00Z"), at("2026-04-01T12:00:00Z")),
            0
        );
        // 22:59 UTC on 31 March is 23:59 BST on 31 March: one day before, a minute apart.
        assert_eq!(
            age_in_days(at("2026-03-31T22:59:00Z"), at("2026-03-31T23:00:00Z")),
            1
        );
        assert_eq!(
            age_in_days(at("2026-11-20T10:00:00Z"), at("2026-12-07T09:00:00Z")),
            17
        );
        // A stamp from a tablet whose clock ran ahead is never a negative age.
        assert_eq!(
            age_in_days(at("2026-12-09T10:00:00Z"), at("2026-12-07T09:00:00Z")),
            0
        );
    }

    #[test]
    fn hours_round_half_away_from_zero() {
        // 45 min = 0.75 h; 50 min = 0.8333 → 0.83; 55 min = 0.91666 → 0.92; 1 min = 0.0166 → 0.02.
        assert_eq!(hours(45), "0.75");
        assert_eq!(hours(50), "0.83");
        assert_eq!(hours(55), "0.92");
        assert_eq!(hours(1), "0.02");
        assert_eq!(hours(0), "0.00");
        assert_eq!(hours(735), "12.25");
    }

    #[test]
    fn the_inbox_lists_urgent_then_oldest_then_unanswered() {
        let row = |n: u8, urgency: Urgency, raised: &str, answered: bool| ConcernRow {
            concern: ConcernId(uuid::Uuid::from_bytes([n; 16])),
            participant: ParticipantId(uuid::Uuid::from_bytes([9; 16])),
            category: ConcernCategory::Housing,
            urgency,
            status: ConcernStatus::Open,
            raised_at: at(raised),
            raised_by: UserId(uuid::Uuid::from_bytes([7; 16])),
            last_response_at: answered.then(|| at("2026-12-06T10:00:00Z")),
        };
        let mut list = vec![
            row(1, Urgency::Low, "2026-11-01T10:00:00Z", false),
            row(2, Urgency::High, "2026-12-05T10:00:00Z", false),
            row(3, Urgency::Immediate, "2026-12-06T10:00:00Z", true),
            row(4, Urgency::High, "2026-12-01T10:00:00Z", false),
            row(5, Urgency::High, "2026-12-01T10:00:00Z", true),
            row(6, Urgency::Medium, "2026-10-01T10:00:00Z", false),
        ];
        inbox_order(&mut list);
        let order: Vec<u8> = list.iter().map(|c| c.concern.0.as_bytes()[0]).collect();
        assert_eq!(order, [3, 4, 5, 2, 6, 1]);
        assert!(is_urgent(Urgency::Immediate) && is_urgent(Urgency::High));
        assert!(!is_urgent(Urgency::Medium) && !is_urgent(Urgency::Low));
    }
}
