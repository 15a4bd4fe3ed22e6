//! Instants and calendar days. Instants are stored in UTC (as automerge timestamps, in
//! milliseconds); days are calendar dates. Both are shown in Europe/London.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;

/// A point in time, UTC, millisecond precision.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time from the system clock.
    pub fn now() -> Self {
        Self::from_millis(Utc::now().timestamp_millis())
    }

    /// From milliseconds since the Unix epoch (clamped to chrono's range).
    pub fn from_millis(ms: i64) -> Self {
        Self(
            Utc.timestamp_millis_opt(ms)
                .single()
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        )
    }

    /// Milliseconds since the Unix epoch.
    pub fn millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// The underlying UTC instant.
    pub fn utc(&self) -> DateTime<Utc> {
        self.0
    }

    /// The calendar day this instant falls on in Europe/London.
    pub fn london_day(&self) -> Day {
        Day(self.0.with_timezone(&London).date_naive())
    }

    /// The instant `minutes` later.
    pub fn plus_minutes(&self, minutes: i64) -> Self {
        Self::from_millis(self.millis() + minutes * 60_000)
    }

    /// London wall-clock time in a `chrono` format (such as `%a %-d %b, %H:%M`).
    pub fn london_format(&self, format: &str) -> String {
        self.0.with_timezone(&London).format(format).to_string()
    }

    /// Local (London) wall-clock time, `YYYY-MM-DD HH:MM`.
    pub fn london_display(&self) -> String {
        self.0
            .with_timezone(&London)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self::from_millis(value.timestamp_millis())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Accepts RFC 3339 (`2026-03-01T10:00:00Z`) or a London wall-clock time `2026-03-01 10:00`.
impl FromStr for Timestamp {
    type Err = TimeParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Self::from(t.with_timezone(&Utc)));
        }
        let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
            .map_err(|_| TimeParseError::Instant(s.to_string()))?;
        London
            .from_local_datetime(&local)
            .earliest()
            .map(|t| Self::from(t.with_timezone(&Utc)))
            .ok_or_else(|| TimeParseError::Instant(s.to_string()))
    }
}

impl autosurgeon::Reconcile for Timestamp {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.timestamp(self.millis())
    }
}

impl autosurgeon::Hydrate for Timestamp {
    fn hydrate_timestamp(t: i64) -> Result<Self, autosurgeon::HydrateError> {
        Ok(Self::from_millis(t))
    }
}

/// A calendar day (no time of day), such as a target date or a date of birth.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Day(NaiveDate);

impl Day {
    /// A day from its parts, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(Self)
    }

    /// The underlying date.
    pub fn date(&self) -> NaiveDate {
        self.0
    }

    /// The day `days` later (or earlier, when negative).
    pub fn plus_days(&self, days: i64) -> Self {
        Self(self.0 + chrono::Duration::days(days))
    }

    /// Whole days from `self` to `other`.
    pub fn days_until(&self, other: Day) -> i64 {
        (other.0 - self.0).num_days()
    }

    /// Midnight at the start of this day in London, as an instant.
    pub fn start_in_london(&self) -> Timestamp {
        let midnight = self.0.and_hms_opt(0, 0, 0).unwrap_or_default();
        London
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| Timestamp::from(t.with_timezone(&Utc)))
            .unwrap_or_else(|| Timestamp::from(midnight.and_utc()))
    }
}

impl Day {
    /// The day in a `chrono` format (such as `%a %-d %b %Y`).
    pub fn format(&self, format: &str) -> String {
        self.0.format(format).to_string()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl fmt::Debug for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Day {
    type Err = TimeParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Self)
            .map_err(|_| TimeParseError::Day(s.to_string()))
    }
}

impl autosurgeon::Reconcile for Day {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl autosurgeon::Hydrate for Day {
    fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
        s.parse()
            .map_err(|_| autosurgeon::HydrateError::unexpected("a date", s.to_string()))
    }
}

/// A date or time that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeParseError {
    #[error("'{0}' is not a date: use the form 2026-03-01")]
    Day(String),
    #[error("'{0}' is not a date and time: use the form 2026-03-01 14:30 (London time)")]
    Instant(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_days_follow_british_summer_time() {
        // 23:30 UTC on 1 July is 00:30 on 2 July in London (BST).
        let t: Timestamp = "2026-07-01T23:30:00Z".parse().unwrap();
        assert_eq!(t.london_day().to_string(), "2026-07-02");
        // In winter London is UTC.
        let t: Timestamp = "2026-01-01T23:30:00Z".parse().unwrap();
        assert_eq!(t.london_day().to_string(), "2026-01-01");
        let local: Timestamp = "2026-07-01 10:00".parse().unwrap();
        assert_eq!(local.to_string(), "2026-07-01T09:00:00.000Z");
        assert!("31/12/2026".parse::<Day>().is_err());
    }
}
