//! One participant's record, in sections: overview; goals (steps, reviews with the 0–10
//! rating, the participant's sign-off); sessions (log one in under a minute, sign off,
//! addenda); appointments (plan, the support given, "I went with them", outcome, expenses,
//! follow-up); achievements and progressions; self-assessment check-ins as a chart of distance
//! travelled; and safeguarding concerns.

use leptos::prelude::*;
use onward_api::GetParticipant;
use onward_api::ids::ParticipantId;

pub(super) use super::{failed, loading};
pub(super) use crate::forms::{
    Check, Choice, Problem, TextField, act, day, draft, draft_from, err, number, optional_number,
    options, pence, save_and_close, submit, when, words,
};
pub(super) use crate::{Screen, Tab, api, bind, ctx, now, text};
pub(super) use onward_api::validate::Field;

mod achievements;
mod appointments;
mod checkins;
mod concerns;
mod goals;
mod overview;
mod sessions;

#[component]
pub fn ParticipantScreen(participant: ParticipantId, tab: Tab) -> impl IntoView {
    let ctx = ctx();
    let record = LocalResource::new(move || {
        ctx.refresh.track();
        async move { api::call(&GetParticipant { participant }).await }
    });
    view! {
        {move || match record.get() {
            None => loading(),
            Some(Err(e)) => failed(e),
            Some(Ok(v)) => {
                let name = v.plan.profile.preferred_name.clone();
                view! {
                    <nav aria-label={text::record::BREADCRUMB} class="crumbs">
                        <button type="button" class="link" on:click=move |_| ctx.go(Screen::Caseload)>
                            {text::CASELOAD}
                        </button>
                        " › "
                    </nav>
                    <h1>{name}</h1>
                    <p class="lead">
                        {text::dotted(&[&v.plan.profile.programme, text::status(v.plan.profile.status)])}
                    </p>
                    <div role="tablist" aria-label={text::record::SECTIONS} class="tabs">
                        {Tab::ALL
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <button
                                        type="button"
                                        role="tab"
                                        id=format!("tab-{}", t.label())
                                        aria-selected=if t == tab { "true" } else { "false" }
                                        aria-controls="record-panel"
                                        on:click=move |_| ctx.go(Screen::Participant(participant, t))
                                    >
                                        {t.label()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <section role="tabpanel" id="record-panel" aria-labelledby=format!("tab-{}", tab.label())>
                        {match tab {
                            Tab::Overview => overview::overview(participant, &v),
                            Tab::Goals => goals::goals(participant, &v),
                            Tab::Sessions => sessions::sessions(participant, &v),
                            Tab::Appointments => appointments::appointments(participant, &v),
                            Tab::Achievements => achievements::achievements(participant, &v),
                            Tab::CheckIns => checkins::checkins(participant, &v),
                            Tab::Concerns => concerns::concerns(participant, &v),
                        }}
                    </section>
                }
                    .into_any()
            }
        }}
    }
}

/// Shows the first ten items, and ten more each time the person asks.
pub(super) fn paged<T>(items: Vec<T>, render: fn(T) -> AnyView, more: &'static str) -> AnyView
where
    T: Clone + Send + Sync + 'static,
{
    let total = items.len();
    let shown = RwSignal::new(10usize);
    let items = StoredValue::new(items);
    view! {
        <div class="stack">
            {move || {
                let n = shown.get().min(total);
                items.with_value(|all| all[..n].iter().cloned().map(render).collect_view())
            }}
        </div>
        {move || (shown.get() < total).then(|| view! {
            <button type="button" on:click=move |_| shown.update(|n| *n += 10)>{more}</button>
        })}
    }
    .into_any()
}
