//! What each role may do on this device. The matrix lives in `onward_core::access`, where the
//! server applies it again to every change it receives; this is the device's own check, so a
//! tablet handed to a participant, or used by a peer mentor, never shows or changes what that
//! person may not.

use onward_api::{ApiError, Request};
use onward_core::vocab::Role;

/// Whether `role` may run the request `R`.
pub(crate) fn check<R: Request>(role: Role) -> Result<(), ApiError> {
    check_name(role, R::NAME, R::CHANGES)
}

pub(crate) fn check_name(role: Role, name: &str, changes: bool) -> Result<(), ApiError> {
    onward_core::access::may_run(role, name, changes).map_err(|e| ApiError::forbidden(e.0))
}

/// Whether `role` may read the Notes document.
pub(crate) fn sees_notes(role: Role) -> bool {
    role.may_see_notes()
}

/// Whether `role` may read the Restricted document.
pub(crate) fn sees_restricted(role: Role) -> bool {
    role.may_see_restricted()
}

#[cfg(test)]
mod tests {
    use super::*;
    use onward_core::access::{PARTICIPANT_OPERATIONS, RESTRICTED_OPERATIONS};

    #[test]
    fn roles_are_limited_to_their_commands() {
        for name in onward_api::REQUEST_NAMES {
            let changes = onward_api::changes(name);
            assert!(
                check_name(Role::Coordinator, name, changes).is_ok(),
                "{name}"
            );
            if RESTRICTED_OPERATIONS.contains(name) {
                assert!(
                    check_name(Role::PeerMentor, name, changes).is_err(),
                    "{name}"
                );
            }
            if changes && !PARTICIPANT_OPERATIONS.contains(name) {
                assert!(
                    check_name(Role::Participant, name, changes).is_err(),
                    "{name}"
                );
            }
        }
        assert!(check_name(Role::PeerMentor, "raise_concern", true).is_ok());
        assert!(check_name(Role::Mentor, "respond_to_concern", true).is_err());
        assert!(check_name(Role::Participant, "tick_step", true).is_ok());
        assert!(check_name(Role::Participant, "export", false).is_err());
    }
}
