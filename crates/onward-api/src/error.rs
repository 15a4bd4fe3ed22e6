//! The error a person sees: a kind the UI can act on and a message written for people.

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
    /// The field at fault, for invalid input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
        }
    }

    /// Invalid input in `field`.
    pub fn invalid(field: &str, problem: &str) -> Self {
        Self {
            kind: ErrorKind::Invalid,
            message: format!("{field} {problem}"),
            field: Some(field.to_string()),
        }
    }

    /// Not allowed for this user.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
}

impl From<onward_core::OpError> for ApiError {
    fn from(e: onward_core::OpError) -> Self {
        use onward_core::OpError as E;
        let kind = match &e {
            E::Invalid { .. } => ErrorKind::Invalid,
            E::NotFound(_) => ErrorKind::NotFound,
            E::SignedOff => ErrorKind::Conflict,
            E::NewerSchema { .. } | E::WrongKind { .. } | E::Corrupt(_) => ErrorKind::Storage,
        };
        Self {
            kind,
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }
}
