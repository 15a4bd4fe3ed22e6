//! SQL that the SQLite and PostgreSQL storage share: the condition that turns what a person
//! may hold ([`onward_core::policy::Holding`]) into a query, written once for both dialects.

use onward_core::policy::{ConcernReach, Reach};

use super::Rule;

/// Which database's SQL to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The `n`th query parameter.
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    fn boolean(self, b: bool) -> &'static str {
        match (self, b) {
            (Dialect::Sqlite, true) => "1",
            (Dialect::Sqlite, false) => "0",
            (Dialect::Postgres, true) => "TRUE",
            (Dialect::Postgres, false) => "FALSE",
        }
    }
}

/// The condition (on a table aliased `c` with `participant_id`, `kind` and `raised_by`) for
/// the documents `rule` holds within its organisation, and the value of its one parameter,
/// numbered `n`, if it needs one. The organisation itself is filtered by the caller.
pub(crate) fn holding(d: Dialect, rule: &Rule, n: usize) -> (String, Option<String>) {
    let h = rule.holding;
    let p = d.param(n);
    let user = rule.user.to_string();
    let (reach, mut param) = match h.reach {
        Reach::Organisation => (d.boolean(true).to_string(), None),
        Reach::Assigned => (
            format!(
                "c.participant_id IN (SELECT participant_id FROM assignments WHERE mentor_id = {p})"
            ),
            Some(user.clone()),
        ),
        Reach::Own(participant) => (
            format!("c.participant_id = {p}"),
            Some(participant.to_string()),
        ),
        Reach::Nobody => return (d.boolean(false).to_string(), None),
    };
    let mut kinds = Vec::new();
    for (allowed, name) in [
        (h.plan, "'plan'"),
        (h.notes, "'notes'"),
        (h.restricted, "'restricted'"),
    ] {
        if allowed {
            kinds.push(name);
        }
    }
    let mut any = Vec::new();
    if !kinds.is_empty() {
        any.push(format!("c.kind IN ({})", kinds.join(", ")));
    }
    match h.concerns {
        ConcernReach::All => any.push("c.kind = 'concern'".into()),
        ConcernReach::Raised => {
            // The parameter is the person's own id (their reach is their assignments).
            if param.is_none() {
                param = Some(user);
            }
            any.push(format!("(c.kind = 'concern' AND c.raised_by = {p})"));
        }
        ConcernReach::None => {}
    }
    if any.is_empty() {
        return (d.boolean(false).to_string(), None);
    }
    (format!("({reach}) AND ({})", any.join(" OR ")), param)
}

/// A refusal row as both databases return it, before its ids are parsed.
pub(crate) struct NoticeRow {
    pub seq: i64,
    pub at: i64,
    pub user: String,
    pub user_name: String,
    pub device: String,
    pub participant: String,
    pub kind: String,
    pub label: String,
    pub why: String,
}

impl NoticeRow {
    pub(crate) fn parse(self) -> super::Result<onward_sync::message::Notice> {
        let bad = |what: &str| {
            super::StorageError::Database(format!("a stored {what} could not be read"))
        };
        Ok(onward_sync::message::Notice {
            seq: self.seq as u64,
            at: self.at,
            user: self.user.parse().map_err(|_| bad("refusal's user"))?,
            user_name: self.user_name,
            device: self.device.parse().map_err(|_| bad("refusal's device"))?,
            participant: self
                .participant
                .parse()
                .map_err(|_| bad("refusal's participant"))?,
            kind: self.kind.parse().map_err(|_| bad("refusal's kind"))?,
            label: self.label,
            why: serde_json::from_str(&self.why).map_err(|_| bad("refusal's reason"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onward_core::ids::{ParticipantId, UserId};
    use onward_core::policy::{Actor, Holding};
    use onward_core::vocab::Role;

    fn rule(role: Role, cleared: bool) -> Rule {
        let user = UserId::new();
        let actor = Actor {
            user,
            role,
            cleared,
        };
        Rule {
            user,
            holding: Holding::of(&actor, Some(ParticipantId::new())),
        }
    }

    #[test]
    fn conditions_by_role() {
        // Written out by hand: what each role's condition must say.
        let (c, p) = holding(Dialect::Sqlite, &rule(Role::Coordinator, false), 2);
        assert_eq!(
            c,
            "(1) AND (c.kind IN ('plan', 'notes', 'restricted') OR c.kind = 'concern')"
        );
        assert!(p.is_none());
        let (c, p) = holding(Dialect::Postgres, &rule(Role::PeerMentor, true), 4);
        assert_eq!(
            c,
            "(c.participant_id IN (SELECT participant_id FROM assignments WHERE mentor_id = $4)) AND (c.kind IN ('plan', 'notes') OR (c.kind = 'concern' AND c.raised_by = $4))"
        );
        assert!(p.is_some());
        let (c, _) = holding(Dialect::Sqlite, &rule(Role::Mentor, true), 9);
        assert!(
            c.contains("'restricted'") && c.contains("c.kind = 'concern')"),
            "{c}"
        );
        let (c, _) = holding(Dialect::Sqlite, &rule(Role::Participant, false), 3);
        assert_eq!(c, "(c.participant_id = ?3) AND (c.kind IN ('plan'))");
    }
}
