//! Identifier newtypes. Every record and actor in Onward is named by a UUID v7, so ids sort by
//! creation time and never collide between devices that create records offline.

use std::fmt;
use std::str::FromStr;

/// Defines a UUID v7 newtype with serde (as a string), `Display`, `FromStr` and the automerge
/// mapping (also as a string, so documents and exports read the same).
macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
            /// The id as a `Uuid`.
            pub fn uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self(uuid::Uuid::nil())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdParseError {
                    kind: stringify!($name),
                })
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.to_string())
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                s.parse().map_err(|_| autosurgeon::HydrateError::unexpected("an id", s.to_string()))
            }
        }
    )+};
}

id_type! {
    /// A person supported by the charity.
    ParticipantId;
    /// A person who signs in: mentor, peer mentor, coordinator or participant.
    UserId;
    /// One enrolled tablet or laptop.
    DeviceId;
    /// A coordinator's order to the office (assign a mentor, …), answered once.
    CommandId;
    /// A goal in a participant's plan.
    GoalId;
    /// A step towards a goal.
    StepId;
    /// A progress review of a goal.
    ReviewId;
    /// An appointment (job centre, probation, housing, …).
    AppointmentId;
    /// A qualification, certificate, placement, course or job.
    AchievementId;
    /// A move into employment, education, training or volunteering.
    ProgressionId;
    /// A self-assessment check-in.
    CheckInId;
    /// A mentoring session.
    SessionId;
    /// One revision of a session record before sign-off.
    RevisionId;
    /// A sign-off of a session record.
    SignOffId;
    /// A correction or addition to a session record.
    AddendumId;
    /// A consent record.
    ConsentId;
    /// A key contact such as a case manager.
    ContactId;
    /// A safeguarding concern.
    ConcernId;
    /// A coordinator's response to a concern.
    ResponseId;
}

/// A string that is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind}: expected a UUID such as 0190a0c2-7b5e-7c3d-9f0a-1b2c3d4e5f60")]
pub struct IdParseError {
    kind: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings_and_are_time_ordered() {
        let a = GoalId::new();
        let b = GoalId::new();
        assert!(a < b, "v7 ids sort by creation");
        assert_eq!(a.to_string().parse::<GoalId>().unwrap(), a);
        assert!("not-an-id".parse::<GoalId>().is_err());
        assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{a}\""));
    }
}
