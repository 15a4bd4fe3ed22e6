//! Changes saved on this tablet that the office did not accept: what was written, why, and
//! what to do, until the person says they have dealt with each one. Nothing is lost quietly.

use leptos::prelude::*;
use onward_api::{GetNotAccepted, NotAcceptedChange, RecordedPart, ResolveNotAccepted};

use super::{failed, loading};
use crate::forms::{Problem, act};
use crate::{api, ctx, text};

#[component]
pub fn NotAcceptedScreen() -> impl IntoView {
    let ctx = ctx();
    let held = LocalResource::new(move || {
        ctx.refresh.track();
        async move { api::call(&GetNotAccepted {}).await }
    });
    view! {
        <h1>{text::not_accepted::TITLE}</h1>
        <p class="lead">{text::not_accepted::INTRO}</p>
        {move || match held.get() {
            Some(Err(e)) => failed(e),
            Some(Ok(list)) if list.is_empty() => {
                view! { <p class="quiet">{text::not_accepted::NONE}</p> }.into_any()
            }
            Some(Ok(list)) => {
                view! {
                    <div class="stack">
                        {list.into_iter().map(|c| view! { <HeldCard change=c /> }).collect_view()}
                    </div>
                }
                    .into_any()
            }
            None => loading(),
        }}
    }
}

/// The readable parts of what a change wrote: its text and numbers, by field.
fn written(parts: &[RecordedPart]) -> Vec<(&'static str, String)> {
    fn walk(v: &serde_json::Value, out: &mut Vec<(&'static str, String)>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (text::recorded_field(k), v) {
                        (Some(label), serde_json::Value::String(s)) if !s.is_empty() => {
                            out.push((label, s.clone()))
                        }
                        (Some(label), serde_json::Value::Number(n)) => {
                            out.push((label, n.to_string()))
                        }
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for p in parts {
        walk(&p.value, &mut out);
    }
    out
}

#[component]
fn HeldCard(change: NotAcceptedChange) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let id = change.id;
    let heading = format!("held-{id}");
    let fields = written(&change.recorded);
    let resolve = move |_| {
        act(problem, text::not_accepted::DEALT, move || async move {
            api::call(&ResolveNotAccepted { id }).await
        })
    };
    view! {
        <article class="card held" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>
                {text::change_about(text::operation(change.operation), &change.preferred_name)}
            </h2>
            <p class="when">{change.held_at.london_format("%a %-d %b, %H:%M")}</p>
            <h3>{text::not_accepted::WHY}</h3>
            <p>{text::refused(&change.why)}</p>
            {(!fields.is_empty()).then(|| view! {
                <h3>{text::not_accepted::WHAT_WAS_WRITTEN}</h3>
                <dl>
                    {fields
                        .into_iter()
                        .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                        .collect_view()}
                </dl>
            })}
            <Problem problem=problem />
            <button type="button" on:click=resolve>{text::not_accepted::DEALT_WITH}</button>
        </article>
    }
}
