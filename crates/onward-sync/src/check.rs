//! The server's check of changes a device pushes: applied to a copy of the document, every new
//! change must be signed by the pushing device, name an operation the person's role may run
//! on this kind of document, leave the document valid, and keep what may never change
//! unchanged. Nothing is stored unless all of it passes.

use onward_core::access;
use onward_core::document::{Doc, DocId, Record, author_of};
use onward_core::ids::{DeviceId, UserId};
use onward_core::model::{Notes, Plan, Restricted};
use onward_core::vocab::{DocKind, Role};

/// Who pushed the changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pusher {
    pub user: UserId,
    pub device: DeviceId,
    pub role: Role,
}

/// A push that passed: the whole document after it, and the changes that were new.
#[derive(Debug)]
pub struct Accepted {
    /// The document saved whole (for the server's store).
    pub document: Vec<u8>,
    /// Each new change, encoded on its own (for the organisation's change log). Empty when
    /// the push repeated what the server already had.
    pub changes: Vec<Vec<u8>>,
    /// Whether the push created the document.
    pub created: bool,
    /// Whether every new change is a document's first, empty change.
    pub only_creation: bool,
}

/// Why a push was refused, in words fit to show the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn refuse(why: impl Into<String>) -> Refused {
    Refused(why.into())
}

/// Checks and applies `data`, pushed by `who`, to the document `id` whose current saved form
/// is `current` (`None` if the server does not have it).
pub fn accept_push(
    id: DocId,
    current: Option<&[u8]>,
    data: &[u8],
    who: &Pusher,
) -> Result<Accepted, Refused> {
    match id.kind {
        DocKind::Plan => accept::<Plan>(id, current, data, who),
        DocKind::Notes => accept::<Notes>(id, current, data, who),
        DocKind::Restricted => accept::<Restricted>(id, current, data, who),
    }
}

fn accept<T: Record + Invariants>(
    id: DocId,
    current: Option<&[u8]>,
    data: &[u8],
    who: &Pusher,
) -> Result<Accepted, Refused> {
    let damaged = |e: onward_core::OpError| refuse(format!("the changes could not be used: {e}"));
    let (mut doc, before, before_heads) = match current {
        Some(bytes) => {
            let mut doc = Doc::<T>::load(id, bytes)
                .map_err(|_| refuse("the server's copy of this record could not be read"))?;
            let heads = doc.heads();
            let before = doc.read().clone();
            doc.apply(data).map_err(damaged)?;
            (doc, Some(before), heads)
        }
        None => (Doc::<T>::load(id, data).map_err(damaged)?, None, Vec::new()),
    };
    if !doc.automerge().get_missing_deps(&[]).is_empty() {
        return Err(refuse(
            "the changes depend on others the server has not received; the record will be fetched again",
        ));
    }
    let new_changes = doc.automerge().get_changes(&before_heads);
    for change in &new_changes {
        let author = author_of(change.actor_id());
        if author.map(|a| (a.user, a.device)) != Some((who.user, who.device)) {
            return Err(refuse(
                "the changes were not made on this tablet by this person",
            ));
        }
        let operation = change.message().unwrap_or_default();
        if operation == "create" && before.is_some() {
            return Err(refuse("this record already exists on the server"));
        }
        access::may_change(who.role, operation, id.kind).map_err(|e| refuse(e.0))?;
    }
    if let Some(before) = &before {
        T::check_change(before, doc.read(), who.role)?;
    }
    let only_creation = new_changes.iter().all(|c| c.message() == Some("create"));
    let changes = new_changes
        .into_iter()
        .map(|mut c| c.bytes().to_vec())
        .collect();
    Ok(Accepted {
        document: doc.save(),
        changes,
        created: before.is_none(),
        only_creation,
    })
}

/// What may never change in a document, whoever pushes.
trait Invariants: Sized {
    fn check_change(before: &Self, after: &Self, role: Role) -> Result<(), Refused>;
}

impl Invariants for Plan {
    fn check_change(before: &Self, after: &Self, role: Role) -> Result<(), Refused> {
        if role == Role::Participant && participant_view(before) != participant_view(after) {
            return Err(refuse(
                "a participant may tick steps, review and sign off goals, check in and write their disclosure, nothing else",
            ));
        }
        Ok(())
    }
}

/// A plan with everything a participant may change blanked out.
fn participant_view(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for goal in p.goals.values_mut() {
        goal.reviews.clear();
        goal.sign_off = None;
        for step in &mut goal.steps {
            step.done = None;
        }
    }
    p.checkins.clear();
    p.disclosure = None;
    p
}

impl Invariants for Notes {
    fn check_change(before: &Self, after: &Self, _: Role) -> Result<(), Refused> {
        let kept = before
            .revisions
            .iter()
            .all(|(k, v)| after.revisions.get(k) == Some(v))
            && before
                .sign_offs
                .iter()
                .all(|(k, v)| after.sign_offs.get(k) == Some(v))
            && before
                .addenda
                .iter()
                .all(|(k, v)| after.addenda.get(k) == Some(v));
        if kept {
            Ok(())
        } else {
            Err(refuse(
                "session records are only ever added to; correct them with an addendum",
            ))
        }
    }
}

impl Invariants for Restricted {
    fn check_change(before: &Self, after: &Self, _: Role) -> Result<(), Refused> {
        let kept = before
            .consents
            .iter()
            .all(|(k, v)| after.consents.get(k) == Some(v))
            && before
                .concerns
                .keys()
                .all(|k| after.concerns.contains_key(k));
        if kept {
            Ok(())
        } else {
            Err(refuse(
                "consent records and safeguarding concerns are never removed or rewritten",
            ))
        }
    }
}
