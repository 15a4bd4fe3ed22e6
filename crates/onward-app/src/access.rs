//! What the signed-in person may do on this device: the rules are `onward_core::policy`, the
//! same ones the server applies to every change it receives; this is the device's own check,
//! so a tablet used by a peer mentor, or handed to a participant, never shows or changes what
//! that person may not.

use onward_api::{ApiError, Identity, Request};
use onward_core::policy::Actor;

/// The signed-in person as the rules see them.
pub(crate) fn actor(me: &Identity) -> Actor {
    me.actor()
}

/// Whether the signed-in person may make the request `R`.
pub(crate) fn check<R: Request>(me: &Identity) -> Result<(), ApiError> {
    R::ACCESS.permits(&actor(me)).map_err(ApiError::from)
}
