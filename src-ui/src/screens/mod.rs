//! The screens, one module each.

pub mod caseload;
pub mod enrol;
pub mod not_accepted;
pub mod office;
pub mod participant;
pub mod people;
pub mod reports;
pub mod settings;
pub mod today;

use std::collections::HashMap;

use leptos::prelude::*;
use onward_api::ids::ParticipantId;
use onward_api::views::CaseloadRow;
use onward_api::{ApiError, Caseload, GetSyncStatus};

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

/// Where this tablet stands with its first sync after setting up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstSync {
    /// It has synced at least once: an empty list really is empty.
    Done,
    /// The first sync is still bringing the caseload.
    Running,
    /// The first sync has not worked yet (the sync bar says why); it will be tried again.
    Failed,
}

/// Whether the first sync has brought the caseload yet, so an empty list can say "Syncing your
/// caseload…" rather than "no one" until it has. A screen asks this in the same fetch as its
/// list, and first: a list read afterwards is never older than the answer.
pub async fn first_sync() -> FirstSync {
    match api::call(&GetSyncStatus {}).await {
        Ok(s) if s.enrolled && s.last_synced.is_none() => {
            if s.last_error.is_some() {
                FirstSync::Failed
            } else {
                FirstSync::Running
            }
        }
        // Not enrolled (nothing to wait for), or the status cannot be read (the lists say
        // what they have).
        _ => FirstSync::Done,
    }
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
