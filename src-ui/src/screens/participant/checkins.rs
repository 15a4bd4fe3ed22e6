//! Self-assessment check-ins, shown as a chart of distance travelled.

use leptos::prelude::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

pub(super) fn checkins(record: Record) -> AnyView {
    let all = record.part(|v| {
        let mut all: Vec<CheckIn> = v.plan.checkins.values().cloned().collect();
        all.sort_by_key(|c| c.created.at);
        all
    });
    view! {
        <section class="card" aria-labelledby="dist-h">
            <h2 id="dist-h">{text::checkins::DISTANCE}</h2>
            {move || all.with(|all| chart(all))}
        </section>
        <CheckInForm record=record />
    }
    .into_any()
}

/// A line chart of the average self-assessment score per check-in (0–10), with a text
/// equivalent for screen readers.
fn chart(all: &[CheckIn]) -> AnyView {
    if all.is_empty() {
        return view! { <p class="quiet">{text::checkins::NONE}</p> }.into_any();
    }
    let points: Vec<(String, f64)> = all
        .iter()
        .map(|c| {
            let n = c.scores.len().max(1) as f64;
            let avg = c.scores.values().map(|s| f64::from(*s)).sum::<f64>() / n;
            (c.created.at.london_format("%-d %b %Y"), avg)
        })
        .collect();
    let (w, h, pad) = (600.0, 220.0, 30.0);
    let step = if points.len() > 1 {
        (w - 2.0 * pad) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| (pad + step * i as f64, h - pad - v / 10.0 * (h - 2.0 * pad)))
        .collect();
    let line = xy
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let first = points.first().map(|p| p.1).unwrap_or_default();
    let last = points.last().map(|p| p.1).unwrap_or_default();
    let summary = text::chart_summary(points.len(), first, last);
    view! {
        <figure>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=summary.clone() class="chart">
                <line x1=pad y1=h - pad x2=w - pad y2=h - pad class="axis" />
                <line x1=pad y1=pad x2=pad y2=h - pad class="axis" />
                <text x="2" y=pad + 4.0 class="tick">"10"</text>
                <text x="8" y=h - pad + 4.0 class="tick">"0"</text>
                <polyline points=line class="series" />
                {xy.iter().map(|(x, y)| view! { <circle cx=*x cy=*y r="5" class="dot" /> }).collect_view()}
            </svg>
            <figcaption>{summary}</figcaption>
        </figure>
        <table class="compact">
            <caption>{text::checkins::TABLE}</caption>
            <thead><tr><th scope="col">{text::checkins::DATE}</th><th scope="col">{text::checkins::AVERAGE}</th></tr></thead>
            <tbody>
                {points.into_iter().map(|(d, v)| view! { <tr><td>{d}</td><td>{format!("{v:.1}")}</td></tr> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct CheckInFormState {
    scores: Vec<(String, String)>,
    comment: String,
}

#[component]
fn CheckInForm(record: Record) -> impl IntoView {
    let participant = record.participant;
    let key = format!("checkin:{participant}");
    let form = draft::<CheckInFormState>(key.clone());
    let typing = Signal::derive(move || form.with(|f| *f != CheckInFormState::default()));
    let problem = RwSignal::new(None::<String>);
    // The participant's pathways (all of them if none are chosen yet); a field stays as it is
    // when the list changes around it.
    let shown = record.part(|v| {
        if v.plan.profile.pathways.is_empty() {
            Pathway::ALL.to_vec()
        } else {
            v.plan.profile.pathways.clone()
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let mut scores = Vec::new();
        for (p, s) in &f.scores {
            if s.trim().is_empty() {
                continue;
            }
            match (p.parse::<Pathway>(), number(s, Field::Score)) {
                (Ok(pathway), Ok(score)) => scores.push(PathwayScore {
                    pathway,
                    score: score as u8,
                }),
                _ => {
                    problem.set(Some(text::checkins::SCORE_RANGE.into()));
                    return;
                }
            }
        }
        if scores.is_empty() {
            problem.set(Some(text::checkins::SCORE_MISSING.into()));
            return;
        }
        submit(
            key.clone(),
            form,
            None,
            problem,
            text::checkins::SAVED,
            move || async move {
                api::call(&RecordCheckIn {
                    participant,
                    input: NewCheckIn {
                        scores,
                        comment: f.comment.trim().into(),
                    },
                })
                .await
            },
        );
    };
    let score_field = move |p: Pathway| {
        let name = p.as_str().to_string();
        let (n1, n2) = (name.clone(), name.clone());
        let value = Signal::derive(move || {
            form.with(|f| {
                f.scores
                    .iter()
                    .find(|(k, _)| *k == n1)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
        });
        let set = Callback::new(move |v: String| {
            let name = n2.clone();
            form.update(|f| {
                f.scores.retain(|(k, _)| *k != name);
                f.scores.push((name, v));
            })
        });
        let error = Signal::derive(move || err(optional_number(&value.get(), Field::Score)));
        view! { <TextField label=text::pathway(p) bind=(value, set) error=error kind="number" /> }
    };
    view! {
        <section class="card" aria-labelledby="ci-h">
            <h2 id="ci-h">{text::checkins::NEW}</h2>
            <p>{text::checkins::QUESTION}</p>
            <form on:submit=save novalidate>
                {changed_notice(text::changed::THIS_RECORD, record.watch_all(), typing, sections_changed)}
                <div class="row wrap">
                    <For each=move || shown.get() key=|p| *p let:p>
                        {score_field(p)}
                    </For>
                </div>
                <TextField label={text::checkins::COMMENT} bind=bind!(form, comment) multiline=true />
                <Problem problem=problem />
                <button type="submit" class="primary">{text::checkins::SAVE}</button>
            </form>
        </section>
    }
}
