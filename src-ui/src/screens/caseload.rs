//! The caseload: search and filter by status and pathway; last contact and next appointment;
//! and adding a participant met in the community (accepted by the office at the next sync).

use leptos::prelude::*;
use onward_api::input::NewParticipant;
use onward_api::validate::Field;
use onward_api::vocab::{ParticipantStatus, Pathway};
use onward_api::{Caseload, CreateParticipant};
use serde::{Deserialize, Serialize};

use super::{FirstSync, ParticipantLink, failed, first_sync, loading};
use crate::forms::{Choice, Problem, TextField, draft, err, options, save_and_close, words};
use crate::{api, bind, ctx, text};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct NewForm {
    name: String,
    programme: String,
}

#[component]
pub fn CaseloadScreen() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let ctx = ctx();
    let status = ctx.caseload_status;
    let pathway = RwSignal::new(String::new());
    // The caseload, refetched whenever the app core reports a change, with where the first
    // sync stands (asked first, so the two always agree).
    let rows = LocalResource::new(move || {
        ctx.refresh.track();
        let query = Caseload {
            search: Some(search.get()).filter(|s| !s.trim().is_empty()),
            status: status.get().parse().ok(),
            pathway: pathway.get().parse().ok(),
        };
        async move {
            let first = first_sync().await;
            api::call(&query).await.map(|rows| (first, rows))
        }
    });
    let adding = RwSignal::new(false);
    let coordinates = ctx.me.get_untracked().is_some_and(|m| {
        onward_api::policy::Access::Coordination
            .permits(&m.actor())
            .is_ok()
    });
    view! {
        <h1>{text::CASELOAD}</h1>
        <div class="filters" role="search">
            <TextField label={text::caseload::SEARCH} bind=(search.into(), Callback::new(move |v| search.set(v))) kind="search" />
            <Choice
                label={text::caseload::STATUS}
                bind=(status.into(), Callback::new(move |v| status.set(v)))
                options=options(ParticipantStatus::ALL, ParticipantStatus::as_str, text::status)
                empty={text::caseload::ANY_STATUS}
            />
            <Choice
                label={text::caseload::PATHWAY}
                bind=(pathway.into(), Callback::new(move |v| pathway.set(v)))
                options=options(Pathway::ALL, Pathway::as_str, text::pathway)
                empty={text::caseload::ANY_PATHWAY}
            />
        </div>
        {move || match rows.get() {
            None => loading(),
            Some(Err(e)) => failed(e),
            // Before the first sync has brought anyone, say so rather than "no one".
            Some(Ok((first, rows))) if rows.is_empty() => match first {
                FirstSync::Running => {
                    view! { <p role="status" class="syncing">{text::first_sync::CASELOAD}</p> }.into_any()
                }
                FirstSync::Failed => {
                    view! { <p class="quiet">{text::first_sync::NOT_YET}</p> }.into_any()
                }
                FirstSync::Done => {
                    view! { <p class="quiet">{text::caseload::NO_MATCH}</p> }.into_any()
                }
            },
            Some(Ok((_, rows))) => {
                let count = rows.len();
                // After this render: the moment the start-up benchmark measures to.
                request_animation_frame(|| crate::mark("onward-caseload-shown"));
                view! {
                    <table class="caseload">
                        <caption>{text::participants(count)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{text::caseload::NAME}</th>
                                <th scope="col">{text::caseload::STATUS}</th>
                                <th scope="col">{text::caseload::LAST_CONTACT}</th>
                                <th scope="col">{text::caseload::NEXT_APPOINTMENT}</th>
                                <th scope="col">{text::caseload::OPEN_GOALS}</th>
                                <th scope="col">{text::caseload::NOT_SIGNED_OFF}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                <ParticipantLink participant=r.participant name=r.preferred_name.clone() />
                                            </th>
                                            <td>{text::status(r.status)}</td>
                                            <td>{r.last_contact.map(|t| t.london_format("%-d %b %Y")).unwrap_or_else(|| text::NONE_YET.into())}</td>
                                            <td>{r.next_appointment.map(|t| t.london_format("%a %-d %b, %H:%M")).unwrap_or_else(|| text::NONE_YET.into())}</td>
                                            <td>{r.open_goals}</td>
                                            <td>{r.unsigned_sessions}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }
        }}
        <section class="card" aria-labelledby="add-participant">
            <h2 id="add-participant">{text::caseload::ADD}</h2>
            {move || {
                if adding.get() {
                    view! { <AddParticipant done=Callback::new(move |_| adding.set(false)) /> }.into_any()
                } else {
                    view! {
                        <p>{if coordinates { text::caseload::ADD_LEAD_OFFICE } else { text::caseload::ADD_LEAD }}</p>
                        <button type="button" on:click=move |_| adding.set(true)>{text::caseload::ADD}</button>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn AddParticipant(done: Callback<()>) -> impl IntoView {
    let key = "create_participant".to_string();
    let form = draft::<NewForm>(key.clone());
    let touched = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let name_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.name.is_empty())
            .then(|| {
                err(words(
                    &f.name,
                    Field::PreferredName,
                    text::caseload::NEW_NAME_WHAT,
                ))
            })
            .flatten()
    });
    let programme_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.programme.is_empty())
            .then(|| {
                err(words(
                    &f.programme,
                    Field::Programme,
                    text::caseload::PROGRAMME_WHAT,
                ))
            })
            .flatten()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if name_err.get_untracked().is_some() || programme_err.get_untracked().is_some() {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        }
        let f = form.get_untracked();
        save_and_close(
            key.clone(),
            problem,
            text::caseload::ADDED,
            done,
            move || async move {
                api::call(&CreateParticipant {
                    input: NewParticipant {
                        preferred_name: f.name.trim().into(),
                        programme: f.programme.trim().into(),
                        pathways: vec![],
                    },
                })
                .await
            },
        );
    };
    view! {
        <form on:submit=save novalidate>
            <TextField label={text::caseload::NEW_NAME} bind=bind!(form, name) error=name_err required=true />
            <TextField label={text::caseload::PROGRAMME} bind=bind!(form, programme) error=programme_err required=true />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::SAVE}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}
