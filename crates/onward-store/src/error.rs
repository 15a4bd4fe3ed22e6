//! The store's error: what went wrong with the data on this device, in words a person can act on.

use onward_core::OpError;
use onward_core::document::DocId;
use rusqlite::ErrorCode;

/// Why the store could not do what was asked. A failed write changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Wrong key, or a file damaged so badly its header cannot be read.
    #[error(
        "could not unlock the data on this device: the key is wrong or the file is damaged. Check the PIN; if it is right, the office copy can be restored by enrolling this device again"
    )]
    CannotUnlock,
    /// The file is not one of ours.
    #[error("this file is not an Onward store: choose another data folder")]
    NotOnward,
    /// The file was written by a newer version.
    #[error(
        "this data was written by a newer version of Onward (store version {found}); update the app"
    )]
    NewerVersion { found: usize },
    /// Part of the file is damaged.
    #[error("the data on this device is damaged ({0}); sync with the office to restore it")]
    Damaged(String),
    /// A key that is not 64 hex digits.
    #[error("the store key must be 64 hexadecimal digits (32 bytes)")]
    BadKey,
    /// Changes for a document that is not stored.
    #[error("document {0} is not on this device")]
    MissingDocument(DocId),
    /// A sync round would have deleted changes not yet sent (a bug: they must be held first).
    #[error(
        "changes to {0} have not reached the office yet and would have been lost; nothing was changed"
    )]
    Unsaved(DocId),
    /// A stored document could not be read.
    #[error(transparent)]
    Document(#[from] OpError),
    /// Anything else SQLite reports (disk full, permissions).
    #[error("the data on this device could not be read or written: {0}")]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    pub(crate) fn from_open(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::CannotUnlock,
            Some(ErrorCode::DatabaseCorrupt) => StoreError::CannotUnlock,
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Damaged(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        StoreError::Damaged(e.to_string())
    }
}
