//! The error every operation returns. Messages are lowercase, say what went wrong in plain
//! words and what to do next; they never contain the record's contents.

use crate::validate::{Field, Problem};

/// Why an operation was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// An input value is not acceptable.
    #[error("{} {problem}", field.name())]
    Invalid { field: Field, problem: Problem },
    /// The record named does not exist in this document.
    #[error("{0} not found: it may have been removed, or not reached this device yet")]
    NotFound(&'static str),
    /// A signed-off session cannot be edited.
    #[error(
        "this session has been signed off and can no longer be edited: add an addendum instead"
    )]
    SignedOff,
    /// The document was written by a newer version of Onward.
    #[error(
        "this record was written by a newer version of Onward (schema {found}); update the app to open it"
    )]
    NewerSchema { found: u64 },
    /// The document is not of the kind expected.
    #[error("this is a {found} document, not a {expected} document")]
    WrongKind {
        expected: &'static str,
        found: String,
    },
    /// The document's bytes or structure could not be read.
    #[error("the record could not be read ({0}); it may be damaged")]
    Corrupt(String),
}

impl OpError {
    /// An invalid value for `field`.
    pub fn invalid(field: Field, problem: Problem) -> Self {
        OpError::Invalid { field, problem }
    }

    /// The field at fault, when the error is about one field.
    pub fn field(&self) -> Option<Field> {
        match self {
            OpError::Invalid { field, .. } => Some(*field),
            _ => None,
        }
    }

    /// The stable code of this error, for the UI to choose its words.
    pub fn code(&self) -> &'static str {
        match self {
            OpError::Invalid { .. } => "invalid",
            OpError::NotFound(_) => "not_found",
            OpError::SignedOff => "signed_off",
            OpError::NewerSchema { .. } => "newer_schema",
            OpError::WrongKind { .. } => "wrong_kind",
            OpError::Corrupt(_) => "corrupt",
        }
    }
}

impl From<automerge::AutomergeError> for OpError {
    fn from(e: automerge::AutomergeError) -> Self {
        OpError::Corrupt(e.to_string())
    }
}

impl From<autosurgeon::HydrateError> for OpError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        OpError::Corrupt(e.to_string())
    }
}

impl From<autosurgeon::ReconcileError> for OpError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        OpError::Corrupt(e.to_string())
    }
}
