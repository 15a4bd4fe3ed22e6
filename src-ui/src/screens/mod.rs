//! The screens, one module each.

pub mod caseload;
pub mod enrol;
pub mod participant;
pub mod settings;
pub mod today;

use std::collections::HashMap;

use leptos::prelude::*;
use onward_api::ids::ParticipantId;
use onward_api::views::CaseloadRow;
use onward_api::{ApiError, Caseload};

use crate::{Screen, Tab, api, ctx};

/// The caseload, refetched whenever the app core reports a change.
pub fn caseload_resource(
    query: impl Fn() -> Caseload + 'static,
) -> LocalResource<Result<Vec<CaseloadRow>, ApiError>> {
    let ctx = ctx();
    LocalResource::new(move || {
        ctx.refresh.track();
        let q = query();
        async move { api::call(&q).await }
    })
}

/// Preferred names by participant.
pub fn names(rows: &[CaseloadRow]) -> HashMap<ParticipantId, String> {
    rows.iter()
        .map(|r| (r.participant, r.preferred_name.clone()))
        .collect()
}

/// A link-styled button that opens a participant's record.
#[component]
pub fn ParticipantLink(
    participant: ParticipantId,
    name: String,
    #[prop(default = Tab::Overview)] tab: Tab,
) -> impl IntoView {
    let ctx = ctx();
    view! {
        <button
            type="button"
            class="link"
            on:click=move |_| ctx.go(Screen::Participant(participant, tab))
        >
            {name}
        </button>
    }
}

/// A failure to load, in plain words.
pub fn failed(e: ApiError) -> AnyView {
    view! { <p class="error" role="alert">{crate::text::problem(&e)}</p> }.into_any()
}

/// The loading line.
pub fn loading() -> AnyView {
    view! { <p role="status">{crate::text::LOADING}</p> }.into_any()
}
