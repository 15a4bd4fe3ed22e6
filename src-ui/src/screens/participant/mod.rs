//! One participant's record, in sections: overview; goals (steps, reviews with the 0–10
//! rating, the participant's sign-off); sessions (log one in under a minute, sign off,
//! addenda); appointments (plan, the support given, "I went with them", outcome, expenses,
//! follow-up); achievements and progressions; self-assessment check-ins as a chart of distance
//! travelled; and safeguarding concerns.

use std::hash::Hash;

use leptos::prelude::*;
use onward_api::ids::ParticipantId;
use onward_api::{ApiError, GetParticipant, ParticipantView};

pub(super) use super::{failed, loading};
pub(super) use crate::forms::{
    Check, Choice, Problem, TextField, Watched, act, changed_notice, day, draft, draft_from, err,
    number, optional_number, options, pence, save_and_close, submit, when, words,
};
pub(super) use crate::{Screen, Tab, api, bind, ctx, now, text};
pub(super) use onward_api::validate::Field;

mod achievements;
mod appointments;
mod checkins;
mod concerns;
mod goals;
mod mentors;
mod overview;
mod sessions;

/// The record as last loaded, with the `refresh` generation it was loaded at.
#[derive(Debug, Clone, PartialEq)]
struct Loaded {
    generation: u64,
    view: ParticipantView,
}

/// One participant's record as every section reads it. The screen is built once, when the
/// record first loads; each refresh (a save, a sync) updates this in place and only the parts
/// that read what changed draw again. Forms, and whether they are open, belong to the screen
/// and to keyed cards, not to the data, so a refresh never closes a form or drops what someone
/// is typing.
#[derive(Clone, Copy)]
pub(super) struct Record {
    pub participant: ParticipantId,
    loaded: Memo<Option<Loaded>>,
}

impl Record {
    /// Reads the record (tracked). `None` only before it first loads.
    pub fn with<R>(&self, f: impl FnOnce(&ParticipantView) -> R) -> Option<R> {
        self.loaded.with(|l| l.as_ref().map(|l| f(&l.view)))
    }

    /// Reads the record without tracking it (what a form starts from when it opens).
    pub fn with_untracked<R>(&self, f: impl FnOnce(&ParticipantView) -> R) -> Option<R> {
        self.loaded
            .with_untracked(|l| l.as_ref().map(|l| f(&l.view)))
    }

    /// One part of the record, kept as a memo so what shows it draws again only when that
    /// part changes.
    pub fn part<T>(&self, f: impl Fn(&ParticipantView) -> T + Send + Sync + 'static) -> Memo<T>
    where
        T: Clone + PartialEq + Default + Send + Sync + 'static,
    {
        let loaded = self.loaded;
        Memo::new(move |_| loaded.with(|l| l.as_ref().map(|l| f(&l.view)).unwrap_or_default()))
    }

    /// A part of the record for a form to watch ([`changed_notice`]).
    pub fn watch<T>(
        &self,
        f: impl Fn(&ParticipantView) -> Option<T> + Send + Sync + 'static,
    ) -> Watched<T>
    where
        T: Clone + PartialEq + Send + Sync + 'static,
    {
        let loaded = self.loaded;
        Signal::derive(move || {
            loaded.with(|l| match l {
                Some(l) => (l.generation, f(&l.view)),
                None => (0, None),
            })
        })
    }

    /// The whole record, for a form for something new to watch.
    pub fn watch_all(&self) -> Watched<ParticipantView> {
        self.watch(|v| Some(v.clone()))
    }
}

/// Which sections of the record differ, for a form for something new.
pub(super) fn sections_changed(a: &ParticipantView, b: &ParticipantView) -> Vec<&'static str> {
    let mut parts = Vec::new();
    let mut differs = |same: bool, part| {
        if !same {
            parts.push(part);
        }
    };
    differs(a.plan.profile == b.plan.profile, text::changed::DETAILS);
    differs(a.plan.goals == b.plan.goals, text::changed::GOALS);
    differs(
        a.notes == b.notes && a.plan.summaries == b.plan.summaries,
        text::changed::SESSIONS,
    );
    differs(
        a.plan.appointments == b.plan.appointments,
        text::changed::APPOINTMENTS,
    );
    differs(
        a.plan.achievements == b.plan.achievements,
        text::changed::ACHIEVEMENTS,
    );
    differs(
        a.plan.progressions == b.plan.progressions,
        text::changed::PROGRESSIONS,
    );
    differs(a.plan.checkins == b.plan.checkins, text::changed::CHECK_INS);
    let concerns = |v: &ParticipantView| v.restricted.as_ref().map(|r| r.concerns.clone());
    differs(concerns(a) == concerns(b), text::changed::CONCERNS);
    let restricted = |v: &ParticipantView| {
        v.restricted
            .as_ref()
            .map(|r| (r.referral.clone(), r.consents.clone(), r.contacts.clone()))
    };
    differs(restricted(a) == restricted(b), text::changed::REFERRAL);
    parts
}

#[component]
pub fn ParticipantScreen(participant: ParticipantId, tab: Tab) -> impl IntoView {
    let ctx = ctx();
    let fetched = LocalResource::new(move || {
        let generation = ctx.refresh.get();
        async move { (generation, api::call(&GetParticipant { participant }).await) }
    });
    // The last record that loaded stays on screen (with its open forms) if a refresh fails.
    let loaded = Memo::new(move |last: Option<&Option<Loaded>>| {
        fetched.with(|f| match f {
            Some((generation, Ok(view))) => Some(Loaded {
                generation: *generation,
                view: view.clone(),
            }),
            _ => last.cloned().flatten(),
        })
    });
    let failure: Memo<Option<ApiError>> =
        Memo::new(move |_| fetched.with(|f| f.as_ref().and_then(|(_, r)| r.clone().err())));
    // Only these three states rebuild the screen; everything else updates in place.
    #[derive(Clone, Copy, PartialEq)]
    enum Phase {
        Loading,
        Failed,
        Ready,
    }
    let phase = Memo::new(move |_| {
        if loaded.with(Option::is_some) {
            Phase::Ready
        } else if failure.with(Option::is_some) {
            Phase::Failed
        } else {
            Phase::Loading
        }
    });
    let record = Record {
        participant,
        loaded,
    };
    view! {
        {move || failure.get().map(failed)}
        {move || match phase.get() {
            Phase::Ready => record_view(record, tab),
            Phase::Loading => loading(),
            Phase::Failed => ().into_any(),
        }}
    }
}

/// The record's heading, tabs and the open section: built once, kept up to date in place.
fn record_view(record: Record, tab: Tab) -> AnyView {
    let ctx = ctx();
    let participant = record.participant;
    let name = record.part(|v| v.plan.profile.preferred_name.clone());
    let lead = record.part(|v| {
        text::dotted(&[
            &v.plan.profile.programme,
            text::status(v.plan.profile.status),
        ])
    });
    view! {
        <nav aria-label={text::record::BREADCRUMB} class="crumbs">
            <button type="button" class="link" on:click=move |_| ctx.go(Screen::Caseload)>
                {text::CASELOAD}
            </button>
            " › "
        </nav>
        <h1>{move || name.get()}</h1>
        <p class="lead">{move || lead.get()}</p>
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
                Tab::Overview => overview::overview(record),
                Tab::Goals => goals::goals(record),
                Tab::Sessions => sessions::sessions(record),
                Tab::Appointments => appointments::appointments(record),
                Tab::Achievements => achievements::achievements(record),
                Tab::CheckIns => checkins::checkins(record),
                Tab::Concerns => concerns::concerns(record),
            }}
        </section>
    }
    .into_any()
}

/// A keyed list of cards, ten at first and ten more each time the person asks. Each card is
/// made once per key and kept while its key is listed, so what is open inside it survives
/// refreshes; it reads its own data from the record.
pub(super) fn paged<K, V>(
    keys: Memo<Vec<K>>,
    card: impl Fn(K) -> V + Send + Clone + 'static,
    more: &'static str,
) -> AnyView
where
    K: Copy + Eq + Hash + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let shown = RwSignal::new(10usize);
    view! {
        <div class="stack">
            <For
                each=move || keys.with(|all| all.iter().take(shown.get()).copied().collect::<Vec<_>>())
                key=|k| *k
                let:k
            >
                {card(k)}
            </For>
        </div>
        {move || (shown.get() < keys.with(Vec::len)).then(|| view! {
            <button type="button" on:click=move |_| shown.update(|n| *n += 10)>{more}</button>
        })}
    }
    .into_any()
}
