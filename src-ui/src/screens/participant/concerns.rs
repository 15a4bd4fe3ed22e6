//! Safeguarding concerns: anyone who works with the participant may raise one; cleared
//! mentors and coordinators see them with the coordinator's responses; coordinators respond.

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ConcernForm {
    category: String,
    urgency: String,
    description: String,
}

pub(super) fn concerns(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    // The concerns this person holds: every one for cleared staff, their own for others.
    let mut list: Vec<Concern> = v.concerns.clone();
    list.sort_by_key(|c| std::cmp::Reverse(c.raised.at));
    let sees_all = v.restricted.is_some();
    view! {
        <RaiseConcernForm participant=participant />
        {Some(view! {
            <section class="card" aria-labelledby="concerns-h">
                <h2 id="concerns-h">
                    {if sees_all { text::concerns::TITLE } else { text::concerns::YOURS }}
                </h2>
                {if list.is_empty() {
                    view! { <p class="quiet">{text::concerns::NONE}</p> }.into_any()
                } else {
                    view! {
                        <div class="stack">
                            {list.into_iter().map(|c| view! { <ConcernCard participant=participant concern=c /> }).collect_view()}
                        </div>
                    }
                        .into_any()
                }}
            </section>
        })}
    }
    .into_any()
}

#[component]
fn RaiseConcernForm(participant: ParticipantId) -> impl IntoView {
    let key = format!("raise_concern:{participant}");
    let form = draft::<ConcernForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let desc_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.description.is_empty())
            .then(|| {
                err(words(
                    &f.description,
                    Field::ConcernDescription,
                    text::concerns::WHAT_WHAT,
                ))
            })
            .flatten()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(category), Ok(urgency), Ok(description)) = (
            f.category.parse::<ConcernCategory>(),
            f.urgency.parse::<Urgency>(),
            words(&f.description, Field::ConcernDescription, text::check::IT),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        submit(
            key.clone(),
            form,
            problem,
            text::concerns::RAISED,
            move || async move {
                api::call(&RaiseConcern {
                    participant,
                    input: NewConcern {
                        category,
                        urgency,
                        description,
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="raise-h">
            <h2 id="raise-h">{text::concerns::RAISE_TITLE}</h2>
            <p>{text::concerns::DANGER}</p>
            <form on:submit=save novalidate>
                <div class="row">
                    <Choice label={text::concerns::CATEGORY} bind=bind!(form, category) options=options(ConcernCategory::ALL, ConcernCategory::as_str, text::concern_category) empty={text::check::CHOOSE} />
                    <Choice label={text::concerns::URGENCY} bind=bind!(form, urgency) options=options(Urgency::ALL, Urgency::as_str, text::urgency) empty={text::check::CHOOSE} />
                </div>
                <TextField label={text::concerns::WHAT} bind=bind!(form, description) error=desc_err multiline=true required=true />
                <Problem problem=problem />
                <button type="submit" class="primary">{text::concerns::RAISE}</button>
            </form>
        </section>
    }
}

#[component]
fn ConcernCard(participant: ParticipantId, concern: Concern) -> impl IntoView {
    let c = concern;
    let id = c.id;
    let coordinator = ctx().me.get_untracked().is_some_and(|m| {
        policy::Operation::RespondToConcern
            .permits(&m.actor())
            .is_ok()
    });
    let responding = RwSignal::new(false);
    let mut responses: Vec<ConcernResponse> = c.responses.values().cloned().collect();
    responses.sort_by_key(|r| r.created.at);
    let heading = format!("concern-{id}");
    let heading_ref = heading.clone();
    view! {
        <article class="concern" aria-labelledby=heading_ref>
            <h3 id=heading>
                {text::dotted(&[
                    &c.raised.at.london_format("%-d %b %Y"),
                    &text::concern_line(c.category, c.urgency, c.status),
                ])}
            </h3>
            <p>{c.description.clone()}</p>
            {responses.into_iter().map(|r| view! {
                <p class="addendum">
                    {text::concern_response(&r.created.at.london_format("%-d %b %Y"), r.status, &r.text)}
                </p>
            }).collect_view()}
            {(coordinator && c.status != ConcernStatus::Closed).then(|| view! {
                <div class="actions">
                    <button type="button" on:click=move |_| responding.update(|r| *r = !*r)>{text::concerns::RESPOND}</button>
                </div>
            })}
            {move || responding.get().then(|| view! {
                <RespondForm participant=participant concern=id done=Callback::new(move |_| responding.set(false)) />
            })}
        </article>
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ResponseForm {
    status: String,
    text: String,
}

#[component]
fn RespondForm(
    participant: ParticipantId,
    concern: ConcernId,
    done: Callback<()>,
) -> impl IntoView {
    let key = format!("respond_to_concern:{concern}");
    let form = draft::<ResponseForm>(key.clone());
    if form.get_untracked().status.is_empty() {
        form.update(|f| f.status = ConcernStatus::Acknowledged.as_str().into());
    }
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let text_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.text.is_empty())
            .then(|| {
                err(words(
                    &f.text,
                    Field::Response,
                    text::concerns::RESPONSE_WHAT,
                ))
            })
            .flatten()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(status), Ok(reply)) = (
            f.status.parse::<ConcernStatus>(),
            words(&f.text, Field::Response, text::check::IT),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        save_and_close(
            key.clone(),
            problem,
            text::concerns::RESPONSE_SAVED,
            done,
            move || async move {
                api::call(&RespondToConcern {
                    participant,
                    input: ConcernReply {
                        concern,
                        text: reply,
                        status,
                    },
                })
                .await
            },
        );
    };
    view! {
        <form class="subform" on:submit=save novalidate>
            <TextField label={text::concerns::RESPONSE} bind=bind!(form, text) error=text_err multiline=true required=true hint={text::concerns::RESPONSE_HINT} />
            <Choice label={text::concerns::STATUS} bind=bind!(form, status) options=options(ConcernStatus::ALL, ConcernStatus::as_str, text::concern_status) />
            <Problem problem=problem />
            <div class="actions">
                <button type="submit" class="primary">{text::concerns::SAVE_RESPONSE}</button>
                <button type="button" on:click=move |_| done.run(())>{text::CANCEL}</button>
            </div>
        </form>
    }
}
