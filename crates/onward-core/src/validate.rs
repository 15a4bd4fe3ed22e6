//! Every field a person fills in, named once, with the rule its values must meet. The
//! operations, the server's check of pushed changes and the UI (as people type) all call these
//! rules, so a limit is written in one place. A failed check is a typed [`Problem`]; the UI
//! turns the field's code and the problem into words from its text module.

use serde::{Deserialize, Serialize};

use crate::error::OpError;
use crate::time::Day;

/// Longest short text: names, titles, places.
pub const SHORT_TEXT: usize = 200;
/// Longest free text: notes, summaries, descriptions.
pub const LONG_TEXT: usize = 20_000;

/// What a field's values must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// Text, trimmed, at most `max` characters; `required`: not empty.
    Text { required: bool, max: usize },
    /// A whole number from `min` to `max`.
    Range { min: i64, max: i64 },
    /// A choice, date or other typed value checked by the operation itself.
    Typed,
}

macro_rules! fields {
    ($($(#[$meta:meta])* $variant:ident = $code:literal, $name:literal, $rule:expr;)+) => {
        /// A field of an operation's input or of a stored record.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field { $($(#[$meta])* $variant,)+ }

        impl Field {
            /// Every field.
            pub const ALL: &'static [Field] = &[$(Field::$variant,)+];

            /// The stable code (`preferred_name`) the UI keys its words on.
            pub fn code(&self) -> &'static str {
                match self { $(Field::$variant => $code,)+ }
            }

            /// The field's name in the core's own English messages (the UI has its own words).
            pub fn name(&self) -> &'static str {
                match self { $(Field::$variant => $name,)+ }
            }

            /// What the field's values must be.
            pub fn rule(&self) -> Rule {
                match self { $(Field::$variant => $rule,)+ }
            }

            /// The field with this code.
            pub fn from_code(code: &str) -> Option<Field> {
                match code { $($code => Some(Field::$variant),)+ _ => None }
            }
        }
    };
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Field::from_code(&s).ok_or_else(|| serde::de::Error::custom("unknown field"))
    }
}

const fn required(max: usize) -> Rule {
    Rule::Text {
        required: true,
        max,
    }
}

const fn optional(max: usize) -> Rule {
    Rule::Text {
        required: false,
        max,
    }
}

const fn range(min: i64, max: i64) -> Rule {
    Rule::Range { min, max }
}

fields! {
    PreferredName = "preferred_name", "preferred name", required(SHORT_TEXT);
    Programme = "programme", "programme", optional(SHORT_TEXT);
    GoalTitle = "goal_title", "title", required(SHORT_TEXT);
    WhyItMatters = "why_it_matters", "why it matters", optional(LONG_TEXT);
    Step = "step", "step", required(SHORT_TEXT);
    ByWhom = "by_whom", "by whom", optional(SHORT_TEXT);
    Rating = "rating", "rating", range(0, 10);
    Comment = "comment", "comment", optional(LONG_TEXT);
    WithWhom = "with_whom", "with whom", optional(SHORT_TEXT);
    Location = "location", "where", optional(SHORT_TEXT);
    EndTime = "end_time", "end time", Rule::Typed;
    Outcome = "outcome", "outcome", optional(LONG_TEXT);
    FollowUp = "follow_up", "follow-up", required(SHORT_TEXT);
    Expenses = "expenses", "expenses", range(0, 10_000_000);
    AchievementTitle = "achievement_title", "title", required(SHORT_TEXT);
    Organisation = "organisation", "organisation", optional(SHORT_TEXT);
    Level = "level", "level", optional(SHORT_TEXT);
    Hours = "hours", "hours", range(0, 10_000);
    ProgressionDescription = "progression_description", "description", required(SHORT_TEXT);
    Weeks = "weeks", "weeks", Rule::Typed;
    Scores = "scores", "scores", Rule::Typed;
    Score = "score", "score", range(0, 10);
    Disclosure = "disclosure", "disclosure", optional(LONG_TEXT);
    Duration = "duration", "duration in minutes", range(1, 720);
    MoodBefore = "mood_before", "mood before", range(1, 5);
    MoodAfter = "mood_after", "mood after", range(1, 5);
    AbsenceReason = "absence_reason", "absence reason", optional(LONG_TEXT);
    PrivateNotes = "private_notes", "private notes", optional(LONG_TEXT);
    Summary = "summary", "summary", optional(LONG_TEXT);
    NextSteps = "next_steps", "next steps", optional(LONG_TEXT);
    Addendum = "addendum", "addendum", required(LONG_TEXT);
    Session = "session", "session", Rule::Typed;
    Referrer = "referrer", "referrer", optional(SHORT_TEXT);
    ReferralReason = "referral_reason", "reason", optional(LONG_TEXT);
    SupervisionEnd = "supervision_end", "supervision end date", Rule::Typed;
    ConsentVersion = "consent_version", "version", required(SHORT_TEXT);
    ConsentScope = "consent_scope", "scope", required(LONG_TEXT);
    GivenBy = "given_by", "given by", required(SHORT_TEXT);
    ContactRole = "contact_role", "role", required(SHORT_TEXT);
    ContactName = "contact_name", "name", required(SHORT_TEXT);
    Phone = "phone", "phone", optional(SHORT_TEXT);
    Email = "email", "email", optional(SHORT_TEXT);
    ConcernDescription = "concern_description", "description", required(LONG_TEXT);
    Response = "response", "response", required(LONG_TEXT);
    /// A person's own name on their profile.
    DisplayName = "display_name", "name", required(SHORT_TEXT);
    DeviceName = "device_name", "device name", required(80);
    Server = "server", "server", required(SHORT_TEXT);
    EnrolmentCode = "enrolment_code", "enrolment code", required(SHORT_TEXT);
    Form = "form", "form", required(SHORT_TEXT);
    Draft = "draft", "draft", Rule::Typed;
    DocumentId = "document_id", "document id", Rule::Typed;
    /// How many days ahead a calendar export covers.
    CalendarDays = "calendar_days", "days ahead", range(1, 366);
}

/// Why a value was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Required, but empty.
    Empty,
    /// Longer than the field allows.
    TooLong { len: usize, max: usize },
    /// A number outside the field's range.
    OutOfRange { min: i64, max: i64, value: i64 },
    /// Money below zero.
    Negative,
    /// An end before its start.
    EndBeforeStart,
    /// A supervision end date before the referral date.
    BeforeReferral,
    /// Not an email address.
    NotEmail,
    /// A did-not-attend session needs a reason.
    ReasonNeeded,
    /// A sustainment check before it is due.
    NotDue { weeks: u32, due: Day },
    /// Sustainment checks are at 13 or 26 weeks.
    WeeksNot13Or26,
    /// A check-in needs at least one score.
    NoScores,
    /// The session was signed off already.
    AlreadySignedOff,
    /// A value that does not have the expected form.
    Malformed,
    /// More than the app keeps for this field (a draft).
    TooBig { max_bytes: usize },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Empty => f.write_str("cannot be empty"),
            Problem::TooLong { len, max } => {
                write!(f, "is {len} characters long; shorten it to {max} or fewer")
            }
            Problem::OutOfRange { min, max, value } => {
                write!(f, "must be between {min} and {max} (it was {value})")
            }
            Problem::Negative => f.write_str("cannot be negative: enter the amount spent in pence"),
            Problem::EndBeforeStart => f.write_str("must be after the start time"),
            Problem::BeforeReferral => f.write_str("cannot be before the referral date"),
            Problem::NotEmail => f.write_str("does not look like an email address"),
            Problem::ReasonNeeded => f.write_str(
                "cannot be empty when the participant did not attend: say why, if known, or 'not known'",
            ),
            Problem::NotDue { weeks, due } => {
                write!(f, "the {weeks}-week check is not due until {due}")
            }
            Problem::WeeksNot13Or26 => f.write_str("must be 13 or 26"),
            Problem::NoScores => f.write_str("need at least one pathway score"),
            Problem::AlreadySignedOff => f.write_str("has already been signed off"),
            Problem::Malformed => f.write_str("is not in the expected form"),
            Problem::TooBig { max_bytes } => {
                write!(f, "is too long to keep (over {} KB)", max_bytes / 1024)
            }
        }
    }
}

impl Field {
    /// Checks text against the field's rule and returns it trimmed.
    pub fn text(self, value: &str) -> Result<String, OpError> {
        let (required, max) = match self.rule() {
            Rule::Text { required, max } => (required, max),
            _ => (false, LONG_TEXT),
        };
        let v = value.trim();
        if required && v.is_empty() {
            return Err(OpError::invalid(self, Problem::Empty));
        }
        let len = v.chars().count();
        if len > max {
            return Err(OpError::invalid(self, Problem::TooLong { len, max }));
        }
        Ok(v.to_string())
    }

    /// Checks that stored text meets the field's rule exactly as an operation would have
    /// written it (trimmed, within the limits): what the server asks of pushed records.
    pub fn stored(self, value: &str) -> Result<(), OpError> {
        let checked = self.text(value)?;
        if checked != value {
            return Err(OpError::invalid(self, Problem::Malformed));
        }
        Ok(())
    }

    /// Checks a whole number against the field's range.
    pub fn number<T>(self, value: T) -> Result<T, OpError>
    where
        T: Copy + Into<i64>,
    {
        if let Rule::Range { min, max } = self.rule() {
            let v: i64 = value.into();
            if v < min || v > max {
                return Err(OpError::invalid(
                    self,
                    Problem::OutOfRange { min, max, value: v },
                ));
            }
        }
        Ok(value)
    }

    /// Money in pence: never negative, within the field's range.
    pub fn pence(self, value: i64) -> Result<i64, OpError> {
        if value < 0 {
            return Err(OpError::invalid(self, Problem::Negative));
        }
        self.number(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for f in Field::ALL {
            assert!(seen.insert(f.code()), "{}", f.code());
            assert_eq!(Field::from_code(f.code()), Some(*f));
        }
    }

    #[test]
    fn rules_refuse_with_a_problem_and_keep_trimmed_text() {
        assert_eq!(Field::GoalTitle.text("  Get a job ").unwrap(), "Get a job");
        assert_eq!(
            Field::GoalTitle.text("   ").unwrap_err(),
            OpError::invalid(Field::GoalTitle, Problem::Empty)
        );
        let long = "x".repeat(201);
        assert_eq!(
            Field::PreferredName.text(&long).unwrap_err().to_string(),
            "preferred name is 201 characters long; shorten it to 200 or fewer"
        );
        assert_eq!(
            Field::Rating.number(11u8).unwrap_err().to_string(),
            "rating must be between 0 and 10 (it was 11)"
        );
        assert!(Field::Expenses.pence(-1).is_err());
        assert!(Field::Comment.stored(" padded").is_err());
        assert!(Field::Comment.stored("").is_ok());
    }
}
