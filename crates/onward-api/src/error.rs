//! The error a person sees: a kind the UI can act on and a message written for people.

use onward_core::OpError;
use onward_core::policy::Refused;
use onward_core::validate::{Field, Problem};
use serde::{Deserialize, Serialize};

/// What sort of failure it was, for the UI to decide what to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A value typed in is not acceptable; `field` says which.
    Invalid,
    /// The record is not on this device.
    NotFound,
    /// The signed-in user may not do this.
    Forbidden,
    /// The record cannot change this way (for example a signed-off session).
    Conflict,
    /// The data on this device could not be read or written.
    Storage,
    /// The request was not understood (unknown command, malformed arguments).
    BadRequest,
    /// The office's server did not accept a change recorded on this device.
    Refused,
    /// The charity's server could not be reached: no signal, it took too long to answer, or
    /// the address answered but not as an Onward server. Nothing is lost; try again later.
    Offline,
    /// The server refused because of too many attempts: wait a few minutes, then try again.
    RateLimited,
    /// This tablet is not enrolled with a server (or the server no longer knows it): set it
    /// up with the address and code from the coordinator.
    NotEnrolled,
}

/// A failed request. Nothing was changed. The message is fit to show a person and never
/// contains record contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// The field at fault, for invalid input: its stable code (`preferred_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What was wrong with the field's value, for the UI to say in its own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
    /// A finer stable code where the kind has several causes (`signed_off`, a refusal's
    /// code), for the UI to choose its words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl ApiError {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            problem: None,
            code: None,
        }
    }

    /// Invalid input in `field`, described in words only.
    pub fn invalid(field: &str, problem: &str) -> Self {
        Self {
            field: Some(field.to_string()),
            ..Self::new(ErrorKind::Invalid, format!("{field} {problem}"))
        }
    }

    /// Invalid input in a known field, with a typed problem the UI can put in its own words.
    pub fn field(field: Field, problem: Problem) -> Self {
        OpError::invalid(field, problem).into()
    }

    /// With a finer stable code.
    pub fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_string());
        self
    }

    /// Not allowed for this user.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
}

impl From<OpError> for ApiError {
    fn from(e: OpError) -> Self {
        let kind = match &e {
            OpError::Invalid { .. } => ErrorKind::Invalid,
            OpError::NotFound(_) => ErrorKind::NotFound,
            OpError::SignedOff => ErrorKind::Conflict,
            OpError::NewerSchema { .. } | OpError::WrongKind { .. } | OpError::Corrupt(_) => {
                ErrorKind::Storage
            }
        };
        Self {
            kind,
            message: e.to_string(),
            field: e.field().map(|f| f.code().to_string()),
            problem: match &e {
                OpError::Invalid { problem, .. } => Some(problem.clone()),
                _ => None,
            },
            code: Some(e.code().to_string()),
        }
    }
}

impl From<Refused> for ApiError {
    /// A request the rules refuse on this device (the office refuses changes separately).
    fn from(e: Refused) -> Self {
        let kind = match &e {
            Refused::Invalid { .. } => ErrorKind::Invalid,
            Refused::SignedOff | Refused::AlreadySignedOff => ErrorKind::Conflict,
            _ => ErrorKind::Forbidden,
        };
        let (field, problem) = match &e {
            Refused::Invalid { field, problem } => {
                (Some(field.code().to_string()), Some(problem.clone()))
            }
            _ => (None, None),
        };
        Self {
            kind,
            message: e.to_string(),
            field,
            problem,
            code: Some(e.code().to_string()),
        }
    }
}
