//! Operations on the Restricted document: referral, consent, key contacts and safeguarding
//! concerns.

use crate::document::{Ctx, Doc};
use crate::error::OpError;
use crate::ids::*;
use crate::input::*;
use crate::model::*;
use crate::validate;
use crate::vocab::*;

/// Records (or replaces) the referral.
pub fn record_referral(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &NewReferral,
) -> Result<(), OpError> {
    if let Some(end) = input.supervision_end
        && end < input.date
    {
        return Err(OpError::invalid(
            "supervision end date",
            "cannot be before the referral date",
        ));
    }
    let referral = Referral {
        source: input.source,
        referrer: validate::short("referrer", &input.referrer)?,
        date: input.date,
        reason: validate::long("reason", &input.reason)?,
        supervision_end: input.supervision_end,
        risk_level: input.risk_level,
        recorded: ctx.stamp(),
    };
    doc.change(ctx, "record_referral", |w| {
        w.put_field("referral", &Some(referral))
    })
}

/// Records consent given or withdrawn.
pub fn record_consent(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &NewConsent,
) -> Result<ConsentId, OpError> {
    let id = ConsentId::new();
    let c = ConsentRecord {
        id,
        version: validate::required("version", &input.version)?,
        scope: validate::required_long("scope", &input.scope)?,
        given: input.given,
        given_by: validate::required("given by", &input.given_by)?,
        recorded: ctx.stamp(),
    };
    doc.insert_entry(ctx, "record_consent", "consents", &id.to_string(), &c)?;
    Ok(id)
}

/// Adds a key contact.
pub fn add_key_contact(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &NewContact,
) -> Result<ContactId, OpError> {
    let email = validate::short("email", &input.email)?;
    if !email.is_empty() && !email.contains('@') {
        return Err(OpError::invalid(
            "email",
            "does not look like an email address",
        ));
    }
    let id = ContactId::new();
    let c = KeyContact {
        id,
        role: validate::required("role", &input.role)?,
        name: validate::required("name", &input.name)?,
        organisation: validate::short("organisation", &input.organisation)?,
        phone: validate::short("phone", &input.phone)?,
        email,
        recorded: ctx.stamp(),
    };
    doc.insert_entry(ctx, "add_key_contact", "contacts", &id.to_string(), &c)?;
    Ok(id)
}

/// Raises a safeguarding concern.
pub fn raise_concern(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &NewConcern,
) -> Result<ConcernId, OpError> {
    let id = ConcernId::new();
    let c = Concern {
        id,
        category: input.category,
        urgency: input.urgency,
        description: validate::required_long("description", &input.description)?,
        status: ConcernStatus::Open,
        responses: Default::default(),
        raised: ctx.stamp(),
    };
    doc.insert_entry(ctx, "raise_concern", "concerns", &id.to_string(), &c)?;
    Ok(id)
}

/// Responds to a concern and sets its status.
pub fn respond_to_concern(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &ConcernReply,
) -> Result<ResponseId, OpError> {
    let id = ResponseId::new();
    let response = ConcernResponse {
        id,
        text: validate::required_long("response", &input.text)?,
        status: input.status,
        created: ctx.stamp(),
    };
    doc.update_entry(
        ctx,
        "respond_to_concern",
        "concerns",
        &input.concern.to_string(),
        "concern",
        |c: &mut Concern| {
            c.status = input.status;
            c.responses.insert(response.id.to_string(), response);
            Ok(())
        },
    )?;
    Ok(id)
}
