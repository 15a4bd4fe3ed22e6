//! What each role may do on this device. The server decides roles and checks every change
//! again (DESIGN.md); this is the device's own check, so a tablet handed to a participant, or
//! used by a peer mentor, never shows or changes what that person may not.

use onward_api::{ApiError, Request};
use onward_core::vocab::Role;

/// Commands a participant may run on their own plan.
const PARTICIPANT_COMMANDS: &[&str] = &[
    "tick_step",
    "review_goal",
    "sign_off_goal",
    "record_checkin",
    "save_disclosure",
];

/// Commands that read or write restricted information (referral, consent, contacts,
/// responses to concerns). Raising a concern is not among them: anyone may raise one.
const RESTRICTED_COMMANDS: &[&str] = &[
    "record_referral",
    "record_consent",
    "add_key_contact",
    "respond_to_concern",
];

/// Commands only coordinators may run.
const COORDINATOR_COMMANDS: &[&str] = &["respond_to_concern"];

/// Whether `role` may run the request `R`.
pub(crate) fn check<R: Request>(role: Role) -> Result<(), ApiError> {
    check_name(role, R::NAME, R::CHANGES)
}

pub(crate) fn check_name(role: Role, name: &str, changes: bool) -> Result<(), ApiError> {
    let allowed = match role {
        Role::Coordinator => true,
        Role::Mentor => !COORDINATOR_COMMANDS.contains(&name),
        Role::PeerMentor => !RESTRICTED_COMMANDS.contains(&name),
        Role::Participant => {
            !changes && !matches!(name, "history" | "export" | "today" | "status")
                || PARTICIPANT_COMMANDS.contains(&name)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(match role {
            Role::Participant => "this is not available while the tablet is handed over",
            Role::PeerMentor => {
                "peer mentors cannot see or change restricted information; ask your coordinator"
            }
            _ => "only a coordinator can do this",
        }))
    }
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

    #[test]
    fn roles_are_limited_to_their_commands() {
        for name in onward_api::REQUEST_NAMES {
            let changes = onward_api::changes(name);
            assert!(
                check_name(Role::Coordinator, name, changes).is_ok(),
                "{name}"
            );
            if RESTRICTED_COMMANDS.contains(name) {
                assert!(
                    check_name(Role::PeerMentor, name, changes).is_err(),
                    "{name}"
                );
            }
            if changes && !PARTICIPANT_COMMANDS.contains(name) {
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
