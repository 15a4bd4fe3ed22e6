//! Achievements (qualifications with level, certificates, volunteering hours) and
//! progressions into work, education, training or volunteering, with the checks at 13 and 26
//! weeks that show whether they lasted.

use leptos::prelude::*;
use onward_api::ids::*;
use onward_api::input::*;
use onward_api::model::*;
use onward_api::vocab::*;
use onward_api::*;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AchievementForm {
    kind: String,
    title: String,
    date: String,
    organisation: String,
    level: String,
    certificate: bool,
    hours: String,
}

pub(super) fn achievements(participant: ParticipantId, v: &ParticipantView) -> AnyView {
    let mut list: Vec<Achievement> = v.plan.achievements.values().cloned().collect();
    list.sort_by_key(|a| std::cmp::Reverse(a.date));
    let mut progressions: Vec<Progression> = v.plan.progressions.values().cloned().collect();
    progressions.sort_by_key(|p| std::cmp::Reverse(p.start_date));
    let problem = RwSignal::new(None::<String>);
    view! {
        <Problem problem=problem />
        <div class="grid">
            <section class="card" aria-labelledby="ach-h">
                <h2 id="ach-h">"Achievements"</h2>
                {if list.is_empty() {
                    view! { <p class="quiet">"None recorded yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="rows">
                            {list.into_iter().map(|a| view! {
                                <li>
                                    <span class="when">{a.date.format("%-d %b %Y")}</span>
                                    <span>{format!("{}: {}", text::achievement_kind(a.kind), a.title)}</span>
                                    {(!a.organisation.is_empty()).then(|| view! { <span class="quiet">{a.organisation.clone()}</span> })}
                                    {achievement_details(&a).map(|d| view! { <span class="quiet">{d}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            <section class="card" aria-labelledby="prog-h">
                <h2 id="prog-h">"Progressions"</h2>
                {if progressions.is_empty() {
                    view! { <p class="quiet">"None recorded yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="rows">
                            {progressions.into_iter().map(|p| view! { <ProgressionRow participant=participant progression=p problem=problem /> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
        </div>
        <RecordAchievementForm participant=participant />
        <RecordProgressionForm participant=participant />
    }
    .into_any()
}

/// Level, certificate and hours, where recorded.
fn achievement_details(a: &Achievement) -> Option<String> {
    let mut parts = Vec::new();
    if !a.level.is_empty() {
        parts.push(format!(
            "Level {}",
            a.level
                .trim_start_matches("Level ")
                .trim_start_matches("level ")
        ));
    }
    if a.certificate {
        parts.push("certificate issued".to_string());
    }
    if let Some(h) = a.hours {
        parts.push(format!("{h} hour{}", if h == 1 { "" } else { "s" }));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// One progression, with its checks at 13 and 26 weeks: asked for once each is due.
#[component]
fn ProgressionRow(
    participant: ParticipantId,
    progression: Progression,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let p = progression;
    let id = p.id;
    let today = now().london_day();
    let check = move |weeks: u32, done: Option<SustainCheck>| {
        let due = p.start_date.plus_days(i64::from(weeks) * 7);
        match done {
            Some(c) => view! {
                <span>{format!("{weeks} weeks: {}", if c.sustained { "still going" } else { "ended" })}</span>
            }
            .into_any(),
            None if today < due => view! {
                <span class="quiet">{format!("{weeks}-week check due {}", due.format("%-d %b %Y"))}</span>
            }
            .into_any(),
            None => {
                let record = move |sustained: bool| {
                    act(problem, "Check recorded.", move || async move {
                        api::call(&CheckSustained {
                            participant,
                            input: SustainedCheck { progression: id, weeks, sustained },
                        })
                        .await
                    })
                };
                view! {
                    <span class="sustain" role="group" aria-label=format!("{weeks}-week check")>
                        {format!("{weeks} weeks on: still going?")}
                        <button type="button" on:click=move |_| record(true)>"Yes"</button>
                        <button type="button" on:click=move |_| record(false)>"No"</button>
                    </span>
                }
                .into_any()
            }
        }
    };
    view! {
        <li>
            <span class="when">{p.start_date.format("%-d %b %Y")}</span>
            <span>
                {format!(
                    "{}: {}{}",
                    text::progression_kind(p.kind),
                    p.description,
                    if p.organisation.is_empty() { String::new() } else { format!(" ({})", p.organisation) },
                )}
            </span>
            {check(13, p.sustained_13_weeks)}
            {check(26, p.sustained_26_weeks)}
        </li>
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ProgressionForm {
    kind: String,
    description: String,
    organisation: String,
    start: String,
}

#[component]
fn RecordProgressionForm(participant: ParticipantId) -> impl IntoView {
    let key = format!("record_progression:{participant}");
    let form = draft::<ProgressionForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let desc_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.description.is_empty())
            .then(|| err(words(&f.description, 200, "what they moved into")))
            .flatten()
    });
    let start_err = Signal::derive(move || err(day(&form.get().start)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(kind), Ok(description), Ok(start)) = (
            f.kind.parse::<ProgressionKind>(),
            words(&f.description, 200, "it"),
            day(&f.start),
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let start_date = start.unwrap_or_else(|| now().london_day());
        submit(
            key.clone(),
            form,
            problem,
            "Progression recorded.",
            move || async move {
                api::call(&RecordProgression {
                    participant,
                    input: NewProgression {
                        kind,
                        description,
                        organisation: f.organisation.trim().into(),
                        start_date,
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="rec-prog-h">
            <h2 id="rec-prog-h">"Record a progression"</h2>
            <form on:submit=save novalidate>
                <Choice
                    label="Into"
                    bind=bind!(form, kind)
                    options=options(ProgressionKind::ALL, ProgressionKind::as_str, text::progression_kind)
                    empty="Choose"
                />
                <TextField label="Job, course or placement" bind=bind!(form, description) error=desc_err required=true />
                <TextField label="Employer or provider" bind=bind!(form, organisation) />
                <TextField label="Start date" bind=bind!(form, start) error=start_err kind="date" hint="Leave empty for today" />
                <Problem problem=problem />
                <button type="submit" class="primary">"Save progression"</button>
            </form>
        </section>
    }
}

#[component]
fn RecordAchievementForm(participant: ParticipantId) -> impl IntoView {
    let key = format!("record_achievement:{participant}");
    let form = draft::<AchievementForm>(key.clone());
    let problem = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let title_err = Signal::derive(move || {
        let f = form.get();
        (touched.get() || !f.title.is_empty())
            .then(|| err(words(&f.title, 200, "what they achieved")))
            .flatten()
    });
    let date_err = Signal::derive(move || err(day(&form.get().date)));
    let hours_err = Signal::derive(move || err(optional_number(&form.get().hours, 1, 10_000)));
    let kind_err = Signal::derive(move || {
        (touched.get() && form.get().kind.parse::<AchievementKind>().is_err())
            .then(|| "Choose what kind of achievement".to_string())
    });
    let kind_is = move |k: AchievementKind| form.with(|f| f.kind == k.as_str());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = form.get_untracked();
        let (Ok(kind), Ok(title), Ok(date), Ok(hours)) = (
            f.kind.parse::<AchievementKind>(),
            words(&f.title, 200, "it"),
            day(&f.date),
            // Hours are asked for (and kept) only for volunteering and work experience.
            if matches!(
                f.kind.parse(),
                Ok(AchievementKind::Volunteering | AchievementKind::WorkExperience)
            ) {
                optional_number(&f.hours, 1, 10_000)
            } else {
                Ok(None)
            },
        ) else {
            problem.set(Some(text::FIX_ERRORS.into()));
            return;
        };
        let date = date.unwrap_or_else(|| now().london_day());
        submit(
            key.clone(),
            form,
            problem,
            "Achievement recorded.",
            move || async move {
                api::call(&RecordAchievement {
                    participant,
                    input: NewAchievement {
                        kind,
                        title,
                        date,
                        organisation: f.organisation.trim().into(),
                        level: if kind == AchievementKind::Qualification {
                            f.level.trim().into()
                        } else {
                            String::new()
                        },
                        certificate: f.certificate,
                        hours: hours.map(|h| h as u32),
                    },
                })
                .await
            },
        );
    };
    view! {
        <section class="card" aria-labelledby="rec-ach-h">
            <h2 id="rec-ach-h">"Record an achievement"</h2>
            <form on:submit=save novalidate>
                <Choice label="Kind" bind=bind!(form, kind) options=options(AchievementKind::ALL, AchievementKind::as_str, text::achievement_kind) empty="Choose" />
                <TextField label="What they achieved" bind=bind!(form, title) error=title_err required=true />
                {move || kind_err.get().map(|e| view! { <p class="field-error">{e}</p> })}
                <TextField label="Organisation or awarding body" bind=bind!(form, organisation) />
                {move || kind_is(AchievementKind::Qualification).then(|| view! {
                    <TextField label="Level" bind=bind!(form, level) hint="For example Entry 3, 1 or 2" />
                })}
                {move || (kind_is(AchievementKind::Volunteering) || kind_is(AchievementKind::WorkExperience)).then(|| view! {
                    <TextField label="Hours" bind=bind!(form, hours) error=hours_err kind="number" />
                })}
                <Check label="A certificate was issued" bind=bind!(form, certificate) />
                <TextField label="Date" bind=bind!(form, date) error=date_err kind="date" hint="Leave empty for today" />
                <Problem problem=problem />
                <button type="submit" class="primary">"Save achievement"</button>
            </form>
        </section>
    }
}
