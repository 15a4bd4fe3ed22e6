//! Who may do what: the one role matrix that the device (before a command runs) and the
//! server (before it stores a change from a device) both apply. Operations are named as the
//! commands that run them and as the commit messages of the changes they make.

use crate::vocab::{DocKind, Role};

/// Operations a participant may run on their own plan while the tablet is handed to them.
pub const PARTICIPANT_OPERATIONS: &[&str] = &[
    "tick_step",
    "review_goal",
    "sign_off_goal",
    "record_checkin",
    "save_disclosure",
];

/// Operations that read or write restricted information. Raising a concern is not among them:
/// anyone who works with a participant may raise one.
pub const RESTRICTED_OPERATIONS: &[&str] = &[
    "record_referral",
    "record_consent",
    "add_key_contact",
    "respond_to_concern",
];

/// Operations only coordinators may run.
pub const COORDINATOR_OPERATIONS: &[&str] = &["respond_to_concern"];

/// Every operation that changes a document, with the documents its changes may touch.
/// `create` is the first change of every document.
pub const OPERATIONS: &[(&str, &[DocKind])] = &[
    (
        "create",
        &[DocKind::Plan, DocKind::Notes, DocKind::Restricted],
    ),
    ("update_profile", &[DocKind::Plan]),
    ("add_goal", &[DocKind::Plan]),
    ("update_goal", &[DocKind::Plan]),
    ("add_step", &[DocKind::Plan]),
    ("tick_step", &[DocKind::Plan]),
    ("review_goal", &[DocKind::Plan]),
    ("sign_off_goal", &[DocKind::Plan]),
    ("plan_appointment", &[DocKind::Plan]),
    ("record_appointment_outcome", &[DocKind::Plan]),
    ("complete_follow_up", &[DocKind::Plan]),
    ("record_achievement", &[DocKind::Plan]),
    ("record_progression", &[DocKind::Plan]),
    ("check_sustained", &[DocKind::Plan]),
    ("record_checkin", &[DocKind::Plan]),
    ("save_disclosure", &[DocKind::Plan]),
    ("log_session", &[DocKind::Notes, DocKind::Plan]),
    ("edit_session", &[DocKind::Notes, DocKind::Plan]),
    ("sign_off_session", &[DocKind::Notes]),
    ("add_addendum", &[DocKind::Notes]),
    ("record_referral", &[DocKind::Restricted]),
    ("record_consent", &[DocKind::Restricted]),
    ("add_key_contact", &[DocKind::Restricted]),
    ("raise_concern", &[DocKind::Restricted]),
    ("respond_to_concern", &[DocKind::Restricted]),
];

/// Why something was refused, in words fit to show the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub &'static str);

/// Whether `role` may run the request or operation `name` (`changes`: whether it writes).
pub fn may_run(role: Role, name: &str, changes: bool) -> Result<(), Refused> {
    let allowed = match role {
        Role::Coordinator => true,
        Role::Mentor => !COORDINATOR_OPERATIONS.contains(&name),
        Role::PeerMentor => !RESTRICTED_OPERATIONS.contains(&name),
        Role::Participant => {
            !changes && !matches!(name, "history" | "export" | "today" | "status")
                || PARTICIPANT_OPERATIONS.contains(&name)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Refused(match role {
            Role::Participant => "this is not available while the tablet is handed over",
            Role::PeerMentor => {
                "peer mentors cannot see or change restricted information; ask your coordinator"
            }
            _ => "only a coordinator can do this",
        }))
    }
}

/// Which documents a person in `role` may hold. Mentors hold a participant's Restricted
/// document only with clearance; peer mentors and participants never do, and participants
/// hold only their own Plan.
pub fn may_hold(role: Role, cleared: bool, kind: DocKind) -> bool {
    match kind {
        DocKind::Plan => true,
        DocKind::Notes => role.may_see_notes(),
        DocKind::Restricted => match role {
            Role::Coordinator => true,
            Role::Mentor => cleared,
            Role::PeerMentor | Role::Participant => false,
        },
    }
}

/// Whether a change named `operation`, made by someone in `role`, may touch a `kind`
/// document. Unknown operation names are refused.
pub fn may_change(role: Role, operation: &str, kind: DocKind) -> Result<(), Refused> {
    let Some((_, kinds)) = OPERATIONS.iter().find(|(name, _)| *name == operation) else {
        return Err(Refused(
            "the change names an operation this server does not know",
        ));
    };
    if !kinds.contains(&kind) {
        return Err(Refused(
            "the change touches a document its operation never writes",
        ));
    }
    if operation == "create" {
        return if role == Role::Participant {
            Err(Refused("a participant cannot create records"))
        } else {
            Ok(())
        };
    }
    may_run(role, operation, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_is_limited_to_its_operations() {
        for (op, kinds) in OPERATIONS {
            for kind in *kinds {
                assert!(may_change(Role::Coordinator, op, *kind).is_ok(), "{op}");
                let participant = may_change(Role::Participant, op, *kind).is_ok();
                assert_eq!(participant, PARTICIPANT_OPERATIONS.contains(op), "{op}");
                if RESTRICTED_OPERATIONS.contains(op) {
                    assert!(may_change(Role::PeerMentor, op, *kind).is_err(), "{op}");
                }
            }
        }
        assert!(may_change(Role::Mentor, "respond_to_concern", DocKind::Restricted).is_err());
        assert!(may_change(Role::Mentor, "add_goal", DocKind::Notes).is_err());
        assert!(may_change(Role::Mentor, "drop_tables", DocKind::Plan).is_err());
        assert!(!may_hold(Role::PeerMentor, true, DocKind::Restricted));
        assert!(!may_hold(Role::Mentor, false, DocKind::Restricted));
        assert!(may_hold(Role::Mentor, true, DocKind::Restricted));
        assert!(!may_hold(Role::Participant, true, DocKind::Notes));
    }
}
