//! Nothing a person records is silently deleted. When the office does not accept a change
//! (or can no longer accept it, because the participant left this caseload before it was
//! sent), the change is moved out of the outbox into a table of its own, with the reason and
//! what it recorded, and stays listed until a person says they have dealt with it.

use onward_api::{ApiError, NotAcceptedChange, OfficeNotice, RecordedPart};
use onward_core::document::{Doc, Record};
use onward_core::judge::label_fits;
use onward_core::model::{Notes, Plan, Restricted, Safeguarding};
use onward_core::policy::{Operation, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::DocKind;
use onward_store::{Held, OutboxEntry, Store};
use onward_sync::check::changes_in;
use onward_sync::message::Notice;

use crate::{App, storage};

/// The operation a change's label names, if any.
pub(crate) fn operation_of(label: &str) -> Option<Operation> {
    let all = Operation::ALL.iter().copied();
    all.clone()
        .find(|o| o.label() == label)
        .or_else(|| all.clone().find(|o| label_fits(*o, label)))
}

/// What the changes of `entry` recorded, read from the document as this device holds it.
fn recorded<T: Record>(store: &Store, entry: &OutboxEntry) -> Vec<RecordedPart> {
    let Ok(Some(mut doc)) = store.load_doc::<T>(entry.doc) else {
        return Vec::new();
    };
    described(&mut doc, &entry.data)
}

fn described<T: Record>(doc: &mut Doc<T>, data: &[u8]) -> Vec<RecordedPart> {
    changes_in(data)
        .iter()
        .filter_map(|c| doc.written_by(c).ok())
        .flatten()
        .map(|(part, value)| RecordedPart { part, value })
        .collect()
}

/// Holds `entries` of one document (oldest first): the first with `why`, the ones after it
/// because they were made on top of it.
pub(crate) fn hold(
    store: &Store,
    entries: &[OutboxEntry],
    why: &Refused,
    held: &mut Vec<Held>,
) -> Result<(), ApiError> {
    let Some(first) = entries.first() else {
        return Ok(());
    };
    let preferred_name = store
        .load::<Plan>(first.doc.participant)
        .ok()
        .flatten()
        .map(|p| p.read().profile.preferred_name.clone())
        .unwrap_or_default();
    for (i, e) in entries.iter().enumerate() {
        let parts = match e.doc.kind {
            DocKind::Plan => recorded::<Plan>(store, e),
            DocKind::Notes => recorded::<Notes>(store, e),
            DocKind::Restricted => recorded::<Restricted>(store, e),
            DocKind::Concern => recorded::<Safeguarding>(store, e),
        };
        let reason = if i == 0 {
            why.clone()
        } else {
            Refused::MissingDeps
        };
        held.push(Held {
            entry: Some(e.entry),
            doc: e.doc,
            preferred_name: preferred_name.clone(),
            label: changes_in(&e.data)
                .last()
                .and_then(|c| c.message().map(str::to_string))
                .unwrap_or_default(),
            why: to_json(&reason),
            content: to_json(&parts),
            data: e.data.clone(),
        });
    }
    Ok(())
}

/// Our own plain types as JSON (serialising them cannot fail).
fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

impl App {
    /// The changes held because the office did not accept them, newest first.
    pub(crate) fn not_accepted(&self) -> Result<Vec<NotAcceptedChange>, ApiError> {
        let rows = self.store.not_accepted().map_err(storage)?;
        Ok(rows
            .into_iter()
            .map(|r| NotAcceptedChange {
                id: r.id,
                held_at: Timestamp::from_millis(r.held_at),
                participant: r.doc.participant,
                preferred_name: r.preferred_name,
                document: r.doc.kind,
                operation: operation_of(&r.label),
                why: serde_json::from_str(&r.why).unwrap_or(Refused::Damaged),
                recorded: serde_json::from_str(&r.content).unwrap_or_default(),
            })
            .collect())
    }

    /// For coordinators: the changes the office refused from anyone's tablet, newest first.
    pub(crate) fn office_notices(&self) -> Result<Vec<OfficeNotice>, ApiError> {
        let rows = self.store.office_notices(500).map_err(storage)?;
        Ok(rows
            .iter()
            .filter_map(|json| serde_json::from_str::<Notice>(json).ok())
            .map(|n| OfficeNotice {
                seq: n.seq,
                at: Timestamp::from_millis(n.at),
                user: n.user,
                user_name: n.user_name,
                device: n.device,
                participant: n.participant,
                document: n.kind,
                operation: operation_of(&n.label),
                why: n.why,
            })
            .collect())
    }
}

/// The JSON a notice is kept as.
pub(crate) fn notice_json(n: &Notice) -> String {
    to_json(n)
}
