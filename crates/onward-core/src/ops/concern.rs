//! Safeguarding concerns. Each concern is a document of its own, created by the person who
//! raises it, so anyone who works with a participant can raise one (and later read the
//! response) without holding the participant's Restricted document.

use crate::document::{Ctx, Doc, DocId};
use crate::error::OpError;
use crate::ids::*;
use crate::input::*;
use crate::model::*;
use crate::policy::Operation;
use crate::rules;
use crate::validate::Field;
use crate::vocab::*;

/// Raises a safeguarding concern about `participant`: a new concern document.
pub fn raise_concern(
    participant: ParticipantId,
    ctx: &Ctx,
    input: &NewConcern,
) -> Result<Doc<Safeguarding>, OpError> {
    let id = ConcernId::new();
    let concern = Concern {
        id,
        category: input.category,
        urgency: input.urgency,
        description: Field::ConcernDescription.text(&input.description)?,
        status: ConcernStatus::Open,
        responses: Default::default(),
        raised: ctx.stamp(),
    };
    rules::concern(&concern)?;
    Doc::create(
        DocId::concern(participant, id),
        ctx,
        Operation::RaiseConcern.label(),
        |d: &mut Safeguarding| d.concern = concern,
    )
}

/// The response as a record, checked.
fn response(ctx: &Ctx, input: &ConcernReply) -> Result<ConcernResponse, OpError> {
    let r = ConcernResponse {
        id: ResponseId::new(),
        text: Field::Response.text(&input.text)?,
        status: input.status,
        created: ctx.stamp(),
    };
    rules::response(&r)?;
    Ok(r)
}

/// Responds to a concern and sets its status.
pub fn respond_to_concern(
    doc: &mut Doc<Safeguarding>,
    ctx: &Ctx,
    input: &ConcernReply,
) -> Result<ResponseId, OpError> {
    if doc.read().concern.id != input.concern {
        return Err(OpError::NotFound("concern"));
    }
    let r = response(ctx, input)?;
    let id = r.id;
    let mut concern = doc.read().concern.clone();
    concern.status = input.status;
    concern.responses.insert(id.to_string(), r);
    doc.change(ctx, Operation::RespondToConcern.label(), |w| {
        w.put_field("concern", &concern)
    })?;
    Ok(id)
}

/// Responds to a concern raised before concerns had documents of their own (kept in the
/// Restricted document).
pub fn respond_to_legacy_concern(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &ConcernReply,
) -> Result<ResponseId, OpError> {
    let r = response(ctx, input)?;
    let id = r.id;
    doc.update_entry(
        ctx,
        Operation::RespondToConcern.label(),
        "concerns",
        &input.concern.to_string(),
        "concern",
        |c: &mut Concern| {
            c.status = input.status;
            c.responses.insert(id.to_string(), r);
            Ok(())
        },
    )?;
    Ok(id)
}
