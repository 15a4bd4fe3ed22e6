//! The server's check of changes a device pushes, judged by what they do. The pushed changes
//! are applied to the server's copy one at a time; each must be signed by the pushing user on
//! the pushing device, keep to the record's layout, be exactly one operation
//! ([`onward_core::judge`]) that the person may run ([`onward_core::policy`]), carry that
//! operation's label, and be dated where the server can believe it. Nothing is stored unless
//! every change passes.

use std::collections::BTreeSet;

use automerge::{AutoCommit, Change};
use onward_core::document::{Doc, DocId, Layout, author_of};
use onward_core::ids::{DeviceId, UserId};
use onward_core::judge::{Judge, Judging, SignedSessions, judge_change, label_fits};
use onward_core::model::{Notes, Plan, Restricted, Safeguarding};
use onward_core::policy::{Actor, Operation, Refused};
use onward_core::time::Timestamp;
use onward_core::vocab::DocKind;

/// The largest single change the server accepts. The longest record (a session with every
/// free-text field full) is well under it.
pub const MAX_CHANGE_BYTES: usize = 256 * 1024;

/// The most changes one pushed entry may carry.
pub const MAX_CHANGES_PER_ENTRY: usize = 2_000;

/// How far a device's clock may run ahead of the server's, or a stamp predate the device's
/// enrolment, before the server stops believing it.
pub const CLOCK_MARGIN_MS: i64 = 10 * 60 * 1000;

/// Who pushed the changes, and when the server received them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pusher {
    pub actor: Actor,
    pub device: DeviceId,
    /// When the server enrolled the device.
    pub enrolled_at: Timestamp,
    /// The server's own clock as the push arrived.
    pub received_at: Timestamp,
}

impl Pusher {
    fn judging(&self, signed_sessions: SignedSessions) -> Judging {
        Judging {
            actor: self.actor,
            earliest: Timestamp::from_millis(self.enrolled_at.millis() - CLOCK_MARGIN_MS),
            latest: Timestamp::from_millis(self.received_at.millis() + CLOCK_MARGIN_MS),
            signed_sessions,
        }
    }
}

/// One new change that passed.
#[derive(Debug)]
pub struct NewChange {
    /// The change, encoded on its own (for the organisation's log).
    pub bytes: Vec<u8>,
    /// What it did; `None` when it changed nothing visible (a concurrent write that lost).
    pub operation: Option<Operation>,
    /// The time the device gave it.
    pub device_time: Timestamp,
}

/// A push that passed: the whole document after it, and the changes that were new.
#[derive(Debug)]
pub struct Accepted {
    /// The document saved whole (for the server's store).
    pub document: Vec<u8>,
    /// The new changes, in order. Empty when the push repeated what the server had.
    pub changes: Vec<NewChange>,
    /// Whether the push created the document.
    pub created: bool,
    /// Whether the document holds nothing but its empty first change (what someone who may
    /// not hold a kind of document may still create with a new participant).
    pub only_creation: bool,
    /// For a new concern document: who raised it (always the pusher).
    pub raised_by: Option<UserId>,
}

/// Checks and applies `data`, pushed by `who`, to the document `id` whose current saved form
/// is `current` (`None` if the server does not have it). For a Plan, `notes` is the
/// participant's Notes as the server holds them (a signed-off session's shared summary is
/// fixed too).
pub fn accept_push(
    id: DocId,
    current: Option<&[u8]>,
    notes: Option<&[u8]>,
    data: &[u8],
    who: &Pusher,
) -> Result<Accepted, Refused> {
    // The automerge library can panic on some crafted input; a device's bytes must never take
    // the server down, so a panic while reading them is a refusal like any damaged change.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        accept_checked(id, current, notes, data, who)
    }))
    .unwrap_or(Err(Refused::Damaged))
}

fn accept_checked(
    id: DocId,
    current: Option<&[u8]>,
    notes: Option<&[u8]>,
    data: &[u8],
    who: &Pusher,
) -> Result<Accepted, Refused> {
    if !id.is_well_formed() {
        return Err(Refused::Malformed);
    }
    // What the changes say about themselves that can be checked before any is applied.
    let pushed = parse_push(data)?;
    if pushed.len() > MAX_CHANGES_PER_ENTRY {
        return Err(Refused::TooMuch);
    }
    // A Plan is judged knowing which of the participant's sessions are signed off.
    // Read only if a change touches a session's shared summary.
    let signed = match (id.kind, notes) {
        (DocKind::Plan, Some(bytes)) => {
            let (notes_id, bytes) = (DocId::new(id.participant, DocKind::Notes), bytes.to_vec());
            SignedSessions::read_by(move || {
                Ok(Doc::<Notes>::load(notes_id, &bytes)
                    .map_err(|_| Refused::Damaged)?
                    .read()
                    .sign_offs
                    .values()
                    .map(|s| s.session)
                    .collect())
            })
        }
        _ => SignedSessions::default(),
    };
    let j = who.judging(signed);
    for change in &pushed {
        check_change(change, &j, who)?;
    }
    match id.kind {
        DocKind::Plan => accept::<Plan>(id, current, pushed, who, &j),
        DocKind::Notes => accept::<Notes>(id, current, pushed, who, &j),
        DocKind::Restricted => accept::<Restricted>(id, current, pushed, who, &j),
        DocKind::Concern => accept::<Safeguarding>(id, current, pushed, who, &j),
    }
}

fn layout(e: Layout) -> Refused {
    match e {
        Layout::Unreadable(_) => Refused::Damaged,
        Layout::Unknown(_) | Layout::Replaced | Layout::NotCanonical => Refused::Malformed,
    }
}

/// The changes in `pushed` that `holds` does not already hold, each after the changes it
/// depends on. A change whose dependencies are neither held nor pushed is refused: the device
/// must send what the office does not have.
fn new_changes(
    pushed: Vec<Change>,
    mut holds: impl FnMut(&automerge::ChangeHash) -> bool,
) -> Result<Vec<Change>, Refused> {
    let mut waiting: Vec<Change> = Vec::with_capacity(pushed.len());
    let mut seen = BTreeSet::new();
    for c in pushed {
        let hash = c.hash();
        if seen.insert(hash) && !holds(&hash) {
            waiting.push(c);
        }
    }
    let mut ordered: Vec<Change> = Vec::with_capacity(waiting.len());
    let mut placed = BTreeSet::new();
    while !waiting.is_empty() {
        let before = waiting.len();
        let mut i = 0;
        while i < waiting.len() {
            let ready = waiting[i]
                .deps()
                .iter()
                .all(|d| placed.contains(d) || holds(d));
            if ready {
                let c = waiting.remove(i);
                placed.insert(c.hash());
                ordered.push(c);
            } else {
                i += 1;
            }
        }
        if waiting.len() == before {
            return Err(Refused::MissingDeps);
        }
    }
    Ok(ordered)
}

fn accept<T: Judge>(
    id: DocId,
    current: Option<&[u8]>,
    pushed: Vec<Change>,
    who: &Pusher,
    j: &Judging,
) -> Result<Accepted, Refused> {
    let mut loaded = match current {
        Some(bytes) => Some(Doc::<T>::load(id, bytes).map_err(|_| Refused::Damaged)?),
        None => None,
    };
    let changes = new_changes(pushed, |h| {
        loaded.as_mut().is_some_and(|doc| doc.has_change(h))
    })?;
    let mut operations = Vec::with_capacity(changes.len());
    let (mut doc, rest) = match loaded {
        Some(doc) => (doc, &changes[..]),
        None => {
            let Some((first, rest)) = changes.split_first() else {
                return Err(Refused::Damaged);
            };
            let doc = Doc::<T>::from_first_change(id, first).map_err(layout)?;
            let op = doc.read().creation(j)?;
            allowed(op, first, id, &who.actor)?;
            operations.push(Some(op));
            (doc, rest)
        }
    };
    for change in rest {
        if change.deps().is_empty() {
            // A second first change: another document under the same name.
            return Err(Refused::AlreadyExists);
        }
        let applied = doc.apply_checked(change).map_err(layout)?;
        let op = judge_change(&applied.before, doc.read(), &applied.touched, j)?;
        match op {
            Some(op) => allowed(op, change, id, &who.actor)?,
            None => {
                // No visible effect; still only what the label's operation may do.
                let label = change.message().unwrap_or_default();
                let labelled = Operation::ALL
                    .iter()
                    .find(|o| label_fits(**o, label))
                    .ok_or(Refused::NotAnOperation)?;
                labelled.permits(&who.actor)?;
            }
        }
        operations.push(op);
    }
    let only_creation = current.is_none() && changes.len() == 1;
    let raised_by = (current.is_none() && id.kind == DocKind::Concern).then_some(who.actor.user);
    let new = changes
        .into_iter()
        .zip(operations)
        .map(|(mut c, operation)| NewChange {
            device_time: Timestamp::from_millis(c.timestamp()),
            bytes: c.bytes().to_vec(),
            operation,
        })
        .collect();
    Ok(Accepted {
        document: doc.save(),
        changes: new,
        created: current.is_none(),
        only_creation,
        raised_by,
    })
}

/// Checks what a change says about itself that the server can verify: who made it on which
/// device, when, and how large it is.
fn check_change(change: &Change, j: &Judging, who: &Pusher) -> Result<(), Refused> {
    let author = author_of(change.actor_id());
    if author.map(|a| (a.user, a.device)) != Some((who.actor.user, who.device)) {
        return Err(Refused::NotThePusher);
    }
    let size = change.raw_bytes().len();
    if size > MAX_CHANGE_BYTES {
        return Err(Refused::TooLarge {
            bytes: size,
            max: MAX_CHANGE_BYTES,
        });
    }
    j.time(Timestamp::from_millis(change.timestamp()))
}

/// Checks the person may run `op` on this kind of document and the change says so.
fn allowed(op: Operation, change: &Change, id: DocId, actor: &Actor) -> Result<(), Refused> {
    if !op.writes().contains(&id.kind) {
        return Err(Refused::NotAnOperation);
    }
    let label = change.message().unwrap_or_default();
    if !label_fits(op, label) {
        return Err(Refused::Mislabelled {
            says: label.chars().take(40).collect(),
            does: op,
        });
    }
    op.permits(actor)
}

/// One automerge chunk in pushed bytes.
struct Chunk<'a> {
    /// 0: a whole saved document, 1: a change, 2: a compressed change.
    kind: u8,
    /// The whole chunk, header included.
    bytes: &'a [u8],
    /// Where its data starts.
    data: usize,
}

/// Splits pushed bytes into automerge's chunks: 4 magic bytes, a 4-byte checksum, a type
/// byte, a LEB128 length, then the data. `None` if they do not split cleanly.
fn chunks(mut data: &[u8]) -> Option<Vec<Chunk<'_>>> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.len() < 10 || data[..4] != MAGIC {
            return None;
        }
        let (mut len, mut shift, mut at) = (0usize, 0u32, 9usize);
        loop {
            let b = *data.get(at)?;
            len |= usize::from(b & 0x7f).checked_shl(shift)?;
            at += 1;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 56 {
                return None;
            }
        }
        let end = at.checked_add(len)?;
        out.push(Chunk {
            kind: data[8],
            bytes: data.get(..end)?,
            data: at,
        });
        data = &data[end..];
    }
    Some(out)
}

/// The changes in bytes a device pushed, refusing anything else before any of it is applied:
/// bytes that do not split into whole automerge changes, whole saved documents (devices send
/// their changes), a change over [`MAX_CHANGE_BYTES`] (a compressed one is inflated only that
/// far), or nesting deeper than any record has.
pub fn parse_push(data: &[u8]) -> Result<Vec<Change>, Refused> {
    let chunks = chunks(data).ok_or(Refused::Damaged)?;
    if chunks.is_empty() {
        return Err(Refused::Damaged);
    }
    let mut out = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let size = match chunk.kind {
            1 => chunk.bytes.len() - chunk.data,
            2 => {
                use std::io::Read;
                let mut inflated = 0usize;
                let mut decoder = flate2::bufread::DeflateDecoder::new(&chunk.bytes[chunk.data..])
                    .take(MAX_CHANGE_BYTES as u64 + 1);
                let mut buf = [0u8; 16 * 1024];
                loop {
                    match decoder.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => inflated += n,
                        Err(_) => return Err(Refused::Damaged),
                    }
                }
                inflated
            }
            0 => return Err(Refused::Malformed),
            _ => return Err(Refused::Damaged),
        };
        if size > MAX_CHANGE_BYTES {
            return Err(Refused::TooLarge {
                bytes: size,
                max: MAX_CHANGE_BYTES,
            });
        }
        let change = Change::try_from(chunk.bytes).map_err(|_| Refused::Damaged)?;
        if nesting(&change) > MAX_NEW_NESTING {
            return Err(Refused::Malformed);
        }
        out.push(change);
    }
    Ok(out)
}

/// The most maps and lists one change may nest inside each other (a new goal with a step is
/// three: the goal, its steps, the step).
const MAX_NEW_NESTING: usize = 6;

/// How deeply the maps and lists a change creates nest inside each other.
fn nesting(change: &Change) -> usize {
    use automerge::legacy::{ObjectId, OpType};
    let expanded = change.decode();
    let start = expanded.start_op.get();
    let mut depth: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut deepest = 0;
    for (i, op) in expanded.operations.iter().enumerate() {
        if let OpType::Make(_) = op.action {
            let parent = match &op.obj {
                ObjectId::Id(id) if id.1 == expanded.actor_id => {
                    depth.get(&id.0).copied().unwrap_or(0)
                }
                _ => 0,
            };
            let d = parent + 1;
            depth.insert(start + i as u64, d);
            deepest = deepest.max(d);
        }
    }
    deepest
}

/// The changes in bytes that are known to be ours (a device's outbox, the server's log),
/// without needing the document they apply to. Unreadable parts are skipped.
pub fn changes_in(data: &[u8]) -> Vec<Change> {
    let mut out = Vec::new();
    for chunk in chunks(data).unwrap_or_default() {
        match chunk.kind {
            // A whole saved document.
            0 => {
                if let Ok(mut doc) = AutoCommit::load(chunk.bytes) {
                    out.extend(doc.get_changes(&[]));
                }
            }
            _ => {
                if let Ok(c) = Change::try_from(chunk.bytes) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The labels (operation names as the device gave them) of the changes in pushed bytes.
pub fn labels(data: &[u8]) -> Vec<String> {
    changes_in(data)
        .iter()
        .map(|c| c.message().unwrap_or_default().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use onward_core::document::Ctx;
    use onward_core::ids::{DeviceId, UserId};
    use onward_core::input::{NewGoal, NewParticipant};
    use onward_core::model::Author;
    use onward_core::vocab::Pathway;

    #[test]
    fn labels_are_read_from_saved_documents_and_changes_and_pushes_must_be_whole_changes() {
        let ctx = Ctx::new(
            Author {
                user: UserId::new(),
                device: DeviceId::new(),
            },
            Timestamp::from_millis(1_764_000_000_000),
        );
        let mut docs = onward_core::ops::create_participant(
            &ctx,
            &NewParticipant {
                preferred_name: "Robin".into(),
                programme: String::new(),
                pathways: vec![],
            },
        )
        .unwrap();
        let mut bytes = docs.plan.save();
        for title in ["One", "Two"] {
            onward_core::ops::plan::add_goal(
                &mut docs.plan,
                &ctx,
                &NewGoal {
                    title: title.into(),
                    pathway: Pathway::Employment,
                    why_it_matters: String::new(),
                    target_date: None,
                    review_due: None,
                },
            )
            .unwrap();
            bytes.extend(docs.plan.take_changes());
        }
        assert_eq!(labels(&bytes), ["create", "add_goal", "add_goal"]);
        assert!(labels(b"not automerge at all").is_empty());
        assert!(labels(&bytes[..bytes.len() - 3]).is_empty());
        // A device pushes changes, never a saved document; the changes parse whole.
        assert_eq!(
            parse_push(&docs.plan.save()).err(),
            Some(Refused::Malformed)
        );
        let changes: Vec<u8> = docs
            .plan
            .automerge()
            .get_changes(&[])
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        assert_eq!(parse_push(&changes).unwrap().len(), 3);
        assert_eq!(
            parse_push(&changes[..changes.len() - 1]).err(),
            Some(Refused::Damaged)
        );
        assert_eq!(parse_push(b"").err(), Some(Refused::Damaged));
        assert_eq!(
            parse_push(&[0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 1, 0]).err(),
            Some(Refused::Damaged)
        );
    }
}
