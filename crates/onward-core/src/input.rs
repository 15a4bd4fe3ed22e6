//! What a person fills in for each operation. These are the payloads of the app core's
//! commands (shared with the UI and the CLI, which derives its flags from them with the
//! `clap` feature). Validation lives with the operations, in `ops`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::time::{Day, Timestamp};
use crate::vocab::*;

/// Declares input structs: serde, and with the `clap` feature a `--flag` per field whose help
/// is the field's doc comment.
macro_rules! inputs {
    ($($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident : $ty:ty,)* })+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "clap", derive(clap::Args))]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[cfg_attr(feature = "clap", arg(long))]
                pub $field: $ty,
            )*
        }
    )+};
}

inputs! {
    /// A new participant (for example a referral met in the community).
    pub struct NewParticipant {
        /// The name they want to be called.
        pub preferred_name: String,
        /// The programme they are on.
        pub programme: String,
        /// Pathways to work on (repeat the flag for several).
        #[serde(default)]
        pub pathways: Vec<Pathway>,
    }

    /// Changes to a participant's profile; absent fields stay as they are.
    pub struct ProfileChange {
        pub preferred_name: Option<String>,
        pub programme: Option<String>,
        pub status: Option<ParticipantStatus>,
        /// Replace the pathways (leave empty to keep them).
        #[serde(default)]
        pub pathways: Vec<Pathway>,
    }

    /// A new goal, titled in the participant's words.
    pub struct NewGoal {
        pub title: String,
        pub pathway: Pathway,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub why_it_matters: String,
        pub target_date: Option<Day>,
        pub review_due: Option<Day>,
    }

    /// Changes to a goal; absent fields stay as they are.
    pub struct GoalChange {
        pub goal: GoalId,
        pub title: Option<String>,
        pub why_it_matters: Option<String>,
        pub target_date: Option<Day>,
        pub review_due: Option<Day>,
        pub status: Option<GoalStatus>,
    }

    /// A new step towards a goal.
    pub struct NewStep {
        pub goal: GoalId,
        pub text: String,
        /// Who will do it, in plain words.
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub by_whom: String,
        pub due: Option<Day>,
    }

    /// Tick (or untick) a step.
    pub struct StepTick {
        pub goal: GoalId,
        pub step: StepId,
        /// Done (omit to mark as not done).
        #[serde(default)]
        pub done: bool,
    }

    /// A progress review of a goal.
    pub struct NewReview {
        pub goal: GoalId,
        /// How it is going, 0 (not at all) to 10 (done).
        pub rating: u8,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub comment: String,
        /// When to review next.
        pub next_review: Option<Day>,
    }

    /// The participant signs off a goal as theirs.
    pub struct GoalSignOff {
        pub goal: GoalId,
    }

    /// Plan an appointment.
    pub struct NewAppointment {
        pub starts_at: Timestamp,
        pub ends_at: Option<Timestamp>,
        pub kind: AppointmentKind,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub with_whom: String,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub location: String,
        /// A reminder will be sent.
        #[serde(default)]
        pub reminder: bool,
        /// Travel has been arranged.
        #[serde(default)]
        pub travel_arranged: bool,
        /// The mentor going with them.
        pub accompanied_by: Option<UserId>,
    }

    /// What happened at an appointment.
    pub struct AppointmentOutcome {
        pub appointment: AppointmentId,
        pub status: AppointmentStatus,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub outcome: String,
        /// "I went with them": records the signed-in mentor as accompanying.
        #[serde(default)]
        pub went_with_them: bool,
        pub follow_up: Option<String>,
        pub follow_up_due: Option<Day>,
        /// Travel expenses in pence.
        pub expenses_pence: Option<i64>,
    }

    /// Mark an appointment's follow-up as done.
    pub struct FollowUpDone {
        pub appointment: AppointmentId,
    }

    /// Record an achievement.
    pub struct NewAchievement {
        pub kind: AchievementKind,
        pub title: String,
        pub date: Day,
        /// Awarding body or organisation.
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub organisation: String,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub level: String,
        /// A certificate was issued.
        #[serde(default)]
        pub certificate: bool,
        pub hours: Option<u32>,
    }

    /// Record a progression into work, education, training or volunteering.
    pub struct NewProgression {
        pub kind: ProgressionKind,
        pub description: String,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub organisation: String,
        pub start_date: Day,
    }

    /// Record a 13- or 26-week sustainment check.
    pub struct SustainedCheck {
        pub progression: ProgressionId,
        /// 13 or 26.
        pub weeks: u32,
        /// Still in it (omit for no).
        #[serde(default)]
        pub sustained: bool,
    }

    /// A self-assessment check-in.
    pub struct NewCheckIn {
        /// Scores such as employment=6 (repeat for each pathway).
        pub scores: Vec<PathwayScore>,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub comment: String,
    }

    /// The participant's disclosure-statement draft.
    pub struct DisclosureText {
        pub text: String,
    }

    /// Log a session.
    pub struct NewSession {
        pub started_at: Timestamp,
        pub duration_minutes: u32,
        pub mode: SessionMode,
        pub session_type: SessionType,
        pub attendance: Attendance,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub absence_reason: String,
        #[serde(default)]
        pub topics: Vec<Pathway>,
        pub mood_before: Option<u8>,
        pub mood_after: Option<u8>,
        /// Shared with the participant.
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub summary: String,
        /// Agreed next steps, shared with the participant.
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub next_steps: String,
        /// Private to mentors and coordinators.
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub private_notes: String,
    }

    /// Edit a session before sign-off; absent fields stay as they are.
    pub struct SessionEdit {
        pub session: SessionId,
        pub started_at: Option<Timestamp>,
        pub duration_minutes: Option<u32>,
        pub mode: Option<SessionMode>,
        pub session_type: Option<SessionType>,
        pub attendance: Option<Attendance>,
        pub absence_reason: Option<String>,
        pub mood_before: Option<u8>,
        pub mood_after: Option<u8>,
        pub summary: Option<String>,
        pub next_steps: Option<String>,
        pub private_notes: Option<String>,
    }

    /// Sign off a session.
    pub struct SessionSignOff {
        pub session: SessionId,
    }

    /// Add a correction or addition to a session.
    pub struct NewAddendum {
        pub session: SessionId,
        pub text: String,
    }

    /// Record the referral.
    pub struct NewReferral {
        pub source: ReferralSource,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub referrer: String,
        pub date: Day,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub reason: String,
        pub supervision_end: Option<Day>,
        pub risk_level: RiskLevel,
    }

    /// Record consent given or withdrawn.
    pub struct NewConsent {
        pub version: String,
        pub scope: String,
        /// Consent given (omit for withdrawn).
        #[serde(default)]
        pub given: bool,
        pub given_by: String,
    }

    /// Add a key contact.
    pub struct NewContact {
        pub role: String,
        pub name: String,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub organisation: String,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub phone: String,
        #[serde(default)]
        #[cfg_attr(feature = "clap", arg(default_value = ""))]
        pub email: String,
    }

    /// Raise a safeguarding concern.
    pub struct NewConcern {
        pub category: ConcernCategory,
        pub urgency: Urgency,
        pub description: String,
    }

    /// A coordinator's response to a concern.
    pub struct ConcernReply {
        pub concern: ConcernId,
        pub text: String,
        pub status: ConcernStatus,
    }
}

impl NewSession {
    /// An attended one-to-one in person, with nothing else filled in: set what else applies.
    pub fn attended(started_at: Timestamp, duration_minutes: u32) -> Self {
        Self {
            started_at,
            duration_minutes,
            mode: SessionMode::InPerson,
            session_type: SessionType::OneToOne,
            attendance: Attendance::Attended,
            absence_reason: String::new(),
            topics: Vec::new(),
            mood_before: None,
            mood_after: None,
            summary: String::new(),
            next_steps: String::new(),
            private_notes: String::new(),
        }
    }
}

impl GoalChange {
    /// A change of `goal`'s status and nothing else (marking it achieved, say).
    pub fn status(goal: GoalId, status: GoalStatus) -> Self {
        Self {
            goal,
            title: None,
            why_it_matters: None,
            target_date: None,
            review_due: None,
            status: Some(status),
        }
    }
}

impl SessionEdit {
    /// An edit of `session` that changes nothing yet: set the fields to change.
    pub fn of(session: SessionId) -> Self {
        Self {
            session,
            started_at: None,
            duration_minutes: None,
            mode: None,
            session_type: None,
            attendance: None,
            absence_reason: None,
            mood_before: None,
            mood_after: None,
            summary: None,
            next_steps: None,
            private_notes: None,
        }
    }
}

/// A self-assessment score for one pathway, written `employment=6` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayScore {
    pub pathway: Pathway,
    pub score: u8,
}

impl FromStr for PathwayScore {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (p, n) = s.split_once('=').ok_or_else(|| {
            format!("'{s}' is not a score: write it as pathway=score, e.g. employment=6")
        })?;
        let pathway = p.parse::<Pathway>().map_err(|e| e.to_string())?;
        let score = n
            .trim()
            .parse::<u8>()
            .map_err(|_| format!("'{n}' is not a score from 0 to 10"))?;
        Ok(Self { pathway, score })
    }
}

impl fmt::Display for PathwayScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.pathway, self.score)
    }
}
