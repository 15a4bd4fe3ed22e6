//! The fixed vocabularies of the record: pathways, statuses, kinds. Each value has one stable
//! kebab-case name used in documents, JSON, the CLI and the query tables; words shown to people
//! live with the UI's strings, not here.

use std::fmt;
use std::str::FromStr;

/// Defines a closed vocabulary: stable string names for serde, automerge, `Display`/`FromStr`,
/// and `ALL` in declaration order.
macro_rules! vocabulary {
    ($($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ })+) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in a stable order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// The stable name.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownValue {
                        what: stringify!($name),
                        value: other.to_string(),
                        allowed: &[$($text,)+],
                    }),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_str())
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                s.parse().map_err(|_| autosurgeon::HydrateError::unexpected(stringify!($name), s.to_string()))
            }
        }
    )+};
}

vocabulary! {
    /// The nine resettlement pathways.
    Pathway {
        Employment = "employment",
        EducationTraining = "education-training",
        Volunteering = "volunteering",
        Accommodation = "accommodation",
        FinanceBenefits = "finance-benefits",
        HealthWellbeing = "health-wellbeing",
        SubstanceUse = "substance-use",
        FamilyRelationships = "family-relationships",
        AttitudesThinking = "attitudes-thinking",
    }

    /// Where a participant is in the programme.
    ParticipantStatus {
        Referred = "referred",
        Active = "active",
        Paused = "paused",
        Completed = "completed",
        Withdrawn = "withdrawn",
    }

    /// Where a goal stands.
    GoalStatus {
        Active = "active",
        Achieved = "achieved",
        Stopped = "stopped",
    }

    /// What an appointment is for.
    AppointmentKind {
        Probation = "probation",
        JobCentre = "job-centre",
        Housing = "housing",
        Health = "health",
        Court = "court",
        College = "college",
        Interview = "interview",
        Bank = "bank",
        Other = "other",
    }

    /// What happened to an appointment.
    AppointmentStatus {
        Planned = "planned",
        Attended = "attended",
        Missed = "missed",
        Rescheduled = "rescheduled",
        Cancelled = "cancelled",
    }

    /// Kinds of achievement.
    AchievementKind {
        Qualification = "qualification",
        Certificate = "certificate",
        Volunteering = "volunteering",
        WorkExperience = "work-experience",
        Course = "course",
        Job = "job",
    }

    /// Where a participant progressed to.
    ProgressionKind {
        Employment = "employment",
        Education = "education",
        Training = "training",
        Volunteering = "volunteering",
    }

    /// How a session was held.
    SessionMode {
        InPerson = "in-person",
        Phone = "phone",
        Video = "video",
        AtAppointment = "at-appointment",
    }

    /// What sort of session it was.
    SessionType {
        OneToOne = "one-to-one",
        Group = "group",
        Taster = "taster",
    }

    /// Whether the participant came.
    Attendance {
        Attended = "attended",
        Late = "late",
        DidNotAttend = "did-not-attend",
    }

    /// Roles a user can hold. Decided by the server.
    Role {
        Coordinator = "coordinator",
        Mentor = "mentor",
        PeerMentor = "peer-mentor",
        Participant = "participant",
    }

    /// Where a referral came from.
    ReferralSource {
        Probation = "probation",
        Prison = "prison",
        SelfReferral = "self-referral",
        Community = "community",
        Other = "other",
    }

    /// Risk level as given by the referrer.
    RiskLevel {
        NotGiven = "not-given",
        Low = "low",
        Medium = "medium",
        High = "high",
        VeryHigh = "very-high",
    }

    /// Kinds of safeguarding concern.
    ConcernCategory {
        RiskToSelf = "risk-to-self",
        RiskToOthers = "risk-to-others",
        Abuse = "abuse",
        Exploitation = "exploitation",
        Housing = "housing",
        Health = "health",
        Other = "other",
    }

    /// How soon a concern needs a response.
    Urgency {
        Low = "low",
        Medium = "medium",
        High = "high",
        Immediate = "immediate",
    }

    /// A figure of the coordinator's overview whose list can be opened.
    OverviewFigure {
        /// Participants no mentor is assigned to.
        WaitingForMentor = "waiting-for-mentor",
        /// Active goals whose review date has passed.
        ReviewsOverdue = "reviews-overdue",
        /// This week's appointments.
        AppointmentsThisWeek = "appointments-this-week",
        /// This month's sessions.
        SessionsThisMonth = "sessions-this-month",
    }

    /// Where a concern stands.
    ConcernStatus {
        Open = "open",
        Acknowledged = "acknowledged",
        Closed = "closed",
    }

    /// The kinds of document a participant's record is made of; access is granted per
    /// document. Each participant has one Plan, Notes and Restricted document, and one
    /// Concern document per safeguarding concern raised.
    DocKind {
        Plan = "plan",
        Notes = "notes",
        Restricted = "restricted",
        Concern = "concern",
    }
}

/// A value outside a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what}: use one of {}", allowed.join(", "))]
pub struct UnknownValue {
    what: &'static str,
    value: String,
    allowed: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for p in Pathway::ALL {
            assert_eq!(p.as_str().parse::<Pathway>().unwrap(), *p);
        }
        let err = "jobcentre"
            .parse::<AppointmentKind>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("job-centre"), "{err}");
        assert_eq!(
            serde_json::to_string(&SessionMode::InPerson).unwrap(),
            "\"in-person\""
        );
    }
}
