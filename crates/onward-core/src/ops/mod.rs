//! The named operations on participant documents. Each validates its whole input before it
//! touches the document, then makes one change; a refused operation changes nothing.

pub mod concern;
pub mod notes;
pub mod plan;
pub mod restricted;

use crate::document::{Ctx, Doc, DocId};
use crate::error::OpError;
use crate::ids::ParticipantId;
use crate::input::NewParticipant;
use crate::model::{Notes, Plan, Restricted, Safeguarding};
use crate::policy::Operation;
use crate::validate::Field;
use crate::vocab::ParticipantStatus;

/// The three documents of one participant.
#[derive(Debug, Clone)]
pub struct ParticipantDocs {
    pub plan: Doc<Plan>,
    pub notes: Doc<Notes>,
    pub restricted: Doc<Restricted>,
    /// One document per safeguarding concern raised.
    pub concerns: Vec<Doc<Safeguarding>>,
}

/// Creates a participant: a new id and their three documents.
pub fn create_participant(ctx: &Ctx, input: &NewParticipant) -> Result<ParticipantDocs, OpError> {
    create_participant_with_id(ParticipantId::new(), ctx, input)
}

/// Creates a participant with a given id (imports, demo data).
pub fn create_participant_with_id(
    id: ParticipantId,
    ctx: &Ctx,
    input: &NewParticipant,
) -> Result<ParticipantDocs, OpError> {
    let preferred_name = Field::PreferredName.text(&input.preferred_name)?;
    let programme = Field::Programme.text(&input.programme)?;
    let mut pathways = input.pathways.clone();
    pathways.sort();
    pathways.dedup();
    let label = Operation::CreateParticipant.label();
    let [plan, notes, restricted] = DocId::participant_docs(id);
    Ok(ParticipantDocs {
        plan: Doc::create(plan, ctx, label, |p: &mut Plan| {
            p.profile.preferred_name = preferred_name;
            p.profile.programme = programme;
            p.profile.status = ParticipantStatus::Referred;
            p.profile.pathways = pathways;
        })?,
        notes: Doc::create(notes, ctx, label, |_| {})?,
        restricted: Doc::create(restricted, ctx, label, |_| {})?,
        concerns: Vec::new(),
    })
}
