//! The app core's typed commands and queries. Every shell (Tauri, the browser shell, the CLI)
//! and the UI speak these types: a request names itself with [`Request::NAME`] and says what it
//! returns with [`Request::Response`]; [`dispatch`] routes a request given by name and JSON to
//! a [`Handle`] implementation (the app core).
//!
//! ```
//! use onward_api::{Request, LogSession};
//! assert_eq!(LogSession::NAME, "log_session");
//! let e = onward_api::ApiError::invalid("duration in minutes", "must be between 1 and 720 (it was 0)");
//! assert_eq!(e.to_string(), "duration in minutes must be between 1 and 720 (it was 0)");
//! ```

mod error;
mod requests;

pub use error::{ApiError, ErrorKind};
pub use requests::*;

/// The core's types that requests carry, re-exported so the UI needs only this crate.
pub use onward_core::{
    OpError, chart, export, ids, input, model, overview, policy, reports, time, validate, views,
    vocab,
};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A command or query of the app core.
pub trait Request: Serialize + DeserializeOwned {
    /// The stable wire name (`log_session`), used in URLs and IPC.
    const NAME: &'static str;
    /// What the request does, for the rules in `onward_core::policy`: the app core checks
    /// it before running the request.
    const ACCESS: onward_core::policy::Access;
    /// Whether the request changes data (and so must be durable before it returns).
    const CHANGES: bool;
    /// What a successful call returns.
    type Response: Serialize + DeserializeOwned;
}

/// Something that answers a request: the app core implements it for every request.
pub trait Handle<R: Request> {
    fn handle(&mut self, request: R) -> Result<R::Response, ApiError>;
}
