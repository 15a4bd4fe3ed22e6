//! Operations on the Restricted document: referral, consent and key contacts.

use crate::document::{Ctx, Doc};
use crate::error::OpError;
use crate::ids::*;
use crate::input::*;
use crate::model::*;
use crate::policy::Operation;
use crate::rules;
use crate::validate::Field;

/// Records (or replaces) the referral.
pub fn record_referral(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &NewReferral,
) -> Result<(), OpError> {
    let referral = Referral {
        source: input.source,
        referrer: Field::Referrer.text(&input.referrer)?,
        date: input.date,
        reason: Field::ReferralReason.text(&input.reason)?,
        supervision_end: input.supervision_end,
        risk_level: input.risk_level,
        recorded: ctx.stamp(),
    };
    rules::referral(&referral)?;
    doc.change(ctx, Operation::RecordReferral.label(), |w| {
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
        version: Field::ConsentVersion.text(&input.version)?,
        scope: Field::ConsentScope.text(&input.scope)?,
        given: input.given,
        given_by: Field::GivenBy.text(&input.given_by)?,
        recorded: ctx.stamp(),
    };
    doc.insert_entry(
        ctx,
        Operation::RecordConsent.label(),
        "consents",
        &id.to_string(),
        &c,
    )?;
    Ok(id)
}

/// Adds a key contact.
pub fn add_key_contact(
    doc: &mut Doc<Restricted>,
    ctx: &Ctx,
    input: &NewContact,
) -> Result<ContactId, OpError> {
    let email = Field::Email.text(&input.email)?;
    let id = ContactId::new();
    let c = KeyContact {
        id,
        role: Field::ContactRole.text(&input.role)?,
        name: Field::ContactName.text(&input.name)?,
        organisation: Field::Organisation.text(&input.organisation)?,
        phone: Field::Phone.text(&input.phone)?,
        email,
        recorded: ctx.stamp(),
    };
    rules::contact(&c)?;
    doc.insert_entry(
        ctx,
        Operation::AddKeyContact.label(),
        "contacts",
        &id.to_string(),
        &c,
    )?;
    Ok(id)
}
